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
