"""Rendering of the VssID app screens, including one outcome screen per oracle outcome."""

from __future__ import annotations

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse

from stubs.markup import without_contract
from stubs.templating import screen_templates
from stubs.vssid.config import PACKAGE_DIR
from stubs.vssid.outcomes import REASON_MESSAGES, TEXT, Outcome

templates = screen_templates(PACKAGE_DIR / "templates")

_NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _markup(request: Request, response: HTMLResponse) -> HTMLResponse:
    """The response as rendered, or without the contract's attributes when so configured."""
    if request.app.state.vssid.config.contract_markup:
        return response
    return without_contract(response)


def render_screen(
    request: Request,
    template: str,
    *,
    screen: str,
    outcome: str | None = None,
    reason: str | None = None,
    context: dict | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """Render one screen with its data-screen / data-outcome markers."""
    values = {"screen": screen, "outcome": outcome, "reason": reason}
    values.update(context or {})
    response = templates.TemplateResponse(
        request, template, values, status_code=status_code, headers=_NO_STORE
    )
    return _markup(request, response)


def render_outcome(
    request: Request, outcome: Outcome, *, reason: str | None = None, status_code: int = 200,
    raw_detail: str | None = None,
) -> HTMLResponse:
    """The screen that ends an attempt with a refusal or an account-state outcome."""
    state = request.app.state.vssid
    title, message = TEXT[outcome]
    if reason in REASON_MESSAGES:
        message = REASON_MESSAGES[reason]
    if outcome is Outcome.VSSID_UPDATE_REQUIRED:
        return render_screen(
            request, "update.html", screen="vssid-update", outcome=outcome.value, reason=reason,
            context={"title": title, "message": message, "store_url": state.config.store_url},
            status_code=status_code,
        )
    return render_screen(
        request, "outcome.html", screen="vssid-outcome", outcome=outcome.value, reason=reason,
        context={
            "title": title,
            "message": message,
            "register_url": state.config.register_path
            if outcome is Outcome.NO_VSSID_ACCOUNT else None,
            "restart": outcome in (Outcome.PROTOCOL_ERROR, Outcome.IDP_ERROR),
            # Only the error_description_raw defect: the IdP's text as markup (RP-25).
            "raw_detail": Markup(raw_detail) if raw_detail else None,
        },
        status_code=status_code,
    )


def render_error_page(request: Request, status_code: int, message: str) -> HTMLResponse:
    """A plain Vietnamese error page for anything that is not part of a login attempt."""
    return _markup(request, templates.TemplateResponse(
        request, "error.html",
        {"screen": "vssid-error", "outcome": None, "reason": None,
         "title": "Đã có lỗi xảy ra", "message": message},
        status_code=status_code, headers=_NO_STORE,
    ))
