"""Pid records carry process identity: `down` signals a recorded pid only while it still names the
process `up` started. Real processes (``sleep``) stand in for what a pid may name after a reboot, and
for a process still being exec'd (its command line empty: what `up` read when Popen had returned)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from emulator.settings import Settings, load_settings
from emulator.stack import record, supervisor
from emulator.stack.identity import ProcessIdentity, identify, identify_exec
from emulator.stack.record import ProcessRecord
from tests.conftest import REPO_ROOT
from tests.emulator.servers import free_port

SLEEP = shutil.which("sleep") or "sleep"
OTHER_BOOT = "00000000-0000-0000-0000-000000000000"


@pytest.fixture
def sleeper() -> Iterator[subprocess.Popen[bytes]]:
    """An unrelated program leading its own process group, as a service does (what `down` signals)."""
    process = subprocess.Popen([SLEEP, "300"], start_new_session=True)
    yield process
    if process.poll() is None:
        process.kill()
    process.wait()


@pytest.fixture
def mid_exec() -> Iterator[subprocess.Popen[bytes]]:
    """A process whose command line is empty, as a process's is while the kernel still loads the program
    it execs (what /proc showed `up` right after Popen), until it execs `sleep 300` (its stdin's EOF)."""
    process = subprocess.Popen([""], executable=sys.executable, stdin=subprocess.PIPE, start_new_session=True)
    assert process.stdin is not None
    process.stdin.write(f"import os\nos.execv({SLEEP!r}, [{SLEEP!r}, '300'])\n".encode())  # run at EOF
    process.stdin.flush()
    yield process
    if process.poll() is None:
        process.kill()
    process.wait()


def _exec_now(process: subprocess.Popen[bytes]) -> None:
    assert process.stdin is not None
    process.stdin.close()


@pytest.fixture
def stack_env(tmp_path: Path) -> dict[str, str]:
    return {
        "LAKEHOUSE_STATE_DIR": str(tmp_path / "state"),
        "LAKEHOUSE_AWS_PORT": str(free_port()),
        "LAKEHOUSE_CATALOG_PORT": str(free_port()),
    }


def _down(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`just down` as users run it (a fresh interpreter, settings from the environment)."""
    return subprocess.run([sys.executable, "-m", "emulator", "down"], cwd=REPO_ROOT, env={**os.environ, **env},
                          capture_output=True, text=True, check=False, timeout=60)  # fmt: skip


def _identity_of(process: subprocess.Popen[bytes]) -> ProcessIdentity:
    found = identify(process.pid)
    assert found is not None
    return found


def _wait_exit(process: subprocess.Popen[bytes]) -> int | None:
    deadline = time.monotonic() + 20
    while process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    return process.returncode


def _rebooted(identity: ProcessIdentity) -> ProcessIdentity:
    """The same start time and command line, recorded in another boot."""
    ticks = identity.started.rsplit("/", 1)[1]
    return ProcessIdentity(f"{OTHER_BOOT}/{ticks}", identity.command)


def _reused(identity: ProcessIdentity) -> ProcessIdentity:
    """This boot, the same command line, a process that started earlier under the same pid."""
    boot, ticks = identity.started.rsplit("/", 1)
    return ProcessIdentity(f"{boot}/{int(ticks) - 1}", identity.command)


def _reused_read_mid_exec(identity: ProcessIdentity) -> ProcessIdentity:
    """Another process under the same pid, recorded while it was being exec'd (no command line)."""
    return ProcessIdentity(_reused(identity).started, "")


@pytest.mark.parametrize(
    "recorded", [_rebooted, _reused, _reused_read_mid_exec], ids=["after-a-reboot", "pid-reused", "pid-reused-mid-exec"]
)
def test_down_refuses_to_signal_a_process_the_record_does_not_name(
    sleeper: subprocess.Popen[bytes], stack_env: dict[str, str], recorded: Callable[[ProcessIdentity], ProcessIdentity]
) -> None:
    settings = load_settings(stack_env)
    identity = recorded(_identity_of(sleeper))
    record.write(settings, "embedded", {"aws": ProcessRecord(sleeper.pid, identity)})
    record.write_client_env(settings)

    done = _down(stack_env)

    assert done.returncode == 0, done.stderr
    assert f"the pid record of aws is stale: pid {sleeper.pid} is now `{SLEEP} 300`" in done.stdout
    assert "not signalled" in done.stdout
    assert "stopping aws" not in done.stdout
    assert sleeper.poll() is None, "down signalled an unrelated process"
    assert sorted(p.name for p in settings.state_dir.iterdir()) == []  # record and stack.env removed


def test_a_format_1_record_is_trusted_only_for_the_services_own_command_line(
    sleeper: subprocess.Popen[bytes], stack_env: dict[str, str]
) -> None:
    settings = load_settings(stack_env)
    settings.state_dir.mkdir(parents=True)
    (settings.state_dir / supervisor.PID_FILE).write_text(json.dumps({"profile": "embedded",
                                                                     "pids": {"catalog": sleeper.pid}}))  # fmt: skip
    assert [(s.name, s.pid, s.alive) for s in supervisor.status(settings)] == [
        ("aws", None, False), ("catalog", sleeper.pid, False),
    ]  # fmt: skip

    done = _down(stack_env)

    assert done.returncode == 0, done.stderr
    assert f"the pid record of catalog is stale: pid {sleeper.pid} is now `{SLEEP} 300`" in done.stdout
    assert sleeper.poll() is None
    assert not (settings.state_dir / supervisor.PID_FILE).exists()


def test_down_signals_the_process_group_the_record_names(
    sleeper: subprocess.Popen[bytes], stack_env: dict[str, str]
) -> None:
    """The control: with the process's own identity recorded, `down` stops it (SIGTERM to its group)."""
    settings = load_settings(stack_env)
    record.write(settings, "embedded", {"aws": ProcessRecord(sleeper.pid, _identity_of(sleeper))})
    assert [(s.name, s.alive) for s in supervisor.status(settings)] == [("aws", True), ("catalog", False)]

    done = _down(stack_env)

    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [f"stopping aws (pid {sleeper.pid})"]
    assert _wait_exit(sleeper) == -signal.SIGTERM
    assert not (settings.state_dir / supervisor.PID_FILE).exists()


def test_a_process_is_identified_once_its_exec_is_done(mid_exec: subprocess.Popen[bytes]) -> None:
    """What `up` records for a service it has just started: the identity it keeps, not the empty command
    line of a process still being exec'd (which would never match it again)."""
    assert _identity_of(mid_exec).command == ""  # what identify() alone recorded, right after Popen
    threading.Timer(0.3, _exec_now, args=(mid_exec,)).start()

    found = identify_exec(mid_exec.pid, [SLEEP, "300"])

    assert found is not None
    assert found.command == f"{SLEEP} 300"
    time.sleep(0.1)
    assert identify(mid_exec.pid) == found


def test_a_record_read_mid_exec_still_names_its_process(
    mid_exec: subprocess.Popen[bytes], stack_env: dict[str, str]
) -> None:
    """A record an earlier `up` wrote with the empty command line of its service mid-exec: that service is
    still the recorded one (its start time names it), so `up` keeps it and `down` stops it, rather than
    both disowning it as a reused pid (`up` then failed with "port in use" and `down` left it running)."""
    settings = load_settings(stack_env)
    read_mid_exec = _identity_of(mid_exec)
    record.write(settings, "embedded", {"aws": ProcessRecord(mid_exec.pid, read_mid_exec)})
    _exec_now(mid_exec)
    assert identify_exec(mid_exec.pid, [SLEEP, "300"]) == ProcessIdentity(read_mid_exec.started, f"{SLEEP} 300")
    assert [(s.name, s.alive) for s in supervisor.status(settings)] == [("aws", True), ("catalog", False)]

    done = _down(stack_env)

    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [f"stopping aws (pid {mid_exec.pid})"]
    assert _wait_exit(mid_exec) == -signal.SIGTERM


def test_the_record_keeps_each_process_identity_and_the_format_1_pids(
    sleeper: subprocess.Popen[bytes], stack_env: dict[str, str]
) -> None:
    settings = load_settings(stack_env)
    identity = _identity_of(sleeper)
    record.write(settings, "embedded", {"aws": ProcessRecord(sleeper.pid, identity)})
    data = json.loads((settings.state_dir / supervisor.PID_FILE).read_text())
    assert (data["format"], data["profile"], data["pids"]) == (2, "embedded", {"aws": sleeper.pid})
    assert data["processes"] == {"aws": {"started": identity.started, "command": f"{SLEEP} 300"}}
    assert record.read(settings) == record.StackRecord("embedded", {"aws": ProcessRecord(sleeper.pid, identity)})


def test_an_unreadable_record_is_a_clear_error(stack_env: dict[str, str]) -> None:
    settings: Settings = load_settings(stack_env)
    settings.state_dir.mkdir(parents=True)
    (settings.state_dir / supervisor.PID_FILE).write_text('{"pids": {"aws": "not a pid"}}')
    done = _down(stack_env)
    assert done.returncode == 1
    assert f"error: the stack record {settings.state_dir / supervisor.PID_FILE} is unreadable" in done.stderr
    assert "delete the file" in done.stderr
    assert (settings.state_dir / supervisor.PID_FILE).exists()  # nothing decided for the user


@pytest.mark.parametrize("proc", [Path("/proc"), None], ids=["proc", "ps"])
def test_an_identity_names_one_running_process(tmp_path: Path, proc: Path | None) -> None:
    """/proc on Linux; ``ps`` where there is no /proc (macOS), exercised here with a /proc that does not exist."""
    root = proc or tmp_path / "no-proc"
    first = subprocess.Popen([SLEEP, "300"])
    second = subprocess.Popen([SLEEP, "301"])
    try:
        one, again, other = identify(first.pid, root), identify(first.pid, root), identify(second.pid, root)
        assert one is not None
        assert other is not None
        assert one == again
        assert (one.command, other.command) == (f"{SLEEP} 300", f"{SLEEP} 301")
        assert one != other
        first.kill()
        deadline = time.monotonic() + 10
        while identify(first.pid, root) is not None:  # a zombie until reaped: no longer running
            assert time.monotonic() < deadline, "a killed process kept its identity"
            time.sleep(0.05)
        first.wait()
        assert identify(first.pid, root) is None
    finally:
        for process in (first, second):
            process.kill()
            process.wait()
