"""Job processes left behind by an emulator that died (``kill -9``, a crash): a job's process runs in
its own session, so it outlives the endpoint and would go on writing data for a run that the next
start reports FAILED. That start ends it, if the pid still belongs to that run's process."""

from __future__ import annotations

import os
import signal
from pathlib import Path


def end_orphan(pid: int, run_id: str) -> bool:
    """SIGKILL the process group ``pid`` leads if its command line names ``run_id``; True if it did.

    The check on the command line (``--JOB_RUN_ID <run id>``) keeps a reused pid safe. It reads
    ``/proc``, so elsewhere (macOS) an orphan is left running and only reported."""
    try:
        command_line = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    if run_id.encode() not in command_line.split(b"\0"):
        return False
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        return False
    return True
