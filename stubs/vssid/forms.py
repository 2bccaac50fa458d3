"""Reading submitted forms safely: size limits, single values, clean refusals."""

from __future__ import annotations

import re

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import ClientDisconnect, Request

from stubs.vssid.errors import RequestRefused

_MAX_FORM_BYTES = 64 * 1024
_DIGITS = re.compile(r"[0-9]{1,12}")
_MAX_VALUE_CHARS = 4096


async def read_form(request: Request) -> FormData:
    """The request's urlencoded or multipart form, or RequestRefused."""
    length = request.headers.get("content-length")
    if length is not None and (not _DIGITS.fullmatch(length) or int(length) > _MAX_FORM_BYTES):
        raise RequestRefused("form too large or bad content-length", 413)
    try:
        form = await request.form(max_files=0, max_fields=50, max_part_size=_MAX_FORM_BYTES)
    except (HTTPException, MultiPartException, ClientDisconnect, ValueError, UnicodeError) as exc:
        # Starlette reports multipart failures as its own 400 HTTPException.
        raise RequestRefused("malformed form") from exc
    return form


def single_text(form: FormData, name: str) -> str | None:
    """One text field: None when absent; refused when repeated, a file, or oversize."""
    values = form.getlist(name)
    if not values:
        return None
    if len(values) > 1 or not isinstance(values[0], str) or len(values[0]) > _MAX_VALUE_CHARS:
        raise RequestRefused(f"field {name} must be one short text value")
    return values[0]
