"""App links are verified: each app's origin vouches for the app that claims its hand-over link.

A phone lets an app open an https link only after the link's own origin serves an association
file naming that app: Android's Digital Asset Links (`/.well-known/assetlinks.json`) and iOS's
associated domains (`/.well-known/apple-app-site-association`). Without them any app could
claim the link, or the link opens in the browser instead of the app (APP-01, RFC 8252 §7.2).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest

from fixtures.checks import ConformanceFailure, KitError, needs

# The notice's apps (Android package names, as their store links name them; APP-05).
VSSID_PACKAGE = "com.bhxhapp"
VNEID_PACKAGE = "com.vnid"
HANDLE_ALL_URLS = "delegate_permission/common.handle_all_urls"
ASSETLINKS_PATH = "/.well-known/assetlinks.json"
AASA_PATH = "/.well-known/apple-app-site-association"
SHA256_FINGERPRINT = re.compile(r"(?:[0-9A-F]{2}:){31}[0-9A-F]{2}")
# An iOS app id is the 10-character team id, a dot and the bundle id.
IOS_APP_ID = re.compile(r"[A-Z0-9]{10}\.[A-Za-z0-9.-]+")
REQ = "APP-01"


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@pytest.fixture
def association_http(systems, exchange_log) -> Iterator[httpx.Client]:
    """A client that, like a phone's verifier, never follows a redirect."""
    client = exchange_log.attach_to(
        httpx.Client(verify=systems.verify, timeout=15.0, follow_redirects=False))
    try:
        yield client
    finally:
        client.close()


def vssid_callback_link(request: pytest.FixtureRequest) -> str:
    """The callback VssID really hands over with: the redirect_uri of its authorization request."""
    redirect_uri = request.getfixturevalue("rp").start().param("redirect_uri")
    needs(redirect_uri, "VssID's authorization request names no redirect_uri, the link "
          "whose association files this test reads", fix="the authorization request is judged "
          "by suites/rp (test_authorization_request.py); once it names its redirect_uri, this "
          "test runs")
    return redirect_uri


def vneid_authorize_link(request: pytest.FixtureRequest) -> str:
    """The VNeID app link: the authorization endpoint its discovery document names."""
    endpoint = request.getfixturevalue("kit_rp").metadata.get("authorization_endpoint")
    needs(isinstance(endpoint, str) and endpoint,
          "VNeID's discovery document names no authorization_endpoint, the link whose "
          "association files this test reads", fix="the discovery document is judged by "
          "suites/idp (test_tokens_and_metadata.py); once it names the endpoint, this test runs")
    return endpoint


# Each app: its name, its Android package, where the harness runs it, and its claimed link.
APPS = {
    "VssID": (VSSID_PACKAGE, "vssid_url", vssid_callback_link),
    "VNeID": (VNEID_PACKAGE, "vneid_url", vneid_authorize_link),
}


def claimed_link(app: str, request: pytest.FixtureRequest, systems) -> str:
    """The https link the hand-over uses to open `app`, on that app's own origin."""
    __tracebackhide__ = True
    _, url_field, read_link = APPS[app]
    link = read_link(request)
    if urlsplit(link).scheme != "https":
        raise ConformanceFailure(REQ, f"{app} claims an https link (only https is verifiable)",
                                 link)
    if origin(link) != origin(getattr(systems, url_field)):
        raise ConformanceFailure(REQ, f"{app}'s link on {app}'s own origin "
                                      f"{origin(getattr(systems, url_field))}", link)
    return link


def fetch_association(http: httpx.Client, url: str) -> object:
    """An association file as a phone fetches it: 200 at once, JSON, no redirect."""
    __tracebackhide__ = True
    try:
        response = http.get(url)
    except httpx.HTTPError as error:
        raise KitError(f"could not fetch {url}: {type(error).__name__}: {error}",
                       fix="the kit reaches the app's origin for every other test: is it still "
                           "running, and reachable from the kit?") from None
    if response.status_code != 200:
        where = response.headers.get("location", "")
        raise ConformanceFailure(REQ, f"{url} served directly with 200 (no redirect)",
                                 f"HTTP {response.status_code} {where}".strip())
    content_type = response.headers.get("content-type", "")
    if not content_type.startswith("application/json"):
        raise ConformanceFailure(REQ, f"{url} as application/json", content_type or "none")
    try:
        return response.json()
    except json.JSONDecodeError as exc:
        raise ConformanceFailure(REQ, f"{url} as valid JSON", str(exc)) from None


