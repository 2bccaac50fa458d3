"""The simulated phone's VssID device state, carried in the vssid_device cookie."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode

from starlette.requests import Request
from starlette.responses import Response

from stubs.vssid.screens import render_screen
from stubs.vssid.stub_state import StubState

# The harness may set odd versions on purpose (to prove the gate refuses them), so the
# cookie keeps any short printable value and the gate decides.
_PRINTABLE = re.compile(r"^[\x21-\x7e]{1,64}$")


def device_version(request: Request, state: StubState) -> str:
    """The VssID version installed on the device the request comes from."""
    raw = request.cookies.get(state.config.device_cookie)
    if raw:
        values = parse_qs(raw).get("vssid_version")
        if values and _PRINTABLE.fullmatch(values[0]):
            return values[0]
    return state.config.default_app_version


async def set_device(request: Request) -> Response:
    """GET /_device?vssid_version=X sets the device state; ?reset=1 clears it."""
    state: StubState = request.app.state.vssid
    cookie = state.config.device_cookie
    params = request.query_params
    if params.get("reset") == "1":
        response = render_screen(request, "device.html", screen="vssid-device",
                                 context={"version": state.config.default_app_version})
        response.delete_cookie(cookie, path="/")
        return response
    version = params.get("vssid_version", device_version(request, state))
    if not _PRINTABLE.fullmatch(version):
        version = state.config.default_app_version
    response = render_screen(request, "device.html", screen="vssid-device",
                             context={"version": version})
    response.set_cookie(cookie, urlencode({"vssid_version": version}), path="/",
                        samesite="lax", secure=state.config.secure_cookies)
    return response
