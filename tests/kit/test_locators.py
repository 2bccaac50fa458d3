"""Locator tables: an external system's own screens read without the kit's contract attributes."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from fixtures.config import Locator, TargetFileError, load_target
from fixtures.drivers.app_driver import ScreenError
from fixtures.drivers.http_driver import HttpDriver
from fixtures.drivers.screens import OutcomeScreen, VssidLogin, arrive

# A vendor's screens: no data-testid, no data-screen, no data-outcome; told apart by words.
LOGIN = """<html><body><main><h1>Đăng nhập</h1>
<form method="post" action="/start"><input type="hidden" name="v" value="1.6.7">
<input class="who" name="note"><button class="primary">Đăng nhập bằng VNeID</button></form>
</main></body></html>"""


def outcome_page(title: str, message: str) -> str:
    return (f"<html><body><main><h2 class='title'>{title}</h2><p>{message}</p>"
            "<a class='btn' href='/'>Quay lại</a></main></body></html>")


async def login(request: Request) -> HTMLResponse:
    return HTMLResponse(LOGIN)


async def start(request: Request) -> RedirectResponse:
    form = await request.form()
    return RedirectResponse(f"/refused?note={form['note']}&v={form['v']}", 303)


async def refused(request: Request) -> HTMLResponse:
    note = request.query_params["note"]
    return HTMLResponse(outcome_page("Cần tài khoản   mức 2", f"ghi chú: {note}"))


async def both(request: Request) -> HTMLResponse:
    return HTMLResponse(outcome_page("Cần tài khoản mức 2", "Đăng nhập không thành công"))


TABLE = {
    "screen:vssid-login": Locator(css="form[action='/start']"),
    "vneid-login": Locator(css="form[action='/start'] button.primary"),
    "outcome-message": Locator(css="h2.title + p"),
    "back-to-login": Locator(css="a.btn", text="Quay lại"),
    "outcome:LEVEL2_REQUIRED": Locator(css="h2.title", text="cần tài khoản MỨC 2"),
    "outcome:PROTOCOL_ERROR": Locator(css="main", text="Đăng nhập không thành công"),
}


@pytest.fixture
def client():
    app = Starlette(routes=[Route("/", login), Route("/start", start, methods=["POST"]),
                            Route("/refused", refused), Route("/both", both)])
    with TestClient(app, base_url="https://rp.test") as http:
        yield http


def rp_driver(client: TestClient, table: dict[str, Locator]) -> HttpDriver:
    """A phone tab on the vendor's screens, read by `table` there and by the contract elsewhere."""
    return HttpDriver(client, allowed_origins=("https://rp.test", "https://idp.test"),
                      locators={"https://rp.test": table})


def test_screens_outcomes_and_controls_are_found_by_the_table_alone(client):
    driver = rp_driver(client, TABLE)
    driver.open("https://rp.test/")
    login_screen = arrive(driver)
    assert isinstance(login_screen, VssidLogin) and login_screen.offers_vneid_login()
    assert login_screen.outcome is None
    screen = login_screen.choose_vneid_login()
    assert isinstance(screen, OutcomeScreen)
    # Words are read as Playwright's has_text reads them, so every driver agrees: runs of
    # white space are one space, and case is ignored.
    assert screen.outcome == "LEVEL2_REQUIRED"
    assert screen.driver.text("outcome-message") == "ghi chú:"
    assert screen.driver.attribute("back-to-login", "href") == "/"


def test_a_typed_value_is_sent_under_its_input_name(client):
    table = {**TABLE, "note": Locator(css="input.who")}
    driver = rp_driver(client, table)
    driver.open("https://rp.test/")
    driver.fill("note", "đã điền")
    driver.tap("vneid-login")
    assert driver.text("outcome-message") == "ghi chú: đã điền"
    assert "v=1.6.7" in driver.current_url()


def test_two_outcomes_matching_at_once_is_a_mistake_in_the_table(client):
    driver = rp_driver(client, TABLE)
    driver.open("https://rp.test/both")
    with pytest.raises(ScreenError, match="outcome:LEVEL2_REQUIRED, outcome:PROTOCOL_ERROR"):
        driver.body_attribute("data-outcome")


def test_a_missing_control_names_the_locator_that_found_nothing(client):
    driver = rp_driver(client, TABLE)
    driver.open("https://rp.test/refused?note=x")
    with pytest.raises(ScreenError, match=r"vneid-login.*form\[action='/start'\]"):
        driver.tap("vneid-login")


RP_HEAD = """name = "x"
[rp]
kind = "external"
url = "https://rp.test"
login_path = "/signin"
session_page = "/home"
[rp.client]
client_id = "vssid"
client_secret_env = "KIT_LOCATOR_TEST_SECRET"
redirect_uri = "https://rp.test/cb"
[rp.locators]
"""


def test_a_locator_is_a_selector_or_a_selector_with_words(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("KIT_LOCATOR_TEST_SECRET", "s")
    path = tmp_path / "rp.toml"
    path.write_text(RP_HEAD + '"vneid-login" = "button.vneid"\n'
                    '"outcome:CANCELLED" = { css = "h2", text = "Đã hủy" }\n', encoding="utf-8")
    located = load_target(path).rp.located()
    assert located == {"vneid-login": Locator(css="button.vneid"),
                       "outcome:CANCELLED": Locator(css="h2", text="Đã hủy")}


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('"consent-approve" = "button"', "key rp.locators.consent-approve: unknown name; use one "
                                         "of back-to-login"),
        ('"vneid-login" = "button:has-text(\'VNeID\')"',
         "key rp.locators.vneid-login: \"button:has-text('VNeID')\" is not a standard CSS"),
        ('"vneid-login" = "div["', "key rp.locators.vneid-login: 'div[' is not a standard CSS"),
        ('"outcome:CANCELLED" = { css = "h2", text = "  " }',
         "key rp.locators.outcome:CANCELLED.text: must not be blank"),
        ('"outcome:CANCELLED" = { css = "h2", words = "x" }',
         "unknown key"),
        ('"outcome:CANCELLED" = 3', "key rp.locators.outcome:CANCELLED: expected a CSS "
                                    'selector, or { css = "...", text = "..." }'),
    ],
)
def test_a_bad_locator_is_named_with_what_to_fix(tmp_path: Path, monkeypatch, line: str,
                                                 expected: str):
    monkeypatch.setenv("KIT_LOCATOR_TEST_SECRET", "s")
    path = tmp_path / "rp.toml"
    path.write_text(RP_HEAD + line + "\n", encoding="utf-8")
    with pytest.raises(TargetFileError) as caught:
        load_target(path)
    assert expected in str(caught.value)
    assert "\n" not in str(caught.value)
