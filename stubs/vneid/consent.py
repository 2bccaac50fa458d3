"""The consent screen and the hand-back it leads to: a code, or `access_denied`."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from stubs.params import form_params, single_values
from stubs.vneid.errors import ScreenError
from stubs.vneid.grants import Transaction
from stubs.vneid.handback import hand_back, hand_back_error
from stubs.vneid.personas import Persona
from stubs.vneid.screens import render_screen
from stubs.vneid.stub_state import StubState

EXPIRED_MESSAGE = "Phiên đăng nhập đã hết hạn hoặc không hợp lệ. Vui lòng thử lại."


def shared_items(stub: StubState, tx: Transaction) -> list[str]:
    """What the relying party will receive, in words the person understands."""
    items = ["Mã định danh tài khoản (không phải số định danh cá nhân)"]
    if "profile" in tx.request.scope:
        items += ["Họ và tên", "Ngày sinh"]
    items.append("Số định danh cá nhân")
    items.append("Mức độ định danh điện tử (mức 1 hoặc mức 2)")
    return items


def render_consent(request: Request, tx: Transaction) -> Response:
    """The consent screen naming the client (IDP-11)."""
    stub: StubState = request.app.state.stub
    client = stub.clients.get(tx.request.client_id)
    return render_screen(
        request, "consent.html", screen="vneid-consent",
        client_name=client.client_name if client else tx.request.client_id,
        shared=shared_items(stub, tx), tx=tx.id,
        action=stub.config.authorize_path + "/consent",
    )


def issue_code_and_hand_back(stub: StubState, tx: Transaction, persona: Persona) -> Response:
    """The successful end of a login: a fresh code sent back with state and iss."""
    config = stub.config
    acr = config.acr_level2 if persona.level == 2 else config.acr_level1
    grant = stub.grants.issue_code(tx, acr, config.code_ttl_seconds)
    stub.grants.end_transaction(tx)
    return hand_back(stub, tx.request.redirect_uri, tx.request.state, {"code": grant.code},
                     grant=grant)


async def consent(request: Request) -> Response:
    """POST /authorize/consent: decision=approve|decline."""
    stub: StubState = request.app.state.stub
    config = stub.config
    values = single_values(await form_params(request, max_bytes=config.max_body_bytes,
                                             max_value_length=config.max_param_length))
    tx = stub.grants.transaction(values.get("tx", ""), "consent")
    if tx is None:
        raise ScreenError(EXPIRED_MESSAGE)
    decision = values.get("decision")
    if decision == "decline":
        stub.grants.end_transaction(tx)
        error = ("interaction_required" if config.has_defect("cancel_not_access_denied")
                 else "access_denied")
        return hand_back_error(stub, tx.request.redirect_uri, tx.request.state, error,
                               "the person declined on the consent screen")
    if decision != "approve":
        raise ScreenError("Lựa chọn không hợp lệ. Vui lòng chọn Đồng ý hoặc Từ chối.")
    persona = stub.personas.by_id_number(tx.id_number or "")
    if persona is None or persona.status != "active":
        stub.grants.end_transaction(tx)
        raise ScreenError("Tài khoản không còn sử dụng được.", screen="vneid-locked",
                          outcome="VNEID_LOCKED", status_code=403)
    return issue_code_and_hand_back(stub, tx, persona)
