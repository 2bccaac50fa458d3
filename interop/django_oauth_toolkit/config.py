"""The JSON file the server is started with, read into plain dataclasses.

Keys (secrets may be given inline or, preferably, as the name of an environment variable)::

    {
      "data_dir": "/tmp/…",                    # the SQLite database lives here
      "tls": {"cert_file": "…", "key_file": "…"},
      "port": 0,                               # optional; 0 = any free port
      "clients": [{
          "client_id": "vssid",
          "client_secret_env": "VAR",          # or "client_secret": "…"
          "redirect_uris": ["https://…/callback"],
          "name": "VssID – Bảo hiểm xã hội Việt Nam",
          "client_type": "confidential",       # optional
          "skip_authorization": false          # optional
      }],
      "accounts": [{"id_number": "001099012345", "name": "…", "level": 2,
                    "password_env": "VAR"}],  # or "password": "…"
      "oauth2_provider": {}                    # optional overrides of DOT settings
    }
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class ConfigError(ValueError):
    """The config file is unusable; the message says which key."""


@dataclass(frozen=True)
class Client:
    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...]
    name: str
    client_type: str = "confidential"
    skip_authorization: bool = False


@dataclass(frozen=True)
class Account:
    id_number: str
    name: str
    password: str
    level: int


@dataclass(frozen=True)
class ServerConfig:
    data_dir: Path
    cert_file: Path
    key_file: Path
    clients: tuple[Client, ...]
    accounts: tuple[Account, ...]
    port: int = 0
    oauth2_provider: dict[str, Any] = field(default_factory=dict)


def _secret(entry: dict[str, Any], key: str, where: str) -> str:
    if key in entry:
        return str(entry[key])
    variable = entry.get(f"{key}_env")
    if not variable:
        raise ConfigError(f"{where}: give {key!r} or {key + '_env'!r}")
    value = os.environ.get(variable)
    if value is None:
        raise ConfigError(f"{where}: environment variable {variable} is not set")
    return value


def _client(entry: dict[str, Any], index: int) -> Client:
    where = f"clients[{index}]"
    uris = entry.get("redirect_uris") or ([entry["redirect_uri"]] if "redirect_uri" in entry
                                          else [])
    if not uris:
        raise ConfigError(f"{where}: no redirect_uris")
    try:
        return Client(
            client_id=str(entry["client_id"]),
            client_secret=_secret(entry, "client_secret", where),
            redirect_uris=tuple(str(uri) for uri in uris),
            name=str(entry.get("name") or entry.get("client_name") or entry["client_id"]),
            client_type=str(entry.get("client_type", "confidential")),
            skip_authorization=bool(entry.get("skip_authorization", False)),
        )
    except KeyError as missing:
        raise ConfigError(f"{where}: missing {missing}") from None


def _account(entry: dict[str, Any], index: int) -> Account:
    where = f"accounts[{index}]"
    try:
        level = int(entry["level"])
        id_number = str(entry["id_number"])
        name = str(entry["name"])
    except (KeyError, ValueError) as problem:
        raise ConfigError(f"{where}: {problem}") from None
    if level not in (1, 2):
        raise ConfigError(f"{where}: level must be 1 or 2, not {level}")
    return Account(id_number, name, _secret(entry, "password", where), level)


def load(path: Path) -> ServerConfig:
    """Read and check the config file at `path`."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as problem:
        raise ConfigError(f"{path}: {problem}") from None
    try:
        tls = raw["tls"]
        return ServerConfig(
            data_dir=Path(raw["data_dir"]),
            cert_file=Path(tls["cert_file"]),
            key_file=Path(tls["key_file"]),
            clients=tuple(_client(c, i) for i, c in enumerate(raw.get("clients", []))),
            accounts=tuple(_account(a, i) for i, a in enumerate(raw.get("accounts", []))),
            port=int(raw.get("port", 0)),
            oauth2_provider=dict(raw.get("oauth2_provider", {})),
        )
    except KeyError as missing:
        raise ConfigError(f"{path}: missing {missing}") from None
