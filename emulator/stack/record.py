"""What a running stack leaves in its state directory: the stack record and the client environment.

``stack.json``, the record: which profile runs from this state directory and, for the embedded
one, each service's process with its identity (emulator/stack/identity.py), so that no later
command signals a process that merely inherited a recorded pid::

    {"format": 2, "profile": "embedded", "started_at": 1767000000.0,
     "pids": {"aws": 4711, "catalog": 4712},
     "processes": {"aws": {"started": "<boot id>/<ticks>", "command": "python -m emulator serve aws"}, ...}}

``pids`` keeps format 1's shape (what scripts and the fault tests read). A format-1 record (no
``format`` key, no identities) is trusted only for a process whose command line is that service's
``emulator serve <name>``. ``stack.env``: KEY=VALUE lines for core.config, `just env`, boto3 and
the AWS CLI; both files are removed by `down`.
"""

from __future__ import annotations

import enum
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from core.state_layout import STACK_ENV_NAME, STACK_RECORD_NAME
from emulator.settings import Settings
from emulator.stack.errors import StackError
from emulator.stack.identity import PROC, ProcessIdentity, identify

RECORD_FILE = STACK_RECORD_NAME
STACK_ENV = STACK_ENV_NAME
RECORD_FORMAT = 2


@dataclass(frozen=True)
class ProcessRecord:
    pid: int
    identity: ProcessIdentity | None  # None: a format-1 record, written before identities were kept


@dataclass(frozen=True)
class StackRecord:
    profile: str  # "embedded" or "compose"
    processes: Mapping[str, ProcessRecord]


class Liveness(enum.Enum):
    RUNNING = "running"  # the recorded process is alive
    GONE = "gone"  # no process has the pid any more
    STALE = "stale"  # the pid now names another process: never signal it


@dataclass(frozen=True)
class Examined:
    liveness: Liveness
    found: ProcessIdentity | None  # what runs under the pid now


def examine(name: str, process: ProcessRecord, proc: Path = PROC) -> Examined:
    """Whether the recorded process of service ``name`` still runs, is gone, or its pid was reused."""
    found = identify(process.pid, proc)
    if found is None:
        return Examined(Liveness.GONE, None)
    if process.identity is not None:
        same = found == process.identity or _read_mid_exec(process.identity, found)
        return Examined(Liveness.RUNNING if same else Liveness.STALE, found)
    ours = "emulator" in found.command.split() and f" serve {name}" in found.command
    return Examined(Liveness.RUNNING if ours else Liveness.STALE, found)


def _read_mid_exec(recorded: ProcessIdentity, found: ProcessIdentity) -> bool:
    """A record written before `up` waited for the exec (identity.identify_exec) can hold the empty
    command line of a process still being exec'd. Its start time (the boot and the clock tick, from
    /proc) alone names one process: that record is still the service's, not a reused pid."""
    return recorded.command == "" and not recorded.started.startswith("ps:") and recorded.started == found.started


def stale_message(name: str, process: ProcessRecord, found: ProcessIdentity | None) -> str:
    now = f"`{found.command}`" if found else "another process"
    return (
        f"the pid record of {name} is stale: pid {process.pid} is now {now}, not the process `up` started "
        "(a reboot or pid reuse); not signalled"
    )


def _path(settings: Settings) -> Path:
    return settings.layout.stack_record


def read(settings: Settings) -> StackRecord | None:
    """The record of the stack started from this state directory, or None when there is none."""
    path = _path(settings)
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text())
        if not isinstance(data, dict):
            raise TypeError(f"a JSON {type(data).__name__}, not an object")
        pids = data.get("pids", {})
        identities = data.get("processes", {}) if data.get("format") == RECORD_FORMAT else {}
        processes = {
            str(name): ProcessRecord(int(pid), ProcessIdentity.from_json(identities.get(name)))
            for name, pid in pids.items()
        }
    except (OSError, ValueError, TypeError, AttributeError) as e:
        raise StackError(
            f"the stack record {path} is unreadable ({e}): stop any `python -m emulator serve` process of this "
            "state directory by hand, then delete the file"
        ) from e
    return StackRecord(str(data.get("profile", "embedded")), processes)


def write(settings: Settings, profile: str, processes: Mapping[str, ProcessRecord]) -> None:
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    data = {
        "format": RECORD_FORMAT,
        "profile": profile,
        "started_at": time.time(),
        "pids": {name: process.pid for name, process in processes.items()},
        "processes": {name: p.identity.as_json() for name, p in processes.items() if p.identity is not None},
    }
    temporary = _path(settings).with_suffix(".tmp")
    temporary.write_text(json.dumps(data, indent=1) + "\n")
    temporary.replace(_path(settings))  # a reader sees the old record or the new one, never half of one


def write_client_env(settings: Settings) -> Path:
    """``stack.env``: KEY=VALUE lines for core.config, `just env`, boto3 and the AWS CLI."""
    path = settings.layout.stack_env
    lines = [f"{k}={v}" for k, v in settings.client_environment().items()]
    path.write_text("# written by `python -m emulator up`; removed by `down`\n" + "\n".join(lines) + "\n")
    return path


def forget(settings: Settings) -> None:
    for path in (settings.layout.stack_record, settings.layout.stack_env):
        path.unlink(missing_ok=True)
