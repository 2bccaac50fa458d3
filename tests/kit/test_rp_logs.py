"""An external RP's log, read from a file it appends to or from a command that prints it."""

from __future__ import annotations

import sys

import pytest

from fixtures.config import Side
from fixtures.rp_logs import RpLog
from fixtures.verdicts import KitError


def test_a_log_file_gives_what_was_added_since_the_mark(tmp_path):
    path = tmp_path / "rp.log"
    path.write_text("before the login\n", encoding="utf-8")
    log = RpLog(Side(kind="external", log_file=str(path)))
    log.mark()
    with path.open("a", encoding="utf-8") as out:
        out.write("callback code=abc\n")
    assert log.since_mark() == "callback code=abc\n"


def test_a_log_command_gives_what_was_added_or_all_after_a_rotation(tmp_path):
    path = tmp_path / "rp.log"
    path.write_text("old line\n", encoding="utf-8")
    printer = [sys.executable, "-c", f"print(open({str(path)!r}).read(), end='')"]
    log = RpLog(Side(kind="external", log_command=printer))
    assert log.readable
    log.mark()
    path.write_text("old line\nnew line\n", encoding="utf-8")
    assert log.since_mark() == "new line\n"
    log.mark()
    path.write_text("rotated\n", encoding="utf-8")
    assert log.since_mark() == "rotated\n"


@pytest.mark.parametrize(("command", "says"), [
    (["/nonexistent/log-printer"], "no such program"),
    ([sys.executable, "-c", "raise SystemExit(3)"], "exited 3"),
])
def test_a_log_command_that_fails_is_the_kits_error_naming_the_key(command, says):
    with pytest.raises(KitError, match=f"rp.log_command.*{says}"):
        RpLog(Side(kind="external", log_command=command)).mark()


def test_without_either_the_log_is_not_readable():
    assert not RpLog(Side(kind="external")).readable
