"""``python -m interop.authlib_rp --issuer URL ...``: serve the VssID backend over HTTPS.

Prints exactly one line on stdout, ``https://127.0.0.1:PORT`` (its base URL), once it accepts
connections; everything else goes to stderr and the log file. Stops cleanly on SIGTERM or
SIGINT. A bad setting: status 2 and one line naming the flag.
"""

from __future__ import annotations

import asyncio
import signal
import socket
import sys
import warnings

from authlib.deprecate import AuthlibDeprecationWarning  # installs Authlib's own filter

from . import config as config_module

# Authlib 1.9 warns once that it would rather have the `httpx2` package; plain httpx is what
# the project locks and what it falls back to. (After Authlib's own "always" filter, so this
# one comes first.)
warnings.filterwarnings("ignore", message="The httpx module is deprecated",
                        category=AuthlibDeprecationWarning)

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def _stop(signum, frame):
    raise SystemExit(0)


def _bind(port: int) -> socket.socket:
    # IPPROTO_TCP, so asyncio turns Nagle off (with proto 0 every response waits ~40 ms).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((config_module.HOST, port))
    sock.set_inheritable(True)
    return sock


def _logging(log_file) -> dict:
    """The RP's log file gets its own records and uvicorn's; stderr gets warnings. No access
    log (query strings carry codes and state); Authlib and httpx only from WARNING up
    (Authlib logs the PKCE verifier at DEBUG)."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    handlers = {
        "file": {"class": "logging.FileHandler", "filename": str(log_file),
                 "encoding": "utf-8", "formatter": "plain"},
        "stderr": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr",
                   "formatter": "plain", "level": "WARNING"},
    }
    both = ["file", "stderr"]
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": {"format": LOG_FORMAT}},
        "handlers": handlers,
        "root": {"handlers": ["file"], "level": "WARNING"},
        "loggers": {
            "authlib_rp": {"handlers": both, "level": "INFO", "propagate": False},
            "uvicorn": {"handlers": both, "level": "INFO", "propagate": False},
            "uvicorn.error": {"level": "INFO"},
            "uvicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
            "authlib": {"handlers": both, "level": "WARNING", "propagate": False},
            "httpx": {"handlers": both, "level": "WARNING", "propagate": False},
            "httpcore": {"handlers": both, "level": "WARNING", "propagate": False},
        },
    }


async def _serve(server, sock: socket.socket, url: str, out) -> None:
    serving = asyncio.ensure_future(server.serve(sockets=[sock]))
    while not server.started and not serving.done():
        await asyncio.sleep(0.02)
    if server.started:
        out.write(url + "\n")
        out.flush()
    await serving


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    out, sys.stdout = sys.stdout, sys.stderr  # stdout is for the URL line only
    try:
        settings = config_module.load(argv)
    except config_module.ConfigError as problem:
        print(f"configuration error: {problem}", file=sys.stderr)
        return 2

    import logging.config

    import uvicorn

    from .app import create_app

    logging.config.dictConfig(_logging(settings.log_file))
    sock = _bind(settings.port)
    base_url = f"https://{config_module.HOST}:{sock.getsockname()[1]}"
    app = create_app(settings, base_url)
    server = uvicorn.Server(uvicorn.Config(
        app, lifespan="off", log_config=None, access_log=False,
        ssl_certfile=str(settings.tls_cert), ssl_keyfile=str(settings.tls_key),
        proxy_headers=False, server_header=False, timeout_graceful_shutdown=2,
    ))
    logging.getLogger("authlib_rp").info(
        "VssID backend (Authlib) at %s, issuer %s, client %s%s", base_url, settings.issuer,
        settings.client_id, f", DEFECT {settings.defect}" if settings.defect else "")
    if settings.defect:
        print(f"warning: defect on: {settings.defect} ({config_module.DEFECTS[settings.defect]})",
              file=sys.stderr)
    asyncio.run(_serve(server, sock, base_url, out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
