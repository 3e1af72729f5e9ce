"""No `emulator serve`, warm driver or job process outlives the test session that started it.

A process is this session's when it works in a directory under the session's base temp directory
(warm drivers, job runs and their JVMs run in their state directory) or is an `emulator serve` of a
state directory there. Other test sessions on the machine have their own base temp directories, so
their processes are never counted. Linux only (/proc); elsewhere nothing is checked.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator.stack.identity import stat_fields

PROC = Path("/proc")
# `down` and the warm pool's close wait for their processes, but a JVM can take a few seconds to go.
GRACE_SECONDS = 30.0
_STATE_VARIABLE = b"LAKEHOUSE_STATE_DIR="


def _under(path: str, base: str) -> bool:
    return path == base or path.startswith(base + os.sep)


def _session_process(pid: int, base: str) -> str | None:
    """The command line of process ``pid`` when it is this session's (None: not, or gone)."""
    entry = PROC / str(pid)
    try:
        if stat_fields((entry / "stat").read_text())[0] in ("Z", "X"):
            return None  # exited; its parent has not reaped it yet
        command = (entry / "cmdline").read_bytes().rstrip(b"\0").replace(b"\0", b" ").decode(errors="replace")
        cwd = os.readlink(entry / "cwd")
        environ = (entry / "environ").read_bytes().split(b"\0")
    except (FileNotFoundError, ProcessLookupError, PermissionError, IndexError):
        return None  # gone meanwhile, or another user's
    if _under(cwd, base):
        return command
    if " -m emulator serve " in f"{command} ":
        state = next((v[len(_STATE_VARIABLE) :] for v in environ if v.startswith(_STATE_VARIABLE)), b"")
        return command if _under(state.decode(errors="replace"), base) else None
    return None


def session_processes(base: Path) -> dict[int, str]:
    found = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            command = _session_process(int(entry.name), str(base))
            if command is not None:
                found[int(entry.name)] = command
    return found


@pytest.fixture(scope="session", autouse=True)
def no_leftover_processes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """After every other session fixture is torn down: none of this session's processes still runs.
    One that does is ended (SIGKILL) and named in the error, so it cannot outlive the run unseen."""
    base = tmp_path_factory.getbasetemp().resolve()
    yield
    if not (PROC / "self").exists():
        return
    deadline = time.monotonic() + GRACE_SECONDS
    left = session_processes(base)
    while left and time.monotonic() < deadline:
        time.sleep(0.5)
        left = session_processes(base)
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            continue
    if left:
        named = "\n".join(f"  pid {pid}: {command}" for pid, command in sorted(left.items()))
        pytest.fail(f"processes of this session still ran {GRACE_SECONDS:.0f}s after its tests (killed now):\n{named}")
