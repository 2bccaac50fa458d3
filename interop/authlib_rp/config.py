"""Settings of the RP: command-line flags, the client secret from the environment.

    RP_CLIENT_SECRET=... python -m interop.authlib_rp --issuer https://127.0.0.1:8443 \\
        --client-id vssid --ca-file vneid-ca.pem --tls-cert rp.pem --tls-key rp-key.pem \\
        --port 0 --accounts accounts.json --log-file rp.log [--min-version 1.6.7] \\
        [--defect NAME]

A bad setting ends the process with status 2 and one line naming the flag.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from . import versions
from .accounts import AccountBook, AccountsError

SECRET_ENV = "RP_CLIENT_SECRET"
HOST = "127.0.0.1"
CALLBACK_PATH = "/auth/return"
SCOPE = "openid profile id_number"
ACR_LEVEL2 = "urn:vn:vneid:loa:2"
ID_NUMBER_CLAIM = "id_number"
CLOCK_SKEW_S = 60
ATTEMPT_TTL_S = 300
SESSION_TTL_S = 3600
HTTP_TIMEOUT_S = 10.0
# The ID token algorithms this backend accepts, whatever the IdP's discovery document lists.
ALLOWED_ID_TOKEN_ALGS = ("ES256", "RS256")
# The version the web bundle of the app reports (the login screen's hidden field).
APP_VERSION = "1.7.0"
DEFAULT_MIN_VERSION = "1.6.7"

# One switch per run; each breaks exactly the behaviour it names (README.md).
DEFECTS = {
    "state_unchecked": "accepts a callback whatever its state (the browser's latest attempt)",
    "acr_ignored": "does not check the ID token's acr",
    "link_by_name": "finds the account by the name claim instead of id_number",
    "open_redirect": "after a successful callback, 303 to the callback's next= URL",
    "id_token_iss_unchecked": "does not check the ID token's iss",
    "aud_unchecked": "does not check the ID token's aud",
    "exp_unchecked": "does not check the ID token's exp",
    "nonce_unchecked": "does not check the ID token's nonce",
    "iss_param_unchecked": "ignores the RFC 9207 iss authorization response parameter",
    "alg_none_accepted": "accepts an unsigned ID token (alg: none)",
    "token_in_url": "after login, 303 to the home page with the access token as ?ref=",
    "code_in_log": "writes the authorization code to the log file",
    "session_kept_after_error": "opens the session before the acr / account checks, keeps it",
    "callback_reused": "does not consume the attempt: the same callback is accepted again",
    "version_as_text": "compares app versions as strings (1.6.10 < 1.6.7)",
    "userinfo_sub_unchecked": "uses userinfo's claims (its id_number too) whatever its sub",
}


class ConfigError(ValueError):
    """A setting is unusable; the message names the flag."""


@dataclass(frozen=True)
class Settings:
    issuer: str
    client_id: str
    client_secret: str
    ca_file: Path
    tls_cert: Path
    tls_key: Path
    port: int
    accounts: AccountBook
    log_file: Path
    min_version: str
    defect: str | None

    def has(self, defect: str) -> bool:
        return self.defect == defect


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m interop.authlib_rp",
        description="VssID backend on Authlib: logs people in with VNeID (OpenID Connect). "
                    f"The client secret comes from ${SECRET_ENV}.")
    p.add_argument("--issuer", required=True, help="VNeID's issuer (https, no trailing slash)")
    p.add_argument("--client-id", required=True, help="the client id registered at VNeID")
    p.add_argument("--ca-file", required=True, type=Path,
                   help="PEM of the CA to trust for the issuer's TLS")
    p.add_argument("--tls-cert", required=True, type=Path, help="this RP's certificate (PEM)")
    p.add_argument("--tls-key", required=True, type=Path, help="its private key (PEM)")
    p.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0 = any free one)")
    p.add_argument("--accounts", required=True, type=Path, help="VssID accounts (JSON)")
    p.add_argument("--log-file", required=True, type=Path, help="this RP's own log")
    p.add_argument("--min-version", default=DEFAULT_MIN_VERSION,
                   help=f"lowest VssID app version allowed (default {DEFAULT_MIN_VERSION})")
    p.add_argument("--defect", default=None, metavar="NAME",
                   help="break one behaviour on purpose: " + ", ".join(DEFECTS))
    return p


def load(argv: list[str], environ: dict[str, str] | None = None) -> Settings:
    """Settings from the command line and the environment, or ConfigError naming the flag."""
    environ = os.environ if environ is None else environ
    args = parser().parse_args(argv)
    if args.defect is not None and args.defect not in DEFECTS:
        raise ConfigError(f"--defect: unknown defect {args.defect!r}; known: "
                          + ", ".join(DEFECTS))
    issuer = args.issuer
    parts = urlsplit(issuer)
    if parts.scheme != "https" or not parts.netloc or parts.query or parts.fragment \
            or issuer.endswith("/"):
        raise ConfigError(f"--issuer: {issuer!r} is not an https issuer URL without a "
                          "trailing slash")
    if not args.client_id.strip():
        raise ConfigError("--client-id: empty")
    secret = environ.get(SECRET_ENV, "")
    if not secret:
        raise ConfigError(f"the client secret: set ${SECRET_ENV} (never a flag: a command "
                          "line is visible to every user of the machine)")
    for flag, path in (("--ca-file", args.ca_file), ("--tls-cert", args.tls_cert),
                       ("--tls-key", args.tls_key), ("--accounts", args.accounts)):
        if not path.is_file():
            raise ConfigError(f"{flag}: no file at {path}")
    if not 0 <= args.port <= 65535:
        raise ConfigError(f"--port: {args.port} is not a port number")
    if versions.parse(args.min_version) is None:
        raise ConfigError(f"--min-version: {args.min_version!r} is not a version")
    try:
        accounts = AccountBook.load(args.accounts)
    except AccountsError as problem:
        raise ConfigError(f"--accounts: {problem}") from None
    return Settings(
        issuer=issuer, client_id=args.client_id, client_secret=secret, ca_file=args.ca_file,
        tls_cert=args.tls_cert, tls_key=args.tls_key, port=args.port, accounts=accounts,
        log_file=args.log_file, min_version=args.min_version, defect=args.defect)
