"""``python -m interop.django_oauth_toolkit CONFIG.json``: start the identity provider.

Prints exactly one line on stdout, ``https://127.0.0.1:PORT`` (the issuer), once the server
accepts connections; everything else goes to stderr. Stops cleanly on SIGTERM or SIGINT.
"""

from __future__ import annotations

import asyncio
import signal
import socket
import sys
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from . import config as config_module

HOST = "127.0.0.1"

UVICORN_LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr",
                            "formatter": "plain"}},
    "loggers": {
        "uvicorn": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "uvicorn.error": {"level": "INFO"},
        "uvicorn.access": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
    },
}


def _stop(signum, frame):
    raise SystemExit(0)


def _rsa_private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def _bind(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((HOST, port))
    sock.set_inheritable(True)
    return sock


async def _serve(server, sock: socket.socket, url: str, out) -> None:
    serving = asyncio.ensure_future(server.serve(sockets=[sock]))
    while not server.started and not serving.done():
        await asyncio.sleep(0.02)
    if server.started:
        out.write(url + "\n")
        out.flush()
    await serving


def main(argv: list[str]) -> int:
    # Until uvicorn takes them over (and after it gives them back), a stop signal ends the
    # process with status 0.
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    out, sys.stdout = sys.stdout, sys.stderr  # stdout is for the URL line only
    if len(argv) != 1:
        print("usage: python -m interop.django_oauth_toolkit CONFIG.json", file=sys.stderr)
        return 2
    try:
        config = config_module.load(Path(argv[0]))
    except config_module.ConfigError as problem:
        print(f"config: {problem}", file=sys.stderr)
        return 2
    config.data_dir.mkdir(parents=True, exist_ok=True)

    sock = _bind(config.port)
    issuer = f"https://{HOST}:{sock.getsockname()[1]}"

    import django
    from django.conf import settings

    from . import settings as settings_module

    settings.configure(**settings_module.build(config, issuer, _rsa_private_key_pem()))
    django.setup()

    from django.core.asgi import get_asgi_application
    from django.core.management import call_command

    from .portal import bootstrap

    call_command("migrate", verbosity=0, interactive=False)
    bootstrap.create_accounts(config.accounts)
    bootstrap.create_applications(config.clients)

    import uvicorn

    server = uvicorn.Server(uvicorn.Config(
        get_asgi_application(), lifespan="off", log_config=UVICORN_LOGGING,
        ssl_certfile=str(config.cert_file), ssl_keyfile=str(config.key_file),
        proxy_headers=False, server_header=False, timeout_graceful_shutdown=2,
    ))
    print(f"django-oauth-toolkit identity provider at {issuer}", file=sys.stderr)
    asyncio.run(_serve(server, sock, issuer, out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
