"""The kit assumes no path of the reference VssID of a relying party it did not write, and reads
"who is logged in" however the RP shows it (fixtures/drivers/rp_session.py)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from fixtures.config import DEFAULT_TARGET, TargetFileError, load_target
from fixtures.drivers.http_driver import HttpDriver
from fixtures.drivers.rp_session import RpContract, RpSession, read_session, shows_id_number
from fixtures.servers import STUB_LOGIN_PATH, STUB_SESSION_PATH, rp_contract
from fixtures.verdicts import KitError
from tests.targets import embedded_target, write_target

ROOT = Path(__file__).resolve().parents[2]
# Every path the reference VssID serves its contract on (stubs/vssid/README.md, "Endpoints").
REFERENCE_PATHS = re.compile(r"/app/(login|logout|home|register|vneid/start|vneid/callback)\b"
                             r"|/api/(session|vneid/start)\b")
# The one module that knows the reference VssID's paths: it starts the embedded stub.
ALLOWED = {ROOT / "fixtures" / "servers.py"}


def test_no_path_of_the_reference_vssid_outside_the_module_that_starts_it():
    found = [f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
             for folder in ("suites", "fixtures") for path in sorted((ROOT / folder).rglob("*.py"))
             if path not in ALLOWED
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if REFERENCE_PATHS.search(line)]
    assert not found, "a literal path of the reference VssID:\n" + "\n".join(found)


def test_the_grep_sees_a_planted_path(tmp_path):
    # The pattern is what holds the rule: it must catch each form the stub's paths take.
    for text in ('"/app/login"', "f'{base}/app/vneid/callback?code=x'", "/api/session",
                 "POST /app/vneid/start"):
        assert REFERENCE_PATHS.search(text), text
    assert not REFERENCE_PATHS.search('"/dang-nhap" "/oidc/callback/vneid" "/api/whoami"')


def _external_rp(tmp_path: Path, rp_keys: str) -> Path:
    target = tmp_path / "rp.toml"
    target.write_text(f'''name = "an-rp"
[rp]
kind = "external"
url = "https://127.0.0.1:1"
{rp_keys}
[rp.client]
client_id = "vssid"
client_secret_env = "KIT_TEST_PATHS_SECRET"
redirect_uri = "https://127.0.0.1:1/cb"
''', encoding="utf-8")
    return target


@pytest.mark.parametrize(("keys", "named"), [
    ('session_page = "/home"', "rp.login_path"),
    ('login_path = "/signin"', "rp.session_page"),
    ('login_path = "signin"\nsession_page = "/home"', "rp.login_path"),
    ('login_path = "/signin"\nsession_page = "/home"\nlogout_method = "DELETE"',
     "rp.logout_method"),
])
def test_an_external_rp_must_say_where_its_screens_are(tmp_path, monkeypatch, keys, named):
    monkeypatch.setenv("KIT_TEST_PATHS_SECRET", "s")
    with pytest.raises(TargetFileError, match=re.escape(named)):
        load_target(_external_rp(tmp_path, keys))


def test_only_the_embedded_rp_gets_the_reference_paths(tmp_path, monkeypatch):
    embedded = rp_contract(load_target(DEFAULT_TARGET))
    assert (embedded.login_path, embedded.session_path) == (STUB_LOGIN_PATH, STUB_SESSION_PATH)
    monkeypatch.setenv("KIT_TEST_PATHS_SECRET", "s")
    external = rp_contract(load_target(_external_rp(
        tmp_path, 'login_path = "/signin"\nsession_page = "/me"\nlogout_path = "/bye"\n'
                  'logout_method = "GET"')))
    assert external == RpContract(login_path="/signin", session_page="/me",
                                  logout_path="/bye", logout_method="GET")


@pytest.mark.parametrize(("shown", "id_number", "same"), [
    ("084190012345", "084190012345", True),            # shown in full
    ("0841 9001 2345", "084190012345", True),          # in groups
    ("084******345", "084190012345", True),            # the reference VssID's mask
    ("084******345", "084190012346", False),
    ("********2345", "084190012345", True),            # the last four
    ("********2345", "001095004321", False),
    ("084•••••••45", "084190012345", True),            # its own character and split
    ("084•••••••45", "079088006789", False),
    ("084…345", "084190012345", True),                 # shortened
    ("084…345", "084190012346", False),
    ("084190012345x", "084190012345", False),          # one character too many
    ("", "084190012345", False),
    ("084190012346", "084190012345", False),           # another number, in full
    ("************", "084190012345", True),            # nothing shown: cannot tell them apart
])
def test_an_id_number_is_read_however_it_is_masked(shown, id_number, same):
    assert shows_id_number(shown, id_number) is same


def test_a_session_without_an_id_number_cannot_say_whose_it_is():
    assert RpSession(False).is_of("084190012345") is False
    with pytest.raises(pytest.skip.Exception, match="shows no ID number"):
        RpSession(True, None, "Nguyễn Thị Thu Hà").is_of("084190012345")
    assert "Nguyễn" not in repr(RpSession(True, "084******345", "Nguyễn Thị Thu Hà"))


def test_a_contract_without_a_way_to_read_the_session_is_the_kits_error():
    with pytest.raises(KitError, match="session_page"):
        RpContract(login_path="/signin")


HOME = ('<html><body data-screen="vssid-home"><p data-testid="home-name">Hà</p>'
        '<p data-testid="home-id-number">********2345</p></body></html>')
LOGIN = '<html><body data-screen="vssid-login"><form></form></body></html>'
LOST = '<html><body><h1>404</h1></body></html>'


def _driver(pages: dict[str, tuple[int, str, dict[str, str]]]) -> HttpDriver:
    def answer(request: httpx.Request) -> httpx.Response:
        status, body, headers = pages.get(request.url.path, (404, LOST, {}))
        return httpx.Response(status, text=body,
                              headers={"content-type": "text/html; charset=utf-8", **headers})

    client = httpx.Client(transport=httpx.MockTransport(answer))
    return HttpDriver(client, allowed_origins=("https://rp.test",))


def test_a_session_page_read_as_a_person_sees_it():
    contract = RpContract(login_path="/signin", session_page="/me")
    logged_in = read_session(_driver({"/me": (200, HOME, {})}), "https://rp.test", contract)
    assert logged_in.logged_in and logged_in.is_of("084190012345")
    assert not logged_in.is_of("001095004321")
    sent_away = _driver({"/me": (303, "", {"location": "/signin"}), "/signin": (200, LOGIN, {})})
    assert read_session(sent_away, "https://rp.test", contract) == RpSession(False)
    with pytest.raises(KitError, match="neither its home screen"):
        read_session(_driver({}), "https://rp.test", contract)


def test_the_rp_suite_reads_the_embedded_rp_from_its_home_page_alone(tmp_path):
    """One proof without the session endpoint: the reference VssID's session read only from
    its home screen (and the login screen it sends anyone else to) passes the RP suite's
    session checks (its contract then names no session endpoint to ask)."""
    target = write_target(embedded_target(rp={"session_page": "/app/home"}),
                          tmp_path / "no-session-endpoint.toml")
    assert rp_contract(load_target(target)).session_path is None
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "suites/rp/test_happy_path.py",
         "suites/rp/test_account_linking.py", "-q", "-p", "no:randomly", "--target",
         str(target), "--conformance-report", str(tmp_path / "out"),
         "-o", "addopts=-p no:cacheprovider"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout[-3000:]
    assert " passed" in done.stdout and "failed" not in done.stdout
