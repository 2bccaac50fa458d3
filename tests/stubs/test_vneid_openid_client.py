"""openid-client (npm), a certified relying-party library, logs in through the stub VNeID.

The stub runs standalone on a loopback TLS socket; node does discovery, the authorization URL
(PKCE S256, state, nonce, acr_values) and the code redemption with full ID token validation;
the test plays the person on VNeID's screens in between.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import ssl
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.stubs.vneid_flow import L2_ACTIVE, LEVEL2, LoginFlow, read_screen
from tests.subprocesses import stop

ROOT = Path(__file__).parents[2]
SCRIPT = Path(__file__).parent / "openid_client" / "relying_party.mjs"
CLIENT_ID = "vssid"
REDIRECT_URI = "https://127.0.0.1:9/app/vneid/callback"  # never contacted: the test reads it
SCOPE = "openid profile id_number"

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.skipif(not (ROOT / "node_modules" / "openid-client").is_dir(),
                       reason="node_modules/openid-client is absent: run `npm ci` first"),
    pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed"),
]



@dataclass(frozen=True)
class RunningVneid:
    """The standalone stub: its issuer, the CA that signed its certificate, its secrets."""

    issuer: str
    ca_file: Path
    client_secret: str
    control_token: str


@pytest.fixture
def vneid(tmp_path: Path) -> Iterator[RunningVneid]:
    """`python -m stubs.vneid` on 127.0.0.1, port 0, TLS from a throwaway CA."""
    ca_file, secret, token = tmp_path / "ca.pem", secrets.token_urlsafe(24), secrets.token_hex(16)
    log = (tmp_path / "vneid.log").open("w", encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "stubs.vneid", "--host", "127.0.0.1", "--port", "0", "--tls",
         "--ca-out", str(ca_file), "--client-id", CLIENT_ID, "--redirect-uri", REDIRECT_URI],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=log, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "VNEID_CLIENT_SECRET": secret,
             "VNEID_CONTROL_TOKEN": token})
    try:
        issuer = process.stdout.readline().strip()
        assert issuer.startswith("https://127.0.0.1:"), (
            f"the stub did not start: {(tmp_path / 'vneid.log').read_text('utf-8')}")
        yield RunningVneid(issuer, ca_file, secret, token)
    finally:
        stop(process)
        log.close()


def node(step: str, vneid: RunningVneid, **extra: str) -> subprocess.CompletedProcess:
    """One step of the openid-client relying party; its input through the environment."""
    env = {**os.environ, "NODE_EXTRA_CA_CERTS": str(vneid.ca_file),
           "RP_ISSUER": vneid.issuer, "RP_CLIENT_ID": CLIENT_ID,
           "RP_CLIENT_SECRET": vneid.client_secret, "RP_REDIRECT_URI": REDIRECT_URI,
           "RP_SCOPE": SCOPE, "RP_ACR_VALUES": LEVEL2, **extra}
    return subprocess.run(["node", str(SCRIPT), step], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60, check=False)


async def callback_url_for(vneid: RunningVneid, authorization_url: str) -> str:
    """The person logs in on VNeID's screens and approves; where VNeID hands back."""
    context = ssl.create_default_context(cafile=str(vneid.ca_file))
    async with httpx.AsyncClient(base_url=vneid.issuer, verify=context, timeout=15) as client:
        flow = LoginFlow(client)
        login = read_screen(await client.get(authorization_url))
        assert login.screen == "vneid-login", login.screen
        passcode = read_screen(await flow.submit(login, id_number=L2_ACTIVE["id_number"],
                                                 password=L2_ACTIVE["password"]))
        consent = read_screen(await flow.submit(passcode, passcode=L2_ACTIVE["passcode"]))
        assert consent.screen == "vneid-consent", consent.screen
        handback = await flow.submit(consent, decision="approve")
    assert handback.status_code == 303, handback.status_code
    return handback.headers["location"]


async def log_in_with_openid_client(vneid: RunningVneid) -> subprocess.CompletedProcess:
    started = node("start", vneid)
    assert started.returncode == 0, started.stderr
    request = json.loads(started.stdout)
    callback = await callback_url_for(vneid, request["authorization_url"])
    return node("finish", vneid, RP_CALLBACK_URL=callback,
                RP_CODE_VERIFIER=request["code_verifier"], RP_STATE=request["state"],
                RP_NONCE=request["nonce"])


async def test_openid_client_builds_a_pkce_request_the_stub_accepts(vneid):
    started = node("start", vneid)
    assert started.returncode == 0, started.stderr
    request = json.loads(started.stdout)
    params = httpx.URL(request["authorization_url"]).params
    assert request["authorization_url"].startswith(vneid.issuer + "/authorize?")
    assert params["code_challenge_method"] == "S256" and len(params["code_challenge"]) == 43
    assert params["state"] == request["state"] and params["nonce"] == request["nonce"]
    assert params["acr_values"] == LEVEL2 and params["client_id"] == CLIENT_ID


async def test_openid_client_redeems_the_code_and_validates_the_id_token(vneid):
    finished = await log_in_with_openid_client(vneid)
    assert finished.returncode == 0, finished.stderr
    result = json.loads(finished.stdout)
    claims = result["claims"]
    assert claims["iss"] == vneid.issuer
    assert claims["aud"] in (CLIENT_ID, [CLIENT_ID])
    assert claims["acr"] == LEVEL2
    assert claims["id_number"] == L2_ACTIVE["id_number"]
    assert claims["name"] == L2_ACTIVE["name"]
    assert result["token_type"].lower() == "bearer"


@pytest.mark.parametrize(("fault", "reason"), [
    pytest.param("WRONG_SIGNING_KEY", "signature verification failed", id="signature"),
    pytest.param("WRONG_NONCE", '"nonce"', id="nonce"),
    pytest.param("WRONG_AUDIENCE", '"aud"', id="audience"),
])
async def test_openid_client_refuses_a_broken_id_token(vneid, fault, reason):
    # Proves the library really validates what it is given, so the pass above means something.
    context = ssl.create_default_context(cafile=str(vneid.ca_file))
    armed = httpx.post(f"{vneid.issuer}/_stub/faults", json={"fault": fault, "count": 1},
                       headers={"authorization": f"Bearer {vneid.control_token}"},
                       verify=context, timeout=10)
    assert armed.status_code == 200, armed.text
    finished = await log_in_with_openid_client(vneid)
    assert finished.returncode == 1, f"{fault} was accepted: {finished.stdout}"
    assert "claims" not in finished.stdout
    assert reason in json.loads(finished.stderr)["cause"]["message"], finished.stderr
