"""Which of the reference VssID's https links its app claims: the callback (the files:
stubs/app_links.py)."""

from __future__ import annotations

from stubs.app_links import association_routes
from stubs.vssid.config import VssidConfig


def claimed_components(config: VssidConfig) -> list[dict]:
    """The exact path is the callback itself; "/*" adds what lies below it, since iOS only
    matches "*" after the slash there."""
    claimed = config.redirect_path
    return [{"/": claimed}, {"/": claimed + "/*"}]


ROUTES = association_routes(claimed_components)
