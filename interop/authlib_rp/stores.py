"""Server-side records the browser only names: an unguessable id in a cookie, the data here.

Two of them, with their own cookies (host-only, ``Secure``, ``HttpOnly``, ``SameSite=Lax``):

- ``vssid_luot`` — the browser's pre-login store: the dict Authlib keeps as the Starlette
  ``request.session`` (its state, nonce, PKCE verifier and redirect_uri under
  ``_state_vneid_<state>``) plus the glue's record of the attempt (``state`` and when it
  began). It binds an attempt to the browser that started it.
- ``vssid_phien`` — the logged-in session: which account, since when. A new id at every
  login (the old one is dropped), deleted on the server at logout.

Server-side, not Starlette's signed-cookie ``SessionMiddleware``: with a cookie holding the
data itself, an old cookie would still read a session after logout and an old attempt after
its callback.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response

BROWSER_COOKIE = "vssid_luot"
SESSION_COOKIE = "vssid_phien"
MAX_RECORDS = 20_000


class Store:
    def __init__(self, ttl_seconds: float, clock: Callable[[], float] = time.time) -> None:
        self._records: dict[str, tuple[float, dict]] = {}
        self._ttl = ttl_seconds
        self._clock = clock

    def _prune(self) -> None:
        now = self._clock()
        for key in [k for k, (expires, _) in self._records.items() if expires <= now]:
            del self._records[key]
        while len(self._records) >= MAX_RECORDS:  # the oldest first
            del self._records[next(iter(self._records))]

    def create(self, data: dict | None = None) -> tuple[str, dict]:
        self._prune()
        key = secrets.token_urlsafe(32)
        record = dict(data or {})
        self._records[key] = (self._clock() + self._ttl, record)
        return key, record

    def get(self, key: str | None) -> dict | None:
        """The live record `key` names (its lifetime renewed), or None."""
        if not key or key not in self._records:
            return None
        expires, record = self._records[key]
        now = self._clock()
        if expires <= now:
            del self._records[key]
            return None
        self._records[key] = (now + self._ttl, record)
        return record

    def delete(self, key: str | None) -> None:
        if key:
            self._records.pop(key, None)

    def __len__(self) -> int:
        return len(self._records)


def set_cookie(response: Response, name: str, value: str) -> None:
    response.set_cookie(name, value, path="/", secure=True, httponly=True, samesite="lax")


def clear_cookie(response: Response, name: str) -> None:
    response.delete_cookie(name, path="/", secure=True, httponly=True, samesite="lax")


def cookie(request: Request, name: str) -> str | None:
    value = request.cookies.get(name)
    return value if value and len(value) <= 128 else None
