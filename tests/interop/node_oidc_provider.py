"""Starts interop/node-oidc-provider/server.mjs: oidc-provider (npm) as a vendor's VNeID.

`start_node_oidc_provider(workdir, ...)` issues a throw-away CA and a loopback certificate,
writes the server's JSON configuration into `workdir` (no secret in it: client secrets,
passwords and TOTP seeds reach the child through its environment), starts node, reads the one
`https://127.0.0.1:PORT` line and stops the child when the block ends.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from fixtures.servers import Tls
from tests.subprocesses import ready_url, stop

ROOT = Path(__file__).parents[2]
SERVER = ROOT / "interop" / "node-oidc-provider" / "server.mjs"
PACKAGE = ROOT / "node_modules" / "oidc-provider"
DEFAULT_CLIENT_NAME = "VssID – Bảo hiểm xã hội Việt Nam"
READY_TIMEOUT_S = 30.0


class NodeIdpError(RuntimeError):
    """The server did not start (node missing, bad configuration, crashed, too slow)."""


@dataclass(frozen=True)
class NodeIdp:
    """A running oidc-provider: its issuer and the CA that signed its certificate."""

    issuer: str
    ca_file: Path
    config_file: Path
    log_file: Path
    pid: int = 0  # the node process (the load benchmark reads its CPU time)


def available() -> str | None:
    """Why the server cannot run here, or None when node and the npm package are present."""
    if shutil.which("node") is None:
        return "node is not installed"
    if not PACKAGE.is_dir():
        return "node_modules/oidc-provider is absent: run `npm ci` first"
    return None


def _client(entry: dict, index: int, env: dict[str, str]) -> dict:
    var = f"VNEID_OP_CLIENT_{index}_SECRET"
    env[var] = entry["client_secret"]
    return {
        "client_id": entry["client_id"],
        "client_secret_env": var,
        "redirect_uri": entry["redirect_uri"],
        "client_name": entry.get("client_name") or entry["client_id"],
    }


def _account(entry: dict, index: int, env: dict[str, str]) -> dict:
    password_var = f"VNEID_OP_ACCOUNT_{index}_PASSWORD"
    totp_var = f"VNEID_OP_ACCOUNT_{index}_TOTP"
    env[password_var] = entry["password"]
    env[totp_var] = entry["totp_secret"]
    return {
        "id_number": entry["id_number"],
        "name": entry.get("name", ""),
        "level": int(entry["level"]),
        "password_env": password_var,
        "totp_secret_env": totp_var,
    }


@contextlib.contextmanager
def start_node_oidc_provider(
    workdir: Path,
    *,
    redirect_uri: str,
    client_id: str,
    client_secret: str,
    accounts: list[dict],
    client_name: str = DEFAULT_CLIENT_NAME,
    second_client: dict | None = None,
) -> Iterator[NodeIdp]:
    """Run oidc-provider on 127.0.0.1 (a free port) for the block; yields where it answers.

    `accounts`: dicts with id_number (12 digits), name, password, level (1 or 2) and
    totp_secret (base32). `second_client`: client_id, client_secret, redirect_uri and
    optionally client_name.
    """
    node = shutil.which("node")
    if node is None:
        raise NodeIdpError("node is not on PATH")
    workdir.mkdir(parents=True, exist_ok=True)
    tls = Tls.issue(workdir / "tls")

    env = {**os.environ, "VNEID_OP_SUBJECT_SECRET": secrets.token_urlsafe(24)}
    env.pop("IDP_CONFIG", None)
    clients = [_client({"client_id": client_id, "client_secret": client_secret,
                        "redirect_uri": redirect_uri, "client_name": client_name}, 0, env)]
    if second_client is not None:
        clients.append(_client(second_client, 1, env))
    config = {
        "host": "127.0.0.1",
        "port": 0,
        "tls": {"cert_file": str(tls.cert_file), "key_file": str(tls.key_file)},
        "subject_secret_env": "VNEID_OP_SUBJECT_SECRET",
        "clients": clients,
        "accounts": [_account(a, i, env) for i, a in enumerate(accounts)],
    }
    config_file = workdir / "node-oidc-provider.json"
    config_file.write_text(json.dumps(config, ensure_ascii=False, indent=2), "utf-8")
    log_file = workdir / "node-oidc-provider.log"

    with log_file.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            [node, str(SERVER), str(config_file)], cwd=ROOT, env=env,
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log, text=True)
        try:
            issuer = ready_url(process, log_file, what="node-oidc-provider",
                               timeout=READY_TIMEOUT_S, error=NodeIdpError,
                               prefix="https://127.0.0.1:")
            yield NodeIdp(issuer, tls.ca_file, config_file, log_file, process.pid)
        finally:
            stop(process)

