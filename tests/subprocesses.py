"""Child processes the kit's own tests start (standalone stubs): stopped the same way always."""

from __future__ import annotations

import contextlib
import subprocess
import threading
from pathlib import Path

STOP_TIMEOUT_S = 10.0


def stop(process: subprocess.Popen) -> None:
    """Ask a child to finish, kill it if it does not in time, reap it, close its pipes."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    for pipe in (process.stdout, process.stderr):
        if pipe is not None:
            pipe.close()


def tail(path: Path, chars: int = 4000) -> str:
    """The end of a child's log file, for an error message."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no log)"
    return text[-chars:] or "(empty log)"


def ready_url(process: subprocess.Popen, log: Path, *, what: str, timeout: float,
              error: type[Exception] = RuntimeError, prefix: str = "http") -> str:
    """The one line a server child prints on stdout when it listens (its URL), within
    `timeout` seconds; else `error`, saying whether it exited, printed something else or
    nothing, with the tail of its log."""
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.append(process.stdout.readline()),
                              daemon=True)
    reader.start()
    reader.join(timeout)
    line = lines[0].strip() if lines else ""
    if line.startswith(prefix):
        return line
    if lines:  # stdout ended or held something else: let the child exit, for its status
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=2.0)
    status = process.poll()
    why = (f"exited with status {status}" if status is not None
           else f"printed {line!r}" if line else f"printed nothing in {timeout:.0f} s")
    raise error(f"{what} {why}; the tail of {log}:\n{tail(log)}")
