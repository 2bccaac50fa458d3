"""Oversize input gets its HTTP status, never a reset connection (issue 15; stubs/limits.py).

Both stubs are served for real (loopback, port 0, `stubs.serving.uvicorn_server` in a thread),
over HTTP and HTTPS: a request line past the limit is 414, headers past it 431, a body past
it 413, every time, and the stub still serves a normal request afterwards.
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx
import pytest

from stubs import limits
from stubs.serving import bind_socket, issue_local_tls, uvicorn_server
from stubs.vneid.app import create_app as create_vneid
from stubs.vssid.app import create_app as create_vssid
from tests.stubs.vneid_flow import CLIENT_ID, CLIENT_SECRET, stub_config
from tests.stubs.vssid_rig import vssid_config

ATTEMPTS = 8
FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Stub:
    make: Callable[[], object]
    form_path: str  # a POST endpoint that reads a form
    normal_path: str  # a GET that answers 200


STUBS = {
    "vneid": Stub(lambda: create_vneid(stub_config()), "/token",
                  "/.well-known/openid-configuration"),
    "vssid": Stub(lambda: create_vssid(vssid_config()), "/app/login", "/app/login"),
}


@dataclass
class Served:
    origin: str
    host: str
    port: int
    context: ssl.SSLContext | None
    stub: Stub

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.origin, verify=self.context or False, timeout=30)


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    return issue_local_tls(["127.0.0.1"], folder=tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module", params=[(name, scheme) for name in STUBS
                                        for scheme in ("http", "https")],
                ids=lambda p: f"{p[0]}-{p[1]}")
def served(request, tls) -> Iterator[Served]:
    name, scheme = request.param
    stub = STUBS[name]
    sock = bind_socket("127.0.0.1", 0)
    server = uvicorn_server(stub.make(), cert_file=tls.cert_file if scheme == "https" else None,
                            key_file=tls.key_file if scheme == "https" else None)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    try:
        thread.start()
        deadline = time.monotonic() + 15
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, f"{name} did not start"
            time.sleep(0.01)
        port = sock.getsockname()[1]
        context = ssl.create_default_context(cafile=str(tls.ca_file)) if scheme == "https" else None
        yield Served(f"{scheme}://127.0.0.1:{port}", "127.0.0.1", port, context, stub)
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()


def raw_exchange(served: Served, data: bytes) -> tuple[int, bytes]:
    """Send exact bytes on a fresh connection (HTTP clients refuse a 200 KB URL) and read the
    status and body of the answer; a reset or an early close raises."""
    with socket.create_connection((served.host, served.port), timeout=30) as plain:
        sock = (served.context.wrap_socket(plain, server_hostname=served.host)
                if served.context else plain)
        with sock:
            sock.sendall(data)
            received = b""
            while b"\r\n\r\n" not in received:
                chunk = sock.recv(65536)
                if not chunk:
                    raise ConnectionError(f"closed before an answer: {received[:80]!r}")
                received += chunk
            head, _, body = received.partition(b"\r\n\r\n")
            lines = head.split(b"\r\n")
            lengths = [int(line.split(b":", 1)[1]) for line in lines[1:]
                       if line.lower().startswith(b"content-length:")]
            while lengths and len(body) < lengths[0]:
                chunk = sock.recv(65536)
                if not chunk:
                    raise ConnectionError("closed inside the answer")
                body += chunk
            return int(lines[0].split(b" ")[1]), body[:lengths[0]] if lengths else body


def outcome(attempt: Callable[[], tuple[int, bytes]]) -> object:
    """The status, or the name of the connection error (so all attempts show in a failure)."""
    try:
        status, body = attempt()
    except (OSError, httpx.TransportError) as exc:
        return type(exc).__name__
    if status >= 400 and b'"error":"invalid_request"' not in body:
        return f"{status} without the stubs' error shape: {body[:60]!r}"
    return status


def get_target(query_bytes: int) -> bytes:
    return (b"GET /authorize?state=" + b"a" * query_bytes + b" HTTP/1.1\r\n"
            b"Host: 127.0.0.1\r\n\r\n")


def test_a_200_kb_query_string_is_414(served):
    results = [outcome(lambda: raw_exchange(served, get_target(200_000)))
               for _ in range(ATTEMPTS)]
    assert results == [414] * ATTEMPTS


def test_a_request_line_past_the_servers_own_bound_is_still_an_answered_414(served):
    size = 2 * limits.SERVER_HEAD_BYTES
    results = [outcome(lambda: raw_exchange(served, get_target(size))) for _ in range(3)]
    assert results == [414] * 3


def test_64_kb_of_headers_is_431(served):
    headers = {f"x-filler-{i}": "h" * 1000 for i in range(64)}
    with served.client() as client:
        results = [outcome(lambda: _status_body(client.get(served.stub.normal_path,
                                                           headers=headers)))
                   for _ in range(ATTEMPTS)]
        assert client.get(served.stub.normal_path).status_code == 200
    assert results == [431] * ATTEMPTS


def test_headers_past_the_servers_own_bound_are_still_an_answered_431(served):
    filler = b"".join(b"x-filler-%d: %s\r\n" % (i, b"h" * 1000)
                      for i in range(2 * limits.SERVER_HEAD_BYTES // 1000))
    data = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n" + filler + b"\r\n"
    results = [outcome(lambda: raw_exchange(served, data)) for _ in range(3)]
    assert results == [431] * 3


def _status_body(response: httpx.Response) -> tuple[int, bytes]:
    return response.status_code, response.content


def test_a_300_kb_body_is_413_every_time_and_the_connection_still_serves(served):
    body = b"grant_type=authorization_code&code=" + b"x" * 300_000
    with served.client() as client:
        results = [outcome(lambda: _status_body(client.post(
            served.stub.form_path, content=body, headers={"content-type": FORM},
            auth=(CLIENT_ID, CLIENT_SECRET)))) for _ in range(ATTEMPTS)]
        after = client.get(served.stub.normal_path)
    assert results == [413] * ATTEMPTS
    assert after.status_code == 200


def test_a_300_kb_body_on_a_fresh_connection_is_413_every_time(served):
    body = b"a=" + b"x" * 300_000
    data = (b"POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\ncontent-type: %s\r\n"
            b"content-length: %d\r\n\r\n" % (served.stub.form_path.encode(), FORM.encode(),
                                            len(body))) + body
    results = [outcome(lambda: raw_exchange(served, data)) for _ in range(ATTEMPTS)]
    assert results == [413] * ATTEMPTS


def test_a_chunked_body_past_the_limit_is_413(served):
    def chunks() -> Iterator[bytes]:
        for _ in range(30):
            yield b"x" * 10_000

    with served.client() as client:
        response = client.post(served.stub.form_path, content=chunks(),
                               headers={"content-type": FORM})
        assert client.get(served.stub.normal_path).status_code == 200
    assert response.status_code == 413
    assert response.json()["error"] == "invalid_request"


def test_normal_requests_work_after_the_oversize_ones(served):
    for _ in range(2):
        outcome(lambda: raw_exchange(served, get_target(200_000)))
    with served.client() as client:
        assert client.get(served.stub.normal_path).status_code == 200


# --- In process: what the limits leave to the stubs, and the edges --------------------------

@pytest.mark.anyio
@pytest.mark.parametrize("name", list(STUBS))
async def test_input_under_the_limits_still_gets_the_stubs_own_answer(name):
    stub = STUBS[name]
    app = stub.make()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="https://stub.test") as client:
        query = await client.get("/authorize", params={"state": "a" * 20_000})
        body = await client.post(stub.form_path, content=b"a=" + b"x" * 30_000,
                                 headers={"content-type": FORM})
    if name == "vneid":  # its own max_param_length and max_body_bytes
        assert query.status_code == 400 and 'data-screen="vneid-error"' in query.text
        assert body.status_code == 400 and body.json()["error_description"] == "request too large"
    else:  # no /authorize; a form under both limits reaches the login
        assert query.status_code == 404
        assert body.status_code < 500 and body.status_code != 413


@pytest.mark.anyio
async def test_a_client_waiting_for_100_continue_gets_413_and_a_close_not_a_request_for_data():
    received: list[dict] = []
    sent: list[dict] = []

    async def receive() -> dict:
        received.append({})
        return {"type": "http.request", "body": b"", "more_body": True}

    async def send(message: dict) -> None:
        sent.append(message)

    async def never(scope, receive, send) -> None:
        raise AssertionError("the app is not reached")

    scope = {"type": "http", "method": "POST", "path": "/token", "raw_path": b"/token",
             "query_string": b"", "headers": [(b"content-length", b"10000000"),
                                              (b"expect", b"100-continue")]}
    await limits.OversizeGuard(never)(scope, receive, send)
    assert sent[0]["status"] == 413 and (b"connection", b"close") in sent[0]["headers"]
    assert not received, "asking for the body would make the server send 100 Continue"
