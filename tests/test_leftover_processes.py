"""The session-end check (tests/leftover_processes.py) counts this session's processes and no others:
real processes, in a directory under a base, or named `emulator serve` of a state directory there."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.leftover_processes import session_processes

pytestmark = pytest.mark.skipif(not Path("/proc/self").exists(), reason="the check reads /proc (Linux)")
# `python -c` ignores the arguments after its program: they only make the command line a service's.
SERVE = [sys.executable, "-c", "import time; time.sleep(300)", "-m", "emulator", "serve", "aws"]
SLEEP = [sys.executable, "-c", "import time; time.sleep(300)"]


@pytest.fixture
def started() -> Iterator[list[subprocess.Popen[bytes]]]:
    processes: list[subprocess.Popen[bytes]] = []
    yield processes
    for process in processes:
        process.kill()
        process.wait()


def _start(started: list[subprocess.Popen[bytes]], command: list[str], cwd: Path, state: Path) -> int:
    env = {**os.environ, "LAKEHOUSE_STATE_DIR": str(state)}
    started.append(subprocess.Popen(command, cwd=cwd, env=env))
    return started[-1].pid


def test_only_the_processes_of_the_base_are_counted(tmp_path: Path, started: list[subprocess.Popen[bytes]]) -> None:
    base, other = tmp_path / "base", tmp_path / "other-session"
    for folder in (base / "state" / "warm-drivers", other / "state"):
        folder.mkdir(parents=True)
    works_in_base = _start(started, SLEEP, base / "state" / "warm-drivers", other / "state")
    serves_base = _start(started, SERVE, other, base / "state")
    _start(started, SERVE, other, other / "state")  # another session's service
    _start(started, SLEEP, other, base / "state")  # not a service, not working in the base

    found = session_processes(base)

    assert found == {works_in_base: " ".join(SLEEP), serves_base: " ".join(SERVE)}
    for process in started:
        process.kill()
        process.wait()
    assert session_processes(base) == {}
