"""The harness's in-thread servers: they stop cleanly even when a peer keeps a connection."""

from __future__ import annotations

import contextlib
import ssl
from pathlib import Path

import httpx
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from fixtures.servers import ServerThread, Tls, bind_loopback


def test_a_lingering_idle_tls_connection_does_not_force_the_server_down(tmp_path: Path):
    # An external RP's connection pool keeps idle TLS connections to the kit's VNeID and never
    # reads again; the server must drop them and still run the app's shutdown (lifespan), not
    # be force-exited with a CancelledError traceback in the log.
    shut_down: list[bool] = []

    async def hello(request):
        return PlainTextResponse("xin chào")

    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        shut_down.append(True)

    tls = Tls.issue(tmp_path)
    sock = bind_loopback()
    server = ServerThread(Starlette(routes=[Route("/", hello)], lifespan=lifespan), sock, tls)
    server.start()
    peer = httpx.Client(verify=ssl.create_default_context(cafile=str(tls.ca_file)))
    try:
        port = sock.getsockname()[1]
        assert peer.get(f"https://127.0.0.1:{port}/").text == "xin chào"
        server.stop()  # while the peer still holds its idle keep-alive connection
        assert not server._thread.is_alive()
        assert server._server.force_exit is False
        assert shut_down == [True]
    finally:
        peer.close()
