"""Starts the django-oauth-toolkit identity provider (interop/django_oauth_toolkit) as a child
process for a test: its own TLS, a JSON config in `workdir`, secrets through the environment."""

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
READY_TIMEOUT_S = 60.0
DEFAULT_CLIENT_NAME = "VssID – Bảo hiểm xã hội Việt Nam"


@dataclass(frozen=True)
class DjangoIdp:
    issuer: str  # https://127.0.0.1:PORT, exactly discovery's `issuer`
    ca_file: Path  # the CA that signed its certificate
    tls: Tls
    config_file: Path
    stderr_file: Path  # the server's log
    process: subprocess.Popen

    def log(self) -> str:
        return self.stderr_file.read_text(encoding="utf-8", errors="replace")


class IdpStartError(RuntimeError):
    """The server did not print its URL in time; the message ends with its log's tail."""


@contextlib.contextmanager
def start_django_oauth_toolkit(
    workdir: Path,
    *,
    redirect_uri: str,
    client_id: str,
    client_secret: str,
    accounts: list[dict],
    client_name: str = DEFAULT_CLIENT_NAME,
    second_client: dict | None = None,
    oauth2_provider: dict | None = None,
) -> Iterator[DjangoIdp]:
    """Run the identity provider until the block ends.

    `accounts`: dicts with ``id_number``, ``name``, ``password``, ``level`` (1 or 2).
    `second_client`: ``client_id``, ``client_secret``, ``redirect_uri`` (or ``redirect_uris``),
    optionally ``client_name``, ``client_type``, ``skip_authorization``.
    `oauth2_provider`: overrides of DOT's settings (e.g. its RFC 9700 compliance switches);
    by default the server runs with the configuration in interop/django_oauth_toolkit/settings.py.
    """
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    tls = Tls.issue(workdir / "tls")
    env = dict(os.environ)
    env.pop("DJANGO_SETTINGS_MODULE", None)

    def secret(name: str, value: str) -> str:
        env[name] = value
        return name

    clients = [{
        "client_id": client_id,
        "client_secret_env": secret("DOT_IDP_CLIENT_SECRET_0", client_secret),
        "redirect_uris": [redirect_uri],
        "name": client_name,
    }]
    if second_client is not None:
        extra = {k: v for k, v in second_client.items()
                 if k not in ("client_secret", "client_name")}
        extra["client_secret_env"] = secret("DOT_IDP_CLIENT_SECRET_1",
                                            second_client["client_secret"])
        extra["name"] = second_client.get("client_name", second_client["client_id"])
        clients.append(extra)
    config = {
        "data_dir": str(workdir / "data"),
        "tls": {"cert_file": str(tls.cert_file), "key_file": str(tls.key_file)},
        "clients": clients,
        "accounts": [
            {"id_number": a["id_number"], "name": a["name"], "level": a["level"],
             "password_env": secret(f"DOT_IDP_PASSWORD_{i}", a["password"])}
            for i, a in enumerate(accounts)
        ],
        "oauth2_provider": dict(oauth2_provider or {}),
    }
    config_file = workdir / "dot-idp.json"
    config_file.write_text(json.dumps(config, ensure_ascii=False, indent=2), encoding="utf-8")
    stderr_file = workdir / "dot-idp.log"

    with stderr_file.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "interop.django_oauth_toolkit", str(config_file)],
            cwd=PROJECT_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=stderr, text=True, encoding="utf-8",
        )
    try:
        line = ready_url(process, stderr_file, what="django-oauth-toolkit IdP",
                         timeout=READY_TIMEOUT_S, error=IdpStartError, prefix="https://")
        yield DjangoIdp(issuer=line.strip(), ca_file=tls.ca_file, tls=tls,
                        config_file=config_file, stderr_file=stderr_file, process=process)
    finally:
        stop(process)
