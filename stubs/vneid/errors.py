"""One place that turns every failure into an RFC 6749 error object or a Vietnamese error page."""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from stubs.params import MalformedRequest
from stubs.vneid.screens import render_screen

log = logging.getLogger("stubs.vneid")

_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


class OAuthError(Exception):
    """A refused API request: answered as `{"error", "error_description"}`."""

    def __init__(
        self,
        error: str,
        description: str,
        status_code: int = 400,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(error)
        self.error = error
        self.description = description
        self.status_code = status_code
        self.headers = headers or {}


class ScreenError(Exception):
    """A refused screen request: answered with a Vietnamese error page, never a redirect."""

    def __init__(
        self,
        message: str,
        *,
        screen: str = "vneid-error",
        outcome: str = "PROTOCOL_ERROR",
        status_code: int = 400,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.screen = screen
        self.outcome = outcome
        self.status_code = status_code


def oauth_error_response(
    error: str, description: str, status_code: int = 400, headers: dict[str, str] | None = None
) -> JSONResponse:
    """The RFC 6749 §5.2 error body."""
    return JSONResponse(
        {"error": error, "error_description": description},
        status_code=status_code,
        headers={**_NO_STORE, **(headers or {})},
    )


def _is_screen(request: Request) -> bool:
    """Whether the path belongs to the screens (HTML errors) rather than the APIs."""
    config = request.app.state.stub.config
    path = request.scope["path"]
    return path.startswith(config.authorize_path) or path == config.device_path


def error_page(request: Request, message: str, *, screen: str = "vneid-error",
               outcome: str = "PROTOCOL_ERROR", status_code: int = 400) -> Response:
    """The Vietnamese error screen."""
    return render_screen(request, "error.html", screen=screen, outcome=outcome,
                         status_code=status_code, message=message)


async def handle_oauth_error(request: Request, exc: Exception) -> Response:
    """An OAuthError becomes its JSON body."""
    assert isinstance(exc, OAuthError)
    return oauth_error_response(exc.error, exc.description, exc.status_code, exc.headers)


async def handle_screen_error(request: Request, exc: Exception) -> Response:
    """A ScreenError becomes the error page."""
    assert isinstance(exc, ScreenError)
    return error_page(request, exc.message, screen=exc.screen, outcome=exc.outcome,
                      status_code=exc.status_code)


async def handle_malformed(request: Request, exc: Exception) -> Response:
    """Unreadable parameters: invalid_request (IDP-14)."""
    if request.app.state.stub.config.has_defect("malformed_input_500"):
        return PlainTextResponse("Internal Server Error", status_code=500)
    if _is_screen(request):
        return error_page(request, "Yêu cầu không hợp lệ: " + _vietnamese_reason(exc))
    return oauth_error_response("invalid_request", str(exc))


def _vietnamese_reason(exc: Exception) -> str:
    text = str(exc)
    if "percent" in text:
        return "mã hoá phần trăm sai."
    if "UTF-8" in text:
        return "ký tự không phải UTF-8."
    if "too" in text:
        return "dữ liệu quá dài."
    if "repeated" in text:
        return "một tham số bị lặp lại."
    if "content type" in text:
        return "sai kiểu nội dung."
    return "tham số không đọc được."


async def handle_http_exception(request: Request, exc: Exception) -> Response:
    """Unknown paths and wrong methods, in the same two shapes as every other error."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405 and request.app.state.stub.config.has_defect(
            "wrong_method_404") and not _is_screen(request):
        return oauth_error_response("not_found", "no such endpoint", 404)
    if exc.status_code == 405:
        if _is_screen(request):
            return error_page(request, "Phương thức không được hỗ trợ.", status_code=405)
        return oauth_error_response("invalid_request", "method not allowed", 405,
                                    dict(exc.headers or {}))
    if exc.status_code == 404:
        if _is_screen(request):
            return error_page(request, "Không tìm thấy trang.", status_code=404)
        return oauth_error_response("not_found", "no such endpoint", 404)
    return oauth_error_response("invalid_request", "request refused", exc.status_code)


EXCEPTION_HANDLERS = {
    OAuthError: handle_oauth_error,
    ScreenError: handle_screen_error,
    MalformedRequest: handle_malformed,
    HTTPException: handle_http_exception,
}


class CatchAllMiddleware:
    """The last line: any unexpected exception becomes a clean 500 body, never a traceback."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            # Only the exception type: its message could carry a request value.
            log.error("unexpected %s at %s", type(exc).__name__, scope.get("path"))
            if started:
                return
            response = oauth_error_response("server_error", "the stub VNeID failed", 500)
            await response(scope, receive, send)
