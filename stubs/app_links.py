"""The association files a phone fetches before it lets an app claim a stub's https links
(APP-01): Android's Digital Asset Links and Apple's apple-app-site-association, for both stubs.

Each stub says which paths its app claims (`components`); the package, the certificate
fingerprints and the app ids come from its config (`android_package`,
`android_cert_fingerprints`, `ios_app_ids`), and both stubs' `app_links_unverified` defect
breaks the files alike. Both files are served directly: a redirect fails verification.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from stubs.settings import ConfigError

HANDLE_ALL_URLS = "delegate_permission/common.handle_all_urls"
DEFECT = "app_links_unverified"
# What the defect names instead of the stub's app: a package the phone would never match
# against the installed app, so the link is not verified.
UNRELATED_PACKAGE = "com.example.unrelated"

Components = Callable[[Any], list[dict]]
# How assetlinks.json spells a SHA-256 certificate fingerprint: 32 uppercase hex bytes.
SHA256_FINGERPRINT = re.compile(r"(?:[0-9A-F]{2}:){31}[0-9A-F]{2}")


def check_fingerprints(fingerprints: Iterable[str]) -> None:
    """A config's `android_cert_fingerprints`: at least one, each spelt as assetlinks.json
    wants it; a ConfigError naming the key else."""
    fingerprints = list(fingerprints)
    bad = [f for f in fingerprints if not SHA256_FINGERPRINT.fullmatch(f)]
    if bad or not fingerprints:
        raise ConfigError("android_cert_fingerprints: must be SHA-256 fingerprints in "
                          f"uppercase hex with colons, got {bad}")


def assetlinks_document(config: Any) -> list[dict]:
    """Android Digital Asset Links: this origin lets the app's package handle its links."""
    package = UNRELATED_PACKAGE if config.has_defect(DEFECT) else config.android_package
    return [{
        "relation": [HANDLE_ALL_URLS],
        "target": {"namespace": "android_app", "package_name": package,
                   "sha256_cert_fingerprints": list(config.android_cert_fingerprints)},
    }]


def apple_document(config: Any, components: Components) -> dict:
    """iOS associated domains: the app ids and the paths the app claims."""
    return {"applinks": {"details": [{"appIDs": list(config.ios_app_ids),
                                      "components": components(config)}]}}


def association_routes(components: Components) -> list[Route]:
    """The two /.well-known routes, reading the config of the stub's state
    (`app.state.control`); with the defect on, the Apple file is missing (404)."""

    async def assetlinks(request: Request) -> Response:
        """GET /.well-known/assetlinks.json."""
        return JSONResponse(assetlinks_document(request.app.state.control.config))

    async def apple_association(request: Request) -> Response:
        """GET /.well-known/apple-app-site-association."""
        config = request.app.state.control.config
        if config.has_defect(DEFECT):
            return JSONResponse({"error": "not_found", "error_description":
                                 "no association file"}, status_code=404,
                                headers={"Cache-Control": "no-store"})
        return JSONResponse(apple_document(config, components))

    return [Route("/.well-known/assetlinks.json", assetlinks, methods=["GET"]),
            Route("/.well-known/apple-app-site-association", apple_association,
                  methods=["GET"])]
