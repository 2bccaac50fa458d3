"""How the stubs are served: a bound socket and a throw-away local TLS certificate.

Shared by both stubs' standalone servers and by the kit's harness that starts them in threads,
so a fix here (like the one for Nagle below) reaches every way a stub is run.
"""

from __future__ import annotations

import ipaddress
import socket
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn

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


def uvicorn_server(app: Any, *, cert_file: Path | str | None = None,
                   key_file: Path | str | None = None, log_level: str = "warning",
                   log_config: dict | None = None, access_log: bool = False) -> uvicorn.Server:
    """The one way a stub is served, by the harness's threads and by both `__main__`s.

    The access log is off unless asked for: its lines carry query strings (codes and state);
    a standalone stub that turns it on routes it through its redacting handler (log_config).
    Lifespan is on: the reference VssID closes its client to VNeID on shutdown.
    """
    settings: dict[str, Any] = {"log_config": log_config} if log_config is not None else {}
    return uvicorn.Server(uvicorn.Config(
        app, log_level=log_level.lower(), access_log=access_log, lifespan="on",
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
