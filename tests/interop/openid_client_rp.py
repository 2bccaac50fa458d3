"""Starts interop/openid-client-rp/server.mjs: openid-client (npm) as a vendor's VssID backend.

`start_openid_client_rp(workdir, ...)` issues a throw-away CA and a loopback certificate for the
RP's own HTTPS, writes the VssID accounts into `workdir`, starts node with the client secret in
its environment (`RP_CLIENT_SECRET`, never on the command line), reads the one
`https://127.0.0.1:PORT` line and stops the child when the block ends.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from fixtures.servers import Tls
from tests.subprocesses import ready_url, stop

ROOT = Path(__file__).parents[2]
SERVER = ROOT / "interop" / "openid-client-rp" / "server.mjs"
PACKAGE = ROOT / "node_modules" / "openid-client"
CALLBACK_PATH = "/oidc/callback/vneid"
READY_TIMEOUT_S = 30.0


class OpenIdClientRpError(RuntimeError):
    """The server did not start (node missing, bad configuration, crashed, too slow)."""


@dataclass(frozen=True)
class OpenIdClientRp:
    """A running openid-client RP: where it answers and what a client needs to trust it."""

    url: str  # base URL, https://127.0.0.1:PORT
    redirect_uri: str  # url + CALLBACK_PATH, what VNeID must have registered
    ca_file: Path  # the CA of the RP's own certificate
    log_file: Path  # the RP's own log (events and outcomes, never secrets)
    stderr_file: Path  # the node process's stderr


def available() -> str | None:
    """Why the server cannot run here, or None when node and the npm package are present."""
    if shutil.which("node") is None:
        return "node is not installed"
    if not PACKAGE.is_dir():
        return "node_modules/openid-client is absent: run `npm ci` first"
    return None


@contextlib.contextmanager
def start_openid_client_rp(
    workdir: Path,
    *,
    issuer: str,
    client_id: str,
    client_secret: str,
    ca_file: Path | str | None,
    accounts: list[dict],
    log_file: Path | None = None,
    defect: str | None = None,
    min_version: str | None = None,
) -> Iterator[OpenIdClientRp]:
    """Run the RP on 127.0.0.1 (a free port) for the block; yields where it answers.

    `issuer`: VNeID's issuer (https; discovered at the first login, so it may start later).
    `ca_file`: the CA to trust for the issuer's TLS (None: the system's roots only).
    `accounts`: dicts with id_number (12 digits), name, social_insurance_code and status
    (active | pending | locked). `defect`: passed as --defect; this RP has none, so any name
    makes it refuse to start (OpenIdClientRpError). `min_version`: the VssID minimum (1.6.7).
    """
    node = shutil.which("node")
    if node is None:
        raise OpenIdClientRpError("node is not on PATH")
    workdir.mkdir(parents=True, exist_ok=True)
    tls = Tls.issue(workdir / "tls")
    accounts_file = workdir / "openid-client-rp-accounts.json"
    accounts_file.write_text(json.dumps({"accounts": accounts}, ensure_ascii=False, indent=2),
                             "utf-8")
    log_file = Path(log_file) if log_file is not None else workdir / "openid-client-rp.log"
    stderr_file = workdir / "openid-client-rp.stderr"

    command = [node, str(SERVER), "--issuer", issuer, "--client-id", client_id,
               "--tls-cert", str(tls.cert_file), "--tls-key", str(tls.key_file),
               "--port", "0", "--accounts", str(accounts_file), "--log-file", str(log_file)]
    if ca_file is not None:
        command += ["--ca-file", str(ca_file)]
    if defect is not None:
        command += ["--defect", defect]
    if min_version is not None:
        command += ["--min-version", min_version]
    env = {**os.environ, "RP_CLIENT_SECRET": client_secret}

    with stderr_file.open("w", encoding="utf-8") as stderr:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=stderr, text=True)
        try:
            url = ready_url(process, stderr_file, what="openid-client-rp",
                            timeout=READY_TIMEOUT_S, error=OpenIdClientRpError,
                            prefix="https://127.0.0.1:")
            yield OpenIdClientRp(url, url + CALLBACK_PATH, tls.ca_file, log_file, stderr_file)
        finally:
            stop(process)

