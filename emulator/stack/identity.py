"""Which process a pid is: its start time and command line, so a pid written down earlier is only
ever signalled while it still names the process that was started.

Pids are reused: after a reboot (or a long uptime) the pid in a record can belong to any program.
A process is identified by when it started — on Linux the boot's id plus the start time in clock
ticks from ``/proc/<pid>/stat``, elsewhere ``ps``'s absolute start time — and by its command line.
Two identities are equal only for the same process.

A process just started is identified with :func:`identify_exec`: ``subprocess.Popen`` returns
while the kernel is still loading the new program, before it has set up its arguments, and the
command line read then (empty) would never match the running service again.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
_STARTTIME_FIELD = 22  # proc(5): field 22 of /proc/<pid>/stat, in clock ticks after boot
_DEAD_STATES = ("Z", "X")  # exited (a zombie until its parent reaps it): no longer a running process
EXEC_SETTLE_SECONDS = 5.0  # how long a just-started process may take to show its arguments (a busy machine)
_EXEC_POLL_SECONDS = 0.001


@dataclass(frozen=True)
class ProcessIdentity:
    started: str  # "<boot id>/<ticks>" from /proc, or "ps:<lstart>" without /proc
    command: str  # the arguments, space-joined

    def as_json(self) -> dict[str, str]:
        return {"started": self.started, "command": self.command}

    @classmethod
    def from_json(cls, data: object) -> ProcessIdentity | None:
        if isinstance(data, dict) and isinstance(data.get("started"), str) and isinstance(data.get("command"), str):
            return cls(data["started"], data["command"])
        return None


def stat_fields(stat: str) -> list[str]:
    """The fields of a ``/proc/<pid>/stat`` line from field 3 (state) on, so proc(5)'s field N is
    at index N - 3: the command name (field 2) is in parentheses and may hold spaces or ')'."""
    return stat[stat.rindex(")") + 2 :].split()


def identify(pid: int, proc: Path = PROC) -> ProcessIdentity | None:
    """The identity of the running process ``pid``, or None when there is none."""
    if pid <= 0:
        return None
    if not (proc / "self").exists():
        return _from_ps(pid)
    try:
        stat = (proc / str(pid) / "stat").read_text()
        command = (proc / str(pid) / "cmdline").read_bytes()
        boot = (proc / "sys/kernel/random/boot_id").read_text().strip()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = stat_fields(stat)
    if fields[0] in _DEAD_STATES:
        return None
    ticks = fields[_STARTTIME_FIELD - 3]
    return ProcessIdentity(f"{boot}/{ticks}", command.rstrip(b"\0").replace(b"\0", b" ").decode(errors="replace"))


def identify_exec(pid: int, argv: Sequence[str], *, within: float = EXEC_SETTLE_SECONDS,
                  proc: Path = PROC) -> ProcessIdentity | None:  # fmt: skip
    """The identity of ``pid`` once it runs ``argv``: for a process just started with that argv.

    ``Popen`` returns when the child's exec has closed its close-on-exec pipe, and the kernel closes
    it before it has loaded the new program and set up its arguments: /proc/<pid>/cmdline reads empty
    until then, tens of microseconds on a quiet machine, milliseconds while the CPUs are busy. Its
    arguments (``argv[1:]``) are what is waited for: the program may read differently (a launcher, a
    resolved link). None: the process ended; after ``within`` seconds, whatever ``pid`` shows then."""
    arguments = " ".join(argv[1:])
    deadline = time.monotonic() + within
    while True:
        found = identify(pid, proc)
        if found is None or _runs(found.command, arguments) or time.monotonic() >= deadline:
            return found
        time.sleep(_EXEC_POLL_SECONDS)


def _runs(command: str, arguments: str) -> bool:
    return command.endswith(f" {arguments}") if arguments else command != ""


def _from_ps(pid: int) -> ProcessIdentity | None:
    """Without /proc (macOS): ``ps`` gives the start time to the second, which a reboot always changes."""
    state, started, command = (_ps(pid, field) for field in ("stat=", "lstart=", "args="))
    if state is None or state.startswith(_DEAD_STATES) or started is None or command is None:
        return None
    return ProcessIdentity(f"ps:{started}", command)


def _ps(pid: int, field: str) -> str | None:
    command = ["ps", "-ww", "-p", str(pid), "-o", field]
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603 - ps on PATH, our pid
    if done.returncode != 0:
        return None  # no such process
    return done.stdout.strip() or None
