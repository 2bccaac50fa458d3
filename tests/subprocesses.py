"""Child processes the kit's own tests start (standalone stubs): stopped the same way always."""

from __future__ import annotations

import subprocess

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
