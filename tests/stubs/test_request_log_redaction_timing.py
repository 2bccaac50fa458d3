"""When the stubs' request log redacts (stubs/request_log.py): as a request comes while the kit
listens for secrets, when the log is read otherwise; what it shows is the same either way."""

from __future__ import annotations

import pytest

from stubs import redaction
from stubs.request_log import Received, RequestLog

CODE = "Zk3vQ9xY2pLmN8aBcDeFgHiJkLmNoPqRsTuVwXyZ01"


def received() -> Received:
    entry = {"time": 1.0, "method": "POST", "path": "/token", "status": 200,
             "authorization": "Basic"}
    return Received(entry, b"x=1", f"grant_type=authorization_code&code={CODE}".encode(),
                    "application/x-www-form-urlencoded")


@pytest.fixture
def witnesses():
    """The registered listeners for secrets, put back as they were after the test."""
    saved = list(redaction.SECRET_WITNESSES)
    redaction.SECRET_WITNESSES.clear()
    try:
        yield redaction.SECRET_WITNESSES
    finally:
        redaction.SECRET_WITNESSES[:] = saved


def test_read_later_shows_what_redacting_at_once_shows(witnesses):
    found: list[tuple[str, str]] = []
    witnesses.append(lambda kind, value: found.append((kind, value)))  # the kit, listening
    eager = RequestLog(10)
    eager.add(received())
    assert ("code", CODE) in found  # the kit learnt of the code as the request came
    witnesses.clear()  # nobody listening: a standalone stub
    later = RequestLog(10)
    later.add(received())
    assert later.entries() == eager.entries()
    shown = later.entries()[0]
    assert CODE not in repr(shown)
    assert shown["form"]["code"][0].startswith("[redacted:")
    assert list(shown) == ["time", "method", "path", "query", "status", "authorization", "form"]


def test_a_request_kept_as_it_came_never_shows_its_secrets_in_a_repr():
    assert CODE not in repr(received())


def test_the_bound_holds_whether_redacted_or_not():
    log = RequestLog(3)
    for _ in range(5):
        log.add(received())
    assert len(log.entries()) == 3
    log.add(received())
    assert len(log.entries()) == 3
