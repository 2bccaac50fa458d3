"""Oversize input gets its HTTP status, never a reset connection (both stubs).

`OversizeGuard` is the outermost middleware of both stubs' apps. It answers

* **414** when the request target (path + `?` + query) is over `MAX_TARGET_BYTES`,
* **431** when the request's headers together are over `MAX_HEADER_BYTES`,
* **413** when the body is over `MAX_BODY_BYTES` (by `content-length`; a body without one is
  read here before the app runs, up to that limit),

with the stubs' error shape (`{"error": "invalid_request", "error_description": ...}`), after
reading and dropping what is left of the body (up to `DRAIN_BYTES` / `DRAIN_SECONDS`). An
answer sent while the client is still sending, followed by a close, is what made clients see
a reset or a TLS EOF instead of the status.

These limits sit above each stub's own ones (`stubs/params.py`, the stub VNeID's
`max_body_bytes` / `max_param_length`), which still answer what they answered before for input
under these limits; the reference VssID's form limit is the same 64 KiB, so its 413 is now
this JSON on every path.

The server must let heads this large reach the app at all: `stubs/serving.py` serves with
httptools and a head bound of `SERVER_HEAD_BYTES`, and answers a head beyond even that bound
itself (`AnsweringHttpToolsProtocol`), reading and dropping what the client still sends before
closing.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import anyio

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_TARGET_BYTES = 32 * 1024  # path + "?" + query string -> 414
MAX_HEADER_BYTES = 32 * 1024  # every "name: value\r\n" together -> 431
MAX_BODY_BYTES = 64 * 1024  # the request body -> 413
# How much of a refused request's body is read (and dropped) before the answer goes out. Past
# this the answer goes out at once, on a connection left open: uvicorn's HTTP protocol then
# drops the rest of the body itself.
DRAIN_BYTES = 8 * 1024 * 1024
DRAIN_SECONDS = 10.0
# The server's own bound on a request head (request line + headers), well above the two head
# limits above so that those are the app's to answer.
SERVER_HEAD_BYTES = 1024 * 1024
# A head past SERVER_HEAD_BYTES is answered by the server, which then reads and drops what the
# client still sends, up to this much or this long, before it closes the connection.
LINGER_BYTES = 16 * 1024 * 1024
LINGER_SECONDS = 5.0


def error_body(description: str) -> bytes:
    """The stubs' error shape (RFC 6749 §5.2), as JSON bytes."""
    return json.dumps({"error": "invalid_request", "error_description": description},
                      separators=(",", ":")).encode()


ERROR_HEADERS = [(b"content-type", b"application/json"), (b"cache-control", b"no-store"),
                 (b"pragma", b"no-cache")]


def target_too_long() -> tuple[int, str]:
    return 414, f"request target too long (over {MAX_TARGET_BYTES} bytes)"


def headers_too_large() -> tuple[int, str]:
    return 431, f"request headers too large (over {MAX_HEADER_BYTES} bytes)"


def body_too_large() -> tuple[int, str]:
    return 413, f"request body too large (over {MAX_BODY_BYTES} bytes)"


def _target_bytes(scope: Scope) -> int:
    raw_path = scope.get("raw_path") or scope.get("path", "").encode("utf-8", "replace")
    query = scope.get("query_string", b"")
    return len(raw_path) + (1 + len(query) if query else 0)


def _head_refusal(scope: Scope) -> tuple[int, str] | None:
    if _target_bytes(scope) > MAX_TARGET_BYTES:
        return target_too_long()
    headers = scope.get("headers", [])
    if sum(len(name) + len(value) + 4 for name, value in headers) > MAX_HEADER_BYTES:
        return headers_too_large()
    for name, value in headers:
        if name == b"content-length" and value.isdigit() and int(value) > MAX_BODY_BYTES:
            return body_too_large()
    return None


def _waits_for_100_continue(scope: Scope) -> bool:
    return any(name == b"expect" and value.strip().lower() == b"100-continue"
               for name, value in scope.get("headers", []))


async def drain(receive: Receive, *, already: int = 0) -> None:
    """Read and drop the rest of the request body, up to DRAIN_BYTES and DRAIN_SECONDS."""
    read = already
    with anyio.move_on_after(DRAIN_SECONDS):
        while read <= DRAIN_BYTES:
            message = await receive()
            if message["type"] != "http.request":
                return
            read += len(message.get("body", b""))
            if not message.get("more_body", False):
                return


async def answer(send: Send, status: int, description: str, *, close: bool = False) -> None:
    """The refusal, as ASGI messages."""
    body = error_body(description)
    headers = [*ERROR_HEADERS, (b"content-length", str(len(body)).encode())]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


class OversizeGuard:
    """414 / 431 / 413 for oversize input, answered only once the body has been read."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = _head_refusal(scope)
        if refusal is not None and _waits_for_100_continue(scope):
            # The client sends no body until told to: answer and close instead of asking.
            await answer(send, *refusal, close=True)
        elif refusal is not None:
            await drain(receive)
            await answer(send, *refusal)
        elif any(name == b"content-length" for name, _ in scope.get("headers", [])):
            await self.app(scope, receive, send)  # the server holds the body to that length
        else:
            await self._counting_body(scope, receive, send)

    async def _counting_body(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A body without a content-length (chunked) is read here first, so that one past the
        limit gets its 413 whatever the app's own, smaller limits would have said about its
        first part; one within the limit reaches the app whole, in one message."""
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break  # the client left: the app sees it too
            body += message.get("body", b"")
            if len(body) > MAX_BODY_BYTES:
                if message.get("more_body", False):
                    await drain(receive, already=len(body))
                await answer(send, *body_too_large())
                return
            if not message.get("more_body", False):
                break
        replay: list[Message] = [{"type": "http.request", "body": bytes(body), "more_body": False}]
        if message["type"] != "http.request":
            replay = [message]

        async def replayed_receive() -> Message:
            return replay.pop(0) if replay else await receive()

        await self.app(scope, replayed_receive, send)
