"""One error handler: RFC 6749 error JSON for API paths, a Vietnamese page for screens."""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from stubs.vssid.screens import render_error_page

log = logging.getLogger("stubs.vssid.errors")


_PAGE_MESSAGES = {
    400: "Yêu cầu không hợp lệ. Vui lòng quay lại màn hình đăng nhập.",
    404: "Không tìm thấy trang bạn yêu cầu.",
    405: "Thao tác này không được hỗ trợ tại đây.",
    413: "Dữ liệu gửi lên quá lớn.",
}


class RequestRefused(Exception):
    """A malformed request from the client (bad form, bad encoding, oversize value)."""

    def __init__(self, description: str, status_code: int = 400) -> None:
        super().__init__(description)
        self.description = description
        self.status_code = status_code


def _wants_json(request: Request) -> bool:
    """API and control-plane paths answer JSON; screens a page."""
    prefix = request.app.state.vssid.config.control_prefix.rstrip("/") + "/"
    return request.url.path.startswith(("/api/", prefix))


def error_json(status_code: int, error: str, description: str) -> JSONResponse:
    """An RFC 6749 §5.2-shaped error object."""
    return JSONResponse(
        {"error": error, "error_description": description},
        status_code=status_code,
        headers={"Cache-Control": "no-store"},
    )


def _respond(request: Request, status_code: int, error: str, description: str) -> Response:
    if _wants_json(request):
        return error_json(status_code, error, description)
    message = _PAGE_MESSAGES.get(status_code, "Yêu cầu không thể xử lý. Vui lòng thử lại.")
    return render_error_page(request, status_code, message)


async def handle_http_exception(request: Request, exc: Exception) -> Response:
    """404 / 405 / framework errors."""
    assert isinstance(exc, HTTPException)
    error = "invalid_request" if exc.status_code < 500 else "server_error"
    if exc.status_code == 404:
        error = "not_found"
    return _respond(request, exc.status_code, error, str(exc.detail))


async def handle_refused(request: Request, exc: Exception) -> Response:
    """Malformed client input."""
    assert isinstance(exc, RequestRefused)
    return _respond(request, exc.status_code, "invalid_request", exc.description)


async def handle_unexpected(request: Request, exc: Exception) -> Response:
    """A bug: logged without request data (which may hold secrets), answered cleanly."""
    log.error("unexpected %s on %s %s", type(exc).__name__, request.method, request.url.path)
    return _respond(request, 500, "server_error", "unexpected error")


EXCEPTION_HANDLERS = {
    HTTPException: handle_http_exception,
    RequestRefused: handle_refused,
    Exception: handle_unexpected,
}
