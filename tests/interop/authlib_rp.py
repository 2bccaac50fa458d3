"""Starts interop/authlib_rp (a vendor's VssID backend on Authlib) as a child process.

`start_authlib_rp(workdir, ...)` issues the RP's own throw-away CA and loopback certificate,
writes its accounts file into `workdir`, passes the client secret through the environment
(``RP_CLIENT_SECRET``, never the command line), reads the one ``https://127.0.0.1:PORT`` line
and stops the child when the block ends. The RP fetches the issuer's discovery document only
at its first login, so the IdP may start after it.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from fixtures.servers import Tls
from tests.subprocesses import ready_url, stop

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CALLBACK_PATH = "/auth/return"
READY_TIMEOUT_S = 30.0


class RpStartError(RuntimeError):
    """The RP did not print its URL in time; the message ends with its stderr's tail."""


@dataclass(frozen=True)
class AuthlibRp:
    url: str  # https://127.0.0.1:PORT, the origin of its screens
    redirect_uri: str  # url + /auth/return, what VNeID must have registered
    ca_file: Path  # the CA of its TLS certificate (what a client of the RP trusts)
    log_file: Path  # the RP's own log (never a code, token, state or secret)
    stderr_file: Path
    tls: Tls
    process: subprocess.Popen

    def log(self) -> str:
        return self.log_file.read_text(encoding="utf-8", errors="replace") \
            if self.log_file.exists() else ""

    def stderr(self) -> str:
        return self.stderr_file.read_text(encoding="utf-8", errors="replace")


@contextlib.contextmanager
def start_authlib_rp(
    workdir: Path,
    *,
    issuer: str,
    client_id: str,
    client_secret: str,
    ca_file: Path,
    accounts: list[dict],
    log_file: Path | None = None,
    defect: str | None = None,
    min_version: str | None = None,
) -> Iterator[AuthlibRp]:
    """Run the RP on 127.0.0.1 (a free port) until the block ends.

    `issuer`: VNeID's issuer (https). `ca_file`: the CA the RP trusts for the issuer's TLS.
    `accounts`: dicts with ``id_number``, ``name``, ``social_insurance_code`` and ``status``
    (``active`` | ``pending`` | ``locked``). `log_file`: where the RP writes its log (default
    ``workdir/authlib-rp.log``). `defect`: one of interop.authlib_rp.config.DEFECTS, or None.
    """
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    tls = Tls.issue(workdir / "tls")
    accounts_file = workdir / "accounts.json"
    accounts_file.write_text(json.dumps(
        {"accounts": [{k: a[k] for k in ("id_number", "name", "social_insurance_code",
                                         "status")} for a in accounts]},
        ensure_ascii=False, indent=2), encoding="utf-8")
    log_file = Path(log_file) if log_file is not None else workdir / "authlib-rp.log"
    stderr_file = workdir / "authlib-rp.stderr"
    command = [sys.executable, "-m", "interop.authlib_rp", "--issuer", issuer,
               "--client-id", client_id, "--ca-file", str(ca_file),
               "--tls-cert", str(tls.cert_file), "--tls-key", str(tls.key_file),
               "--port", "0", "--accounts", str(accounts_file), "--log-file", str(log_file)]
    if min_version is not None:
        command += ["--min-version", min_version]
    if defect is not None:
        command += ["--defect", defect]
    env = {**os.environ, "RP_CLIENT_SECRET": client_secret, "PYTHONUNBUFFERED": "1"}

    with stderr_file.open("wb") as stderr:
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=stderr, text=True,
                                   encoding="utf-8")
    try:
        line = ready_url(process, stderr_file, what="the Authlib RP", timeout=READY_TIMEOUT_S,
                         error=RpStartError, prefix="https://127.0.0.1:")
        url = line
        yield AuthlibRp(url=url, redirect_uri=url + CALLBACK_PATH, ca_file=tls.ca_file,
                        log_file=log_file, stderr_file=stderr_file, tls=tls, process=process)
    finally:
        stop(process)
