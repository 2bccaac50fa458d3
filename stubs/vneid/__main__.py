"""Run the stub VNeID standalone: `python -m stubs.vneid --config FILE --port 0 [--tls]`.

Secrets are best given through the environment (`VNEID_CLIENT_SECRET`,
`VNEID_CONTROL_TOKEN`): a command line is visible to every user of the machine. A flag, when
given, wins over the environment.
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
from stubs.settings import ConfigError, replace_settings
from stubs.vneid.app import create_app
from stubs.vneid.config import ClientRegistration, load_config

LOOPBACK = ("127.0.0.1", "::1", "localhost")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m stubs.vneid", description=__doc__)
    parser.add_argument("--config", type=Path, help="TOML settings file (see README)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default loopback)")
    parser.add_argument("--port", type=int, default=0, help="port to bind (0 = any free port)")
    parser.add_argument("--issuer", help="public issuer URL (default: scheme://host:port)")
    parser.add_argument("--tls", action="store_true", help="serve HTTPS with a trustme local CA")
    parser.add_argument("--ca-out", type=Path, help="where to write the CA PEM (with --tls)")
    parser.add_argument("--client-id", help="register one client (with the three below)")
    parser.add_argument("--client-name", default=None)
    parser.add_argument("--client-secret", default=os.environ.get("VNEID_CLIENT_SECRET"),
                        help="secret of --client-id (default: $VNEID_CLIENT_SECRET)")
    parser.add_argument("--redirect-uri", action="append", default=[],
                        help="a redirect URI of --client-id (repeatable)")
    parser.add_argument("--control-token", default=os.environ.get("VNEID_CONTROL_TOKEN"),
                        help="enable the control plane with this bearer token "
                             "(default: $VNEID_CONTROL_TOKEN)")
    parser.add_argument("--plain-markup", action="store_true",
                        help="screens without the kit's contract attributes (to prove a "
                             "target's [idp.locators]; only for the kit's own tests)")
    parser.add_argument("--defect", action="append", default=[],
                        help="switch on a seeded defect (repeatable; for the kit's own tests)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, bind, build the app, serve until interrupted."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)
    for handler in logging.getLogger().handlers:  # a second line behind never logging secrets
        handler.addFilter(RedactingFilter())
    sock = bind_socket(args.host, args.port)
    port = sock.getsockname()[1]
    scheme = "https" if args.tls else "http"
    issuer = args.issuer or f"{scheme}://{url_host(args.host)}:{port}"
    overrides: dict = {"issuer": issuer}
    if args.control_token:
        overrides["control_token"] = args.control_token
    if args.defect:
        overrides["defects"] = frozenset(args.defect)
    if args.plain_markup:
        overrides["contract_markup"] = False
    try:
        config = load_config(args.config, **overrides)
        if args.client_id:
            if not (args.client_secret and args.redirect_uri):
                raise ConfigError("--client-id needs a secret (--client-secret=VALUE or "
                                  "$VNEID_CLIENT_SECRET) and --redirect-uri")
            extra = ClientRegistration(client_id=args.client_id,
                                       client_name=args.client_name or args.client_id,
                                       client_secret=args.client_secret,
                                       redirect_uris=tuple(args.redirect_uri))
            others = tuple(c for c in config.clients if c.client_id != args.client_id)
            config = replace_settings(config, clients=(*others, extra))
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    if config.control_token and args.host not in LOOPBACK:
        print("warning: the control plane is reachable beyond loopback", file=sys.stderr)
    if config.defects:
        print(f"warning: seeded defects on: {sorted(config.defects)}", file=sys.stderr)
    tls = None
    if args.tls:
        tls = issue_local_tls(["127.0.0.1", "localhost", "::1", args.host], ca_out=args.ca_out)
        print(f"CA certificate: {tls.ca_file}", file=sys.stderr, flush=True)
    # Access logs would carry codes and state in query strings: off (uvicorn_server's default).
    server = uvicorn_server(create_app(config), cert_file=tls.cert_file if tls else None,
                            key_file=tls.key_file if tls else None)
    serve_until_stopped(server, sock, issuer)
    return 0


if __name__ == "__main__":
    sys.exit(main())
