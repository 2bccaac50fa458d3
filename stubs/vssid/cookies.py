"""Setting the app's private cookies with the same safe attributes everywhere."""

from __future__ import annotations

from starlette.responses import Response

from stubs.vssid.config import VssidConfig


def set_private_cookie(
    response: Response, config: VssidConfig, name: str, value: str, *, max_age: int
) -> None:
    """HttpOnly, SameSite=Lax (the IdP's top-level redirect must carry it), Secure on https."""
    response.set_cookie(
        name, value, max_age=max_age, path="/", httponly=True,
        secure=config.secure_cookies, samesite="lax",
    )


def clear_private_cookie(response: Response, config: VssidConfig, name: str) -> None:
    """Expire a private cookie."""
    response.delete_cookie(
        name, path="/", httponly=True, secure=config.secure_cookies, samesite="lax"
    )
