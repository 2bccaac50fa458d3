"""The local Appium server: starts on loopback, answers /status, stops; its log keeps no secrets."""

from __future__ import annotations

import socket

import httpx
import pytest

from fixtures.appium_server import local_appium_server, redact_log_line
from fixtures.devices import build_capabilities, load_profile

PASSWORD = "Matkhau@2023"


@pytest.mark.parametrize(("line", "secret"), [
    ('[HTTP] --> POST /session/1/element/2/value {"text":"Matkhau@2023","value":["M","a"]}',
     "Matkhau@2023"),
    ("[Chromium] Proxying [GET /url] with body: "
     '{"value":"https://127.0.0.1:1/app/vneid/callback?code=Zq9xAbC&state=s3cr3tState&iss=x"}',
     "Zq9xAbC"),
    ("[AppiumDriver] Calling AppiumDriver.setValue() with args: [\"246810\",\"el-1\"]", "246810"),
    ("GET /authorize?client_id=vssid&nonce=n0nc3value&code_challenge=abcDEF123", "n0nc3value"),
])
def test_log_lines_lose_typed_text_and_protocol_values(line, secret):
    redacted = redact_log_line(line)
    assert secret not in redacted
    assert "[redacted]" in redacted


def test_known_secrets_are_removed_wherever_they_appear():
    assert redact_log_line("something 246810 else", ("246810",)) == "something [redacted] else"


def test_the_server_starts_answers_and_stops_and_its_log_has_no_typed_password(tmp_path):
    from appium import webdriver
    from appium.options.common import AppiumOptions

    log = tmp_path / "appium.log"
    with local_appium_server(log, secrets=()) as server:
        assert server.url.startswith("http://127.0.0.1:")
        assert httpx.get(f"{server.url}/status").json()["value"]["ready"] is True
        port = int(server.url.rsplit(":", 1)[1])
        with socket.socket() as probe:
            probe.settimeout(0.5)
            probe.connect(("127.0.0.1", port))
        caps = build_capabilities(load_profile("emulated"))
        from fixtures.appium_server import free_loopback_port

        caps["appium:chromedriverPort"] = free_loopback_port()
        session = webdriver.Remote(server.url, options=AppiumOptions().load_capabilities(caps))
        try:
            session.get("data:text/html,<input data-testid=password type=password>")
            session.find_element("css selector", '[data-testid="password"]').send_keys(PASSWORD)
        finally:
            session.quit()
        mark = server.log_mark()
    text = log.read_text("utf-8")
    assert "/value" in text, "the typing step should be in the log (redacted)"
    assert PASSWORD not in text
    assert "shutting down" in server.log_since(mark), "the slice after the mark shows the stop"
    with socket.socket() as probe, pytest.raises(OSError):
        probe.settimeout(0.5)
        probe.connect(("127.0.0.1", port))
