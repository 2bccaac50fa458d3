"""Run the reference VssID standalone: `python -m stubs.vssid --config FILE --issuer URL ...`.

The client secret and the control plane's token are best given through the environment
(`VSSID_CLIENT_SECRET`, `VSSID_CONTROL_TOKEN`): a command line is visible to every user of the
machine. `--client-secret` / `--control-token`, when given, win. Without a control token there
is no control plane (`/_stub/...` answers 404).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from stubs.redaction import RedactingFilter
from stubs.serving import (
    bind_socket,
    issue_local_tls,
    serve_until_stopped,
    url_host,
    uvicorn_server,
)
from stubs.vssid.accounts import AccountFileError
from stubs.vssid.app import create_app
from stubs.vssid.config import ConfigError, load_config


def _arguments() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m stubs.vssid", description=__doc__)
    parser.add_argument("--config", type=Path, help="TOML settings file (see README)")
    parser.add_argument("--issuer", help="VNeID issuer URL (overrides the file)")
    parser.add_argument("--client-id", help="client_id registered at VNeID (default vssid)")
    parser.add_argument("--client-secret", default=os.environ.get("VSSID_CLIENT_SECRET"),
                        help="client secret registered at VNeID (default: $VSSID_CLIENT_SECRET)")
    parser.add_argument("--control-token", default=os.environ.get("VSSID_CONTROL_TOKEN"),
                        help="bearer token of the control plane under /_stub (default: "
                             "$VSSID_CONTROL_TOKEN; none: no control plane)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default loopback)")
    parser.add_argument("--port", type=int, default=0, help="port to bind (0 = any free port)")
    parser.add_argument("--base-url", help="public origin (default scheme://host:real-port)")
    parser.add_argument("--tls", action="store_true", help="serve HTTPS")
    parser.add_argument("--tls-cert", type=Path, help="server certificate chain PEM (with --tls)")
    parser.add_argument("--tls-key", type=Path, help="server private key PEM (with --tls)")
    parser.add_argument("--ca-out", type=Path,
                        help="with --tls and no --tls-cert: where to write the generated CA PEM")
    parser.add_argument("--ca-file", type=Path, help="CA bundle to trust for HTTPS to VNeID")
    parser.add_argument("--defect", action="append", default=[],
                        help="switch on a defect (repeatable; only for the kit's own tests)")
    parser.add_argument("--plain-markup", action="store_true",
                        help="screens without the kit's contract attributes (to prove a "
                             "target's [rp.locators]; only for the kit's own tests)")
    parser.add_argument("--log-level", default="INFO")
    return parser


def _configure_logging(level: str, *, redacting: bool) -> dict:
    """Log to stderr, every record (uvicorn's access log too) through the redaction filter."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    if redacting:
        handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Hand uvicorn's loggers to the root handler so its access log (callback query strings
    # hold the code and state) is redacted as well.
    return {"version": 1, "disable_existing_loggers": False,
            "loggers": {name: {"handlers": [], "propagate": True}
                        for name in ("uvicorn", "uvicorn.error", "uvicorn.access")}}


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, bind, build the app, print the base URL when ready, serve."""
    args = _arguments().parse_args(argv)
    sock = bind_socket(args.host, args.port)
    port = sock.getsockname()[1]
    scheme = "https" if args.tls else "http"
    overrides = {
        "base_url": args.base_url or f"{scheme}://{url_host(args.host)}:{port}",
        "issuer": args.issuer,
        "client_id": args.client_id,
        "client_secret": args.client_secret,
        "control_token": args.control_token,
        "ca_file": args.ca_file,
        "defects": frozenset(args.defect) if args.defect else None,
        "contract_markup": False if args.plain_markup else None,
    }
    try:
        config = load_config(args.config, **overrides)
        app = create_app(config)
    except (ConfigError, AccountFileError) as exc:
        hint = (" (give it as $VSSID_CLIENT_SECRET, or --client-secret=VALUE)"
                if str(exc).startswith("client_secret:") else "")
        print(f"configuration error: {exc}{hint}", file=sys.stderr)
        sock.close()
        return 2
    log_config = _configure_logging(args.log_level,
                                    redacting=not config.has_defect("secrets_logged"))
    if config.defects:
        print(f"warning: defects switched on: {sorted(config.defects)}", file=sys.stderr)
    cert_file = key_file = None
    if args.tls:
        if args.tls_cert and args.tls_key:
            cert_file, key_file = args.tls_cert, args.tls_key
        else:
            local = issue_local_tls(["127.0.0.1", "localhost", args.host], ca_out=args.ca_out,
                                    organization="reference VssID local CA")
            print(f"CA certificate: {local.ca_file}", file=sys.stderr, flush=True)
            cert_file, key_file = local.cert_file, local.key_file
    # The access log stays on here, through the redacting handler (query strings hold codes).
    server = uvicorn_server(app, cert_file=cert_file, key_file=key_file,
                            log_level=args.log_level, log_config=log_config, access_log=True)
    serve_until_stopped(server, sock, config.base_url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
