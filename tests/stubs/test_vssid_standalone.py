"""`python -m stubs.vssid`: binds port 0, prints its base URL, logs in over real HTTP(S)."""

from __future__ import annotations

import os
import signal
import ssl
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
import trustme
import uvicorn

from stubs.vssid.__main__ import _arguments as standalone_arguments
from stubs.vssid.__main__ import main as standalone_main
from tests.stubs.vssid_fake_idp import FakeIdp
from tests.stubs.vssid_rig import CLIENT_SECRET

ROOT = Path(__file__).resolve().parents[2]


class ThreadedServer:
    """An ASGI app served by uvicorn on 127.0.0.1:0 in a thread."""

    def __init__(self, app, **tls) -> None:
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0,
                                                    log_level="warning", **tls))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> ThreadedServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.01)
        return self

    @property
    def port(self) -> int:
        return self.server.servers[0].sockets[0].getsockname()[1]

    def __exit__(self, *exc_info) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


class VssidProcess:
    """`python -m stubs.vssid ...` as a child process, stopped in __exit__."""

    def __init__(self, *args: str) -> None:
        self.args = [sys.executable, "-m", "stubs.vssid", "--host", "127.0.0.1",
                     "--port", "0", *args]
        self.process: subprocess.Popen | None = None
        self.base_url = ""

    def __enter__(self) -> VssidProcess:
        self.process = subprocess.Popen(
            self.args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self.base_url = self.process.stdout.readline().strip()
        if not self.base_url:
            self.process.kill()
            raise AssertionError(self.process.stderr.read())
        return self

    def stop(self) -> str:
        """Stop the process and return what it logged."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.stderr.read()

    def __exit__(self, *exc_info) -> None:
        self.stop()


def _walk(client: httpx.Client, idp_client: httpx.Client) -> httpx.Response:
    started = client.post("/app/vneid/start", data={"app_version": "1.6.7"})
    assert started.status_code == 303, started.text[:500]
    handback = idp_client.get(started.headers["location"])
    assert handback.status_code == 303
    return client.get(handback.headers["location"])


def test_standalone_over_http_logs_in_and_keeps_secrets_out_of_logs() -> None:
    idp = FakeIdp(client_id="vssid", client_secret=CLIENT_SECRET, issuer="http://placeholder")
    with ThreadedServer(idp.app) as idp_server:
        idp.issuer = f"http://127.0.0.1:{idp_server.port}"
        with VssidProcess("--issuer", idp.issuer, "--client-secret", CLIENT_SECRET) as vssid:
            assert vssid.base_url.startswith("http://127.0.0.1:")
            assert not vssid.base_url.endswith(":0")
            with httpx.Client(base_url=vssid.base_url) as client, httpx.Client() as idp_client:
                assert client.get("/app/login").status_code == 200
                callback = _walk(client, idp_client)
                assert callback.headers["location"] == "/app/home"
                assert client.get("/api/session").json()["logged_in"] is True
                code = callback.request.url.params["code"]
                state = idp.authorize_requests[-1]["state"]
            logs = vssid.stop()
    assert "LOGGED_IN" in logs
    callback_lines = [line for line in logs.splitlines() if "/app/vneid/callback?" in line]
    assert callback_lines, logs  # the access log line is there...
    assert "code=[redacted]" in callback_lines[0] and "state=[redacted]" in callback_lines[0]
    for secret in (code, state, CLIENT_SECRET):
        assert secret not in logs  # ...with its code and state redacted


def test_standalone_over_tls_with_a_ca_file(tmp_path: Path) -> None:
    authority = trustme.CA()
    server_cert = authority.issue_cert("127.0.0.1")
    chain, key, ca_file = tmp_path / "idp.pem", tmp_path / "idp.key", tmp_path / "idp-ca.pem"
    server_cert.cert_chain_pems[0].write_to_path(str(chain))
    server_cert.private_key_pem.write_to_path(str(key))
    authority.cert_pem.write_to_path(str(ca_file))
    vssid_ca = tmp_path / "vssid-ca.pem"
    idp = FakeIdp(client_id="vssid", client_secret=CLIENT_SECRET, issuer="https://placeholder")
    with ThreadedServer(idp.app, ssl_certfile=str(chain), ssl_keyfile=str(key)) as idp_server:
        idp.issuer = f"https://127.0.0.1:{idp_server.port}"
        with VssidProcess("--issuer", idp.issuer, "--client-secret", CLIENT_SECRET,
                          "--tls", "--ca-out", str(vssid_ca), "--ca-file", str(ca_file)) as vssid:
            assert vssid.base_url.startswith("https://127.0.0.1:")
            trust_vssid = ssl.create_default_context(cafile=str(vssid_ca))
            trust_idp = ssl.create_default_context(cafile=str(ca_file))
            with httpx.Client(base_url=vssid.base_url, verify=trust_vssid) as client, \
                    httpx.Client(verify=trust_idp) as idp_client:
                callback = _walk(client, idp_client)
                assert callback.headers["location"] == "/app/home"
                assert "secure" in callback.headers["set-cookie"].lower()


def test_standalone_refuses_a_bad_config_naming_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "vssid.toml"
    config.write_text('issuer = "https://vneid.example"\nclient_secret = "s"\n'
                      'clock_skew_seconds = "sixty"\n')
    assert standalone_main(["--config", str(config), "--port", "0"]) == 2
    captured = capsys.readouterr()
    assert "clock_skew_seconds" in captured.err
    assert captured.out == ""  # no base URL: it never became ready


@pytest.mark.parametrize("missing", ["--issuer", "--client-secret"])
def test_standalone_needs_issuer_and_secret(
    missing: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VSSID_CLIENT_SECRET", raising=False)
    args = {"--issuer": "https://vneid.example", "--client-secret": "s"}
    del args[missing]
    flat = [item for pair in args.items() for item in pair]
    assert standalone_main(["--port", "0", *flat]) == 2
    err = capsys.readouterr().err
    assert missing.lstrip("-").replace("-", "_") in err
    if missing == "--client-secret":
        assert "$VSSID_CLIENT_SECRET" in err


def test_the_secret_may_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VSSID_CLIENT_SECRET", "-starts-with-a-dash")
    assert standalone_arguments().parse_args([]).client_secret == "-starts-with-a-dash"
