"""The HTTP driver against a tiny app, and the strategies against the kit's version reading."""

from __future__ import annotations

import pytest
from hypothesis import given
from starlette.applications import Starlette
from starlette.responses import HTMLResponse, RedirectResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from fixtures.drivers.app_driver import ScreenError
from fixtures.drivers.http_driver import HttpDriver
from fixtures.strategies import id_numbers, invalid_id_numbers, invalid_versions, versions
from fixtures.versions import AppVersion, InvalidVersion

FORM = """<html><body data-screen="consent"><form method="post" action="/decide">
<input type="hidden" name="tx" value="t1"><input name="note" data-testid="note" value="x">
<button name="decision" value="approve" data-testid="yes">Đồng ý</button>
<button name="decision" value="decline" data-testid="no">Từ chối</button></form>
<a href="https://play.google.com/store" data-testid="store">Cửa hàng</a></body></html>"""


async def show(request):
    return HTMLResponse(FORM)


async def decide(request):
    form = await request.form()
    return RedirectResponse(f"/done?d={form['decision']}&n={form['note']}&tx={form['tx']}", 303)


async def done(request):
    response = HTMLResponse(f'<body data-outcome="{request.query_params["d"]}">'
                            f'<p data-testid="n">{request.query_params["n"]}</p></body>')
    response.set_cookie("seen", "1")
    return response


@pytest.fixture
def driver():
    app = Starlette(routes=[Route("/", show), Route("/decide", decide, methods=["POST"]),
                            Route("/done", done)])
    with TestClient(app, base_url="https://testserver") as client:
        yield HttpDriver(client, allowed_origins=("https://testserver",))


def test_tapping_a_button_submits_its_form_with_its_own_value(driver):
    driver.open("https://testserver/")
    driver.fill("note", "ghi chú")
    driver.tap("no")
    assert driver.body_attribute("data-outcome") == "decline"
    assert driver.text("n") == "ghi chú"
    assert driver.current_url().startswith("https://testserver/done?")
    assert driver.client.cookies.get("seen") == "1"


def test_navigation_never_leaves_the_allowed_origins(driver):
    driver.open("https://testserver/")
    driver.tap("store")
    assert driver.left_the_apps and driver.current_url().startswith("https://play.google.com")
    assert driver.body_attribute("data-screen") is None


def test_missing_controls_fail_naming_the_test_id(driver):
    driver.open("https://testserver/")
    with pytest.raises(ScreenError, match="nope"):
        driver.tap("nope")
    with pytest.raises(NotImplementedError):
        driver.screenshot()


@given(versions("1.6.7"))
def test_drawn_versions_are_versions(text):
    AppVersion.parse(text)


@given(invalid_versions("1.6.7"))
def test_drawn_not_versions_are_refused(text):
    with pytest.raises(InvalidVersion):
        AppVersion.parse(text)


@given(id_numbers())
def test_id_numbers_have_the_12_digit_structure(number):
    assert len(number) == 12 and number.isdigit() and 1 <= int(number[:3]) <= 96


@given(invalid_id_numbers())
def test_invalid_id_numbers_are_not_12_digits(text):
    assert not (len(text) == 12 and text.isascii() and text.isdigit())


