"""`python -m stubs.vneid` on a real loopback socket, over TLS from a trustme CA."""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
import sys
from pathlib import Path

import httpx

from stubs.serving import bind_socket
from tests.subprocesses import stop

ROOT = Path(__file__).parents[2]


def test_standalone_tls_server_prints_its_issuer_and_serves_discovery(tmp_path):
    ca_path = tmp_path / "ca.pem"
    process = subprocess.Popen(
        [sys.executable, "-m", "stubs.vneid", "--host", "127.0.0.1", "--port", "0", "--tls",
         "--ca-out", str(ca_path), "--client-id", "vssid", "--client-secret", "s",
         "--redirect-uri", "https://127.0.0.1:9/app/vneid/callback",
         "--control-token", "t"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        issuer = process.stdout.readline().strip()
        assert issuer.startswith("https://127.0.0.1:"), process.stderr.read()
        assert not issuer.endswith(":0")
        with httpx.Client(verify=ssl.create_default_context(cafile=str(ca_path)),
                          timeout=10) as client:
            doc = client.get(issuer + "/.well-known/openid-configuration").json()
            clients = client.get(issuer + "/_stub/clients",
                                 headers={"authorization": "Bearer t"}).json()
            login = client.get(issuer + "/authorize", params={
                "client_id": "vssid", "redirect_uri": "https://127.0.0.1:9/app/vneid/callback",
                "response_type": "code", "scope": "openid", "code_challenge": "a" * 43,
                "code_challenge_method": "S256"})
        assert doc["issuer"] == issuer and doc["jwks_uri"] == issuer + "/jwks"
        assert clients["clients"][0]["client_id"] == "vssid"
        assert 'data-screen="vneid-login"' in login.text
    finally:
        stop(process)


def test_secrets_come_from_the_environment_even_when_they_start_with_a_dash(tmp_path):
    # token_urlsafe() starts with "-" one time in 64; as a flag value argparse takes it for an
    # option (this broke CI once). The environment carries it whole, and off the command line.
    secret, token = "-starts-with-a-dash", "-control-token"
    process = subprocess.Popen(
        [sys.executable, "-m", "stubs.vneid", "--host", "127.0.0.1", "--port", "0",
         "--client-id", "vssid", "--redirect-uri", "https://127.0.0.1:9/cb"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "VNEID_CLIENT_SECRET": secret,
             "VNEID_CONTROL_TOKEN": token},
    )
    try:
        issuer = process.stdout.readline().strip()
        assert issuer.startswith("http://127.0.0.1:"), process.stderr.read()
        with httpx.Client(timeout=10) as client:
            control = client.get(issuer + "/_stub/clients",
                                 headers={"authorization": f"Bearer {token}"})
            right = client.post(issuer + "/token", auth=("vssid", secret), data={
                "grant_type": "authorization_code", "code": "nope",
                "redirect_uri": "https://127.0.0.1:9/cb", "code_verifier": "v" * 43})
            wrong = client.post(issuer + "/token", auth=("vssid", "s"), data={
                "grant_type": "authorization_code", "code": "nope",
                "redirect_uri": "https://127.0.0.1:9/cb", "code_verifier": "v" * 43})
        assert control.status_code == 200
        assert right.json()["error"] == "invalid_grant"  # the client authenticated
        assert wrong.json()["error"] == "invalid_client"
    finally:
        stop(process)


def test_a_client_without_a_secret_is_refused_with_what_to_give(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "stubs.vneid", "--port", "0", "--client-id", "vssid",
         "--redirect-uri", "https://127.0.0.1:9/cb"],
        cwd=ROOT, capture_output=True, text=True, timeout=30,
        env={k: v for k, v in os.environ.items() if k != "VNEID_CLIENT_SECRET"})
    assert result.returncode == 2
    assert "VNEID_CLIENT_SECRET" in result.stderr and "Traceback" not in result.stderr


def test_bad_config_exits_with_a_message_naming_the_key(tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text("lockout_threshold = 0\n", "utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "stubs.vneid", "--config", str(config), "--port", "0"],
        cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert "lockout_threshold" in result.stderr


def test_the_listening_socket_is_tcp_so_asyncio_turns_nagle_off():
    # With proto 0 asyncio skips TCP_NODELAY and every response waits ~40 ms for a delayed ACK
    # (found by scripts/bench_vneid_load.py).
    sock = bind_socket("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
    finally:
        sock.close()
