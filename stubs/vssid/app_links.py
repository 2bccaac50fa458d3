"""The association files a phone fetches before it lets VssID claim its https callback link."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from stubs.vssid.config import VssidConfig
from stubs.vssid.errors import error_json
from stubs.vssid.stub_state import StubState

HANDLE_ALL_URLS = "delegate_permission/common.handle_all_urls"
DEFECT = "app_links_unverified"
# What the defect names instead of the VssID app: a package the phone would never match
# against the installed app, so the callback link is not verified.
UNRELATED_PACKAGE = "com.example.unrelated"


def assetlinks_document(config: VssidConfig) -> list[dict]:
    """Android Digital Asset Links: this origin lets the VssID package handle its links."""
    package = UNRELATED_PACKAGE if config.has_defect(DEFECT) else config.android_package
    return [{
        "relation": [HANDLE_ALL_URLS],
        "target": {"namespace": "android_app", "package_name": package,
                   "sha256_cert_fingerprints": list(config.android_cert_fingerprints)},
    }]


def apple_app_site_association(config: VssidConfig) -> dict:
    """iOS associated domains: the app ids and the callback path the app claims."""
    claimed = config.redirect_path
    return {"applinks": {"details": [{
        "appIDs": list(config.ios_app_ids),
        # The exact path is the callback itself; "/*" adds what lies below it, since iOS
        # only matches "*" after the slash there.
        "components": [{"/": claimed}, {"/": claimed + "/*"}],
    }]}}


async def assetlinks(request: Request) -> Response:
    """GET /.well-known/assetlinks.json, served directly (a redirect fails verification)."""
    state: StubState = request.app.state.vssid
    return JSONResponse(assetlinks_document(state.config))


async def apple_association(request: Request) -> Response:
    """GET /.well-known/apple-app-site-association, JSON without a redirect."""
    state: StubState = request.app.state.vssid
    if state.config.has_defect(DEFECT):
        return error_json(404, "not_found", "no association file")
    return JSONResponse(apple_app_site_association(state.config))
