"""Rendering of the VNeID app screens from the Jinja2 templates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse

from stubs.markup import without_contract
from stubs.templating import screen_templates

TEMPLATES = screen_templates(Path(__file__).parent / "templates")

# Screens must never be cached or framed: they carry a login in progress.
_SCREEN_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
}


def render_screen(
    request: Request,
    template: str,
    *,
    screen: str,
    outcome: str | None = None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """One screen: `<body data-screen=... data-outcome=...>` plus the template's content."""
    config = request.app.state.stub.config
    response = TEMPLATES.TemplateResponse(
        request,
        template,
        {"screen": screen, "outcome": outcome, "app_name": config.app_name, **context},
        status_code=status_code,
        headers=_SCREEN_HEADERS,
    )
    return response if config.contract_markup else without_contract(response)
