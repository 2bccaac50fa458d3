"""The association files a phone fetches before it lets the VNeID app claim its https links."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from stubs.vneid.stub_state import StubState

HANDLE_ALL_URLS = "delegate_permission/common.handle_all_urls"
# What the app_links_unverified defect names instead of the VNeID app: a package the phone
# would never match against the installed app, so the link is not verified.
UNRELATED_PACKAGE = "com.example.unrelated"


def assetlinks_document(stub: StubState) -> list[dict]:
    """Android Digital Asset Links: this origin lets the VNeID package handle its links."""
    config = stub.config
    package = (UNRELATED_PACKAGE if config.has_defect("app_links_unverified")
               else config.android_package)
    return [{
        "relation": [HANDLE_ALL_URLS],
        "target": {"namespace": "android_app", "package_name": package,
                   "sha256_cert_fingerprints": list(config.android_cert_fingerprints)},
    }]


def apple_app_site_association(stub: StubState) -> dict:
    """iOS associated domains: the app ids and the path (the app link) the app claims."""
    config = stub.config
    claimed = config.authorize_path
    return {"applinks": {"details": [{
        "appIDs": list(config.ios_app_ids),
        # iOS takes the first component that matches. The web fallback is for phones without
        # the app, so it stays in the browser; the exact path is the app link itself, and
        # "/*" what lies below it ("*" only matches after the slash there).
        "components": [{"/": claimed + "/web", "exclude": True,
                        "comment": "the web fallback stays in the browser"},
                       {"/": claimed}, {"/": claimed + "/*"}],
    }]}}


async def assetlinks(request: Request) -> Response:
    """GET /.well-known/assetlinks.json, served directly (a redirect fails verification)."""
    return JSONResponse(assetlinks_document(request.app.state.stub))


async def apple_association(request: Request) -> Response:
    """GET /.well-known/apple-app-site-association, JSON without a redirect."""
    stub: StubState = request.app.state.stub
    if stub.config.has_defect("app_links_unverified"):
        return JSONResponse({"error": "not_found", "error_description": "no association file"},
                            status_code=404)
    return JSONResponse(apple_app_site_association(stub))
