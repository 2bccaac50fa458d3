"""Which of the stub VNeID's https links its app claims (the files: stubs/app_links.py)."""

from __future__ import annotations

from stubs.app_links import association_routes
from stubs.vneid.config import VneidConfig


def claimed_components(config: VneidConfig) -> list[dict]:
    """iOS takes the first component that matches. The web fallback is for phones without the
    app, so it stays in the browser; the exact path is the app link itself, and "/*" what
    lies below it ("*" only matches after the slash there)."""
    claimed = config.authorize_path
    return [{"/": claimed + "/web", "exclude": True,
             "comment": "the web fallback stays in the browser"},
            {"/": claimed}, {"/": claimed + "/*"}]


ROUTES = association_routes(claimed_components)