def _as_list(value: object) -> list:
    """A JSON array as a list; anything else (a string, a number, absent) as none."""
    return value if isinstance(value, list) else []


def apple_pattern_matches(pattern: str, value: str) -> bool:
    """iOS component matching: `*` any run of characters, `?` exactly one, case-sensitive."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value) is not None


def claims_path(detail: dict, path: str) -> bool:
    """Whether an applinks detail claims `path` (first matching rule wins, as on iOS)."""
    for component in _as_list(detail.get("components")):
        if isinstance(component, dict) and apple_pattern_matches(str(component.get("/", "*")),
                                                                 path):
            return component.get("exclude") is not True
    for rule in _as_list(detail.get("paths")):  # the older format: "NOT /x" excludes
        excluded = str(rule).startswith("NOT ")
        if apple_pattern_matches(str(rule).removeprefix("NOT "), path):
            return not excluded
    return False


@pytest.mark.req(REQ)
@pytest.mark.parametrize("app", list(APPS))
def test_assetlinks_lets_the_app_handle_its_links(app, request, systems, target,
                                                  association_http):
    package = APPS[app][0]
    url = origin(claimed_link(app, request, systems)) + ASSETLINKS_PATH
    statements = fetch_association(association_http, url)
    if not isinstance(statements, list):
        raise ConformanceFailure(REQ, f"{url} as a JSON list of statements",
                                 type(statements).__name__)
    for_app = [s for s in statements if isinstance(s, dict)
               and isinstance(s.get("target"), dict)
               and s["target"].get("namespace") == "android_app"
               and s["target"].get("package_name") == package]
    if not for_app:
        named = [s.get("target", {}).get("package_name") for s in statements
                 if isinstance(s, dict) and isinstance(s.get("target"), dict)]
        raise ConformanceFailure(REQ, f"a statement for the Android app {package} "
                                      f"({target.name})", f"packages named: {named}")
    verified = [s for s in for_app if HANDLE_ALL_URLS in _as_list(s.get("relation"))]
    if not verified:
        raise ConformanceFailure(REQ, f"relation {HANDLE_ALL_URLS} for {package}",
                                 str([s.get("relation") for s in for_app]))
    fingerprints = [f for s in verified
                    for f in _as_list(s["target"].get("sha256_cert_fingerprints"))]
    if not any(isinstance(f, str) and SHA256_FINGERPRINT.fullmatch(f) for f in fingerprints):
        raise ConformanceFailure(REQ, f"a SHA-256 signing certificate fingerprint for {package} "
                                      "(32 uppercase hex bytes with colons)", str(fingerprints))


@pytest.mark.req(REQ)
@pytest.mark.parametrize("app", list(APPS))
def test_apple_association_claims_the_hand_over_path(app, request, systems, association_http):
    link = claimed_link(app, request, systems)
    url = origin(link) + AASA_PATH
    document = fetch_association(association_http, url)
    applinks = document.get("applinks") if isinstance(document, dict) else None
    details = applinks.get("details") if isinstance(applinks, dict) else None
    if not isinstance(details, list) or not details:
        raise ConformanceFailure(REQ, f"{url} with applinks.details", json.dumps(document)[:300])
    path = urlsplit(link).path
    claiming = [d for d in details if isinstance(d, dict) and claims_path(d, path)]
    if not claiming:
        raise ConformanceFailure(REQ, f"an applinks entry claiming {path} (the path {app}'s "
                                      "hand-over uses)", json.dumps(details)[:500])
    app_ids = [a for d in claiming for a in (_as_list(d.get("appIDs")) or [d.get("appID")])
               if a]
    if not any(isinstance(a, str) and IOS_APP_ID.fullmatch(a) for a in app_ids):
        raise ConformanceFailure(REQ, f"an app id <TEAMID>.<bundle id> claiming {path}",
                                 str(app_ids))
