"""The simulated phone: whether VNeID is installed and which version, kept in a cookie."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, unquote

from starlette.requests import Request
from starlette.responses import Response

from stubs.params import query_params, single_values
from stubs.vneid.errors import ScreenError
from stubs.vneid.screens import render_screen

DEFAULT_INSTALLED = True
DEFAULT_VERSION = "2.1.0"


@dataclass(frozen=True)
class DeviceState:
    """What the phone says about the VNeID app."""

    installed: bool = DEFAULT_INSTALLED
    version: str = DEFAULT_VERSION

    def to_cookie(self) -> str:
        """The cookie value; the version is kept verbatim (even unparsable) for the gate."""
        return ("1" if self.installed else "0") + "|" + quote(self.version, safe="")

    @classmethod
    def from_cookie(cls, value: str | None) -> DeviceState:
        """The device state from the cookie; defaults when absent or unreadable."""
        if not value or "|" not in value:
            return cls()
        installed, _, version = value.partition("|")
        return cls(installed != "0", unquote(version) or DEFAULT_VERSION)


def device_state(request: Request) -> DeviceState:
    """The device state of the phone making this request."""
    return DeviceState.from_cookie(request.cookies.get(request.app.state.stub.config.device_cookie))


async def set_device(request: Request) -> Response:
    """GET /_device?vneid_installed=0|1&vneid_version=X, or ?reset=1."""
    config = request.app.state.stub.config
    values = single_values(query_params(request, max_bytes=config.max_body_bytes,
                                        max_value_length=64))
    current = device_state(request)
    if values.get("reset") == "1":
        current = DeviceState()
    else:
        installed = values.get("vneid_installed")
        if installed is not None and installed not in ("0", "1"):
            raise ScreenError("vneid_installed phải là 0 hoặc 1.", screen="vneid-device")
        version = values.get("vneid_version")
        if version is not None and (not version or not version.isprintable()):
            raise ScreenError("vneid_version không hợp lệ.", screen="vneid-device")
        current = DeviceState(
            current.installed if installed is None else installed == "1",
            current.version if version is None else version,
        )
    response = render_screen(request, "device.html", screen="vneid-device",
                             installed=current.installed, version=current.version)
    if values.get("reset") == "1":
        response.delete_cookie(config.device_cookie, path="/")
    else:
        response.set_cookie(config.device_cookie, current.to_cookie(), path="/", samesite="lax",
                            httponly=True)
    return response
