"""How the stubs are served: a bound socket and a throw-away local TLS certificate.

Shared by both stubs' standalone servers and by the kit's harness that starts them in threads,
so a fix here (like the one for Nagle below) reaches every way a stub is run.
"""

from __future__ import annotations

import asyncio
import http
import ipaddress
import socket
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httptools
import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from stubs import limits

# How long a stopping stub waits for open connections (a peer that keeps an idle TLS
# connection and never reads would hold the shutdown) before dropping them and still running
# the app's shutdown, instead of being force-exited.
GRACEFUL_STOP_S = 2.0


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket; bound first, so port 0 resolves before any URL is built."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio turns Nagle off (TCP_NODELAY) only on sockets whose
    # proto says TCP; with proto 0 every keep-alive response waited ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def url_host(host: str) -> str:
    """The host as it stands in a URL (IPv6 addresses in brackets)."""
    try:
        return f"[{host}]" if ipaddress.ip_address(host).version == 6 else host
    except ValueError:
        return host


@dataclass(frozen=True)
class LocalTls:
    """A local CA and a server certificate (chain + key) signed by it, as PEM files."""

    ca_file: Path
    cert_file: Path
    key_file: Path
    leaf_pem: bytes


def issue_local_tls(hosts: list[str], *, folder: Path | None = None, ca_out: Path | None = None,
                    organization: str = "vneid-conformance local CA") -> LocalTls:
    """Make a CA with trustme and a server certificate for `hosts`, written as PEM files."""
    import trustme

    folder = folder or Path(tempfile.mkdtemp(prefix="stub-tls-"))
    folder.mkdir(parents=True, exist_ok=True)
    authority = trustme.CA(organization_name=organization)
    server = authority.issue_cert(*sorted(set(hosts)))
    cert_file, key_file = folder / "server.pem", folder / "server.key"
    cert_file.write_bytes(b"".join(pem.bytes() for pem in server.cert_chain_pems))
    server.private_key_pem.write_to_path(str(key_file))
    ca_file = ca_out or folder / "ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))
    return LocalTls(ca_file, cert_file, key_file, server.cert_chain_pems[0].bytes())


class AnsweringHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol (the C parser), except for a request head it refuses.

    uvicorn would buffer a head of any size, and answer a malformed one (or a request target
    past 64 KiB, which httptools' URL parser cannot count) with a bare 400, closing at once
    while the client may still be sending: the close with unread bytes becomes a reset (or,
    over TLS, an EOF) that the client often sees before the answer. Here a head past
    `limits.SERVER_HEAD_BYTES` is refused as soon as that many bytes came, 414 when even the
    request line is not complete and 431 when the headers are what is too long; a target past
    `limits.MAX_TARGET_BYTES` is 414; a malformed head is 400 with the stubs' error body. The
    connection then reads and drops what still comes, until the client closes,
    `limits.LINGER_BYTES` or `limits.LINGER_SECONDS`. Heads within the bound reach the app,
    where `limits.OversizeGuard` answers what is past the apps' own limits.
    """

    _linger: asyncio.TimerHandle | None = None
    _dropped = 0
    _head_open = True  # bytes of a request head are arriving (a new connection starts so)
    _head_bytes = 0
    _line_seen = False

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_open = True

    def on_headers_complete(self) -> None:
        self._head_open, self._head_bytes, self._line_seen = False, 0, False
        if len(self.url) > limits.MAX_TARGET_BYTES:
            # httptools' URL parser counts in 16 bits and would call a long target malformed;
            # it is too long, and answered so here (what follows is dropped, then closed).
            self._refuse(*limits.target_too_long())
            raise httptools.HttpParserCallbackError("request target too long")
        super().on_headers_complete()

    def data_received(self, data: bytes) -> None:
        if self._linger is not None:
            self._dropped += len(data)
            if self._dropped > limits.LINGER_BYTES:
                self.transport.close()
            return
        if self._head_open:
            self._line_seen = self._line_seen or b"\n" in data
            self._head_bytes += len(data)
            if self._head_bytes > limits.SERVER_HEAD_BYTES:
                self._refuse(*(limits.headers_too_large() if self._line_seen
                               else limits.target_too_long()))
                return
        super().data_received(data)

    def send_400_response(self, msg: str) -> None:  # what uvicorn calls on a malformed head
        if self._linger is not None:
            return  # refused already (a callback above stopped the parser to do so)
        if self.cycle is not None and not self.cycle.response_complete:
            super().send_400_response(msg)  # a broken body mid-request: uvicorn's own way
            return
        self._refuse(400, "malformed HTTP request")

    def _refuse(self, status: int, description: str) -> None:
        body = limits.error_body(description)
        reason = http.HTTPStatus(status).phrase.encode()
        headers = [*limits.ERROR_HEADERS, (b"content-length", str(len(body)).encode()),
                   (b"connection", b"close")]
        head = b"".join([b"HTTP/1.1 %d %s\r\n" % (status, reason),
                         *(name + b": " + value + b"\r\n" for name, value in headers), b"\r\n"])
        self.transport.write(head + body)
        self._linger = self.loop.call_later(limits.LINGER_SECONDS, self.transport.close)

    def shutdown(self) -> None:
        if self._linger is None:
            super().shutdown()
        else:
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._linger is not None:
            self._linger.cancel()
        super().connection_lost(exc)


def uvicorn_server(app: Any, *, cert_file: Path | str | None = None,
                   key_file: Path | str | None = None, log_level: str = "warning",
                   log_config: dict | None = None, access_log: bool = False) -> uvicorn.Server:
    """The one way a stub is served, by the harness's threads and by both `__main__`s.

    The access log is off unless asked for: its lines carry query strings (codes and state);
    a standalone stub that turns it on routes it through its redacting handler (log_config).
    Lifespan is on: the reference VssID closes its client to VNeID on shutdown.
    HTTP/1.1 is httptools (a fifth of the stub's time under load went to h11:
    scripts/bench_vneid_load.py), with a head bound (`limits.SERVER_HEAD_BYTES`) above the
    apps' own limits, so that oversize input reaches `limits.OversizeGuard` and gets its
    414 / 431 / 413; beyond that bound `AnsweringHttpToolsProtocol` answers it.
    """
    settings: dict[str, Any] = {"log_config": log_config} if log_config is not None else {}
    return uvicorn.Server(uvicorn.Config(
        app, log_level=log_level.lower(), access_log=access_log, lifespan="on",
        http=AnsweringHttpToolsProtocol,
        timeout_graceful_shutdown=GRACEFUL_STOP_S,
        ssl_certfile=str(cert_file) if cert_file else None,
        ssl_keyfile=str(key_file) if key_file else None, **settings))


def serve_until_stopped(server: uvicorn.Server, sock: socket.socket, url: str) -> None:
    """A standalone stub's main loop: serve on the bound socket, print `url` on stdout once
    uvicorn accepts (what a launcher waits for), and close the socket however it ends."""
    import asyncio

    async def serve() -> None:
        task = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started and not task.done():
            await asyncio.sleep(0.02)
        if server.started:
            print(url, flush=True)
        await task

    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
