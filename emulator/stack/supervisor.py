"""The embedded profile's supervisor: the AWS endpoint and the catalog as host processes.

State lives in the state directory (``.lakehouse/`` by default, git-ignored; its paths are named in
core/state_layout.py), versioned by its
``VERSION`` file (emulator/state_format.py; an incompatible one is refused with what to do):
``aws/`` (the AWS endpoint's journal and snapshot: S3, IAM, Glue, Step Functions, Logs, KMS,
SNS, EventBridge), ``catalog.db`` (the catalog's SQLite), ``runs/`` (job-run work directories),
``terraform/`` (the local apply's state), process logs, the stack record and ``stack.env``
(emulator/stack/record.py: the processes with their identities, and the environment a client needs).

State is durable: ``down``/``up``, a reboot or ``kill -9`` of either process keep it. The AWS
endpoint puts every acknowledged write on disk before answering, and the catalog commits its
SQLite before answering, so after a crash of either the catalog only points at metadata that S3
has. ``up`` starts only the services that are not running (a healthy one keeps its pid and its
memory); ``up --fresh`` and ``reset`` wipe the state first.

Start-up is fast because nothing here imports what the services load (moto, pyiceberg, FastAPI):
both processes are spawned at once and each reports ready when its health check answers. A pid
is signalled only while it still names the process ``up`` started (its identity is in the record).
"""

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from emulator import state_format
from emulator.settings import REPO_ROOT, Settings
from emulator.stack import record
from emulator.stack.base import Say, ServiceStart, ServiceState, StartReport
from emulator.stack.errors import StackError
from emulator.stack.identity import identify, identify_exec
from emulator.stack.record import RECORD_FILE, STACK_ENV, Liveness, ProcessRecord, write_client_env
from emulator.stack.services import BY_NAME, EMBEDDED_SERVICES, Service

__all__ = ["PID_FILE", "SERVICES", "STACK_ENV", "EmbeddedStack", "StackError", "write_client_env"]

SERVICES = tuple(service.name for service in EMBEDDED_SERVICES)
PID_FILE = RECORD_FILE
READY_TIMEOUT_SECONDS = 60.0
POLL_SECONDS = 0.05  # between health checks while a service starts
STOP_TIMEOUT_SECONDS = 15.0
# How long a running service may take to answer before `up` judges it hung and restarts it: a busy
# endpoint (a warm driver warming up on 2 cores) can be slower than one health check's timeout.
UNRESPONSIVE_AFTER_SECONDS = 20.0
# What `up --fresh` and `reset` delete; logs and Terraform's provider cache are kept by --fresh.
STATE_ENTRIES = (*state_format.STATE_ENTRIES, state_format.VERSION_FILE)


def _quiet(_: str) -> None:
    """Progress nobody asked to see."""


@dataclass(frozen=True)
class ServiceStatus:
    name: str
    pid: int | None
    alive: bool  # the recorded process runs (a stale or missing record: False)
    healthy: bool
    url: str


def _healthy(settings: Settings, service: Service) -> bool:
    """Its health check answers 200 (http.client, not urllib: `up` should not pay for urllib's imports)."""
    connection = http.client.HTTPConnection(settings.host, service.port(settings), timeout=2)
    try:
        connection.request("GET", service.health_path)
        return connection.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


def _port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0


def _recorded(settings: Settings) -> dict[str, ProcessRecord]:
    current = record.read(settings)
    return dict(current.processes) if current is not None and current.profile == "embedded" else {}


def _running(name: str, process: ProcessRecord | None, say: Say) -> bool:
    """The recorded process still runs; a stale record (its pid reused) is said, never trusted."""
    if process is None:
        return False
    examined = record.examine(name, process)
    if examined.liveness is Liveness.STALE:
        say(record.stale_message(name, process, examined.found))
    return examined.liveness is Liveness.RUNNING


def running_profile(settings: Settings) -> str | None:
    """ "embedded", "compose", or None when no stack was started from this state directory."""
    current = record.read(settings)
    return current.profile if current is not None else None


def status(settings: Settings) -> list[ServiceStatus]:
    processes = _recorded(settings)
    statuses = []
    for service in EMBEDDED_SERVICES:
        process = processes.get(service.name)
        alive = _running(service.name, process, _quiet)
        healthy = _healthy(settings, service)
        statuses.append(ServiceStatus(service.name, process.pid if process else None, alive, healthy,
                                      service.url(settings)))  # fmt: skip
    return statuses


def is_up(settings: Settings) -> bool:
    """Both services answer their health checks, whichever profile runs them."""
    return all(_healthy(settings, service) for service in EMBEDDED_SERVICES)


def _check_ports(settings: Settings, services: Sequence[str]) -> None:
    for name in services:
        service = BY_NAME[name]
        port = service.port(settings)
        if _port_in_use(settings.host, port):
            variable = service.port_variable
            raise StackError(
                f"port {settings.host}:{port} ({name}) is already in use by another program: stop it, "
                f"or choose another port with {variable}=<port> (e.g. `{variable}={port + 1} just up`)"
            )


def _command(service: str, options: Sequence[str] = ()) -> list[str]:
    return [sys.executable, "-m", "emulator", "serve", service, *options]


def _spawn(settings: Settings, service: str, command: Sequence[str]) -> subprocess.Popen[bytes]:
    logs = settings.layout.logs
    logs.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "LAKEHOUSE_HOST": settings.host,
        "LAKEHOUSE_AWS_PORT": str(settings.aws_port),
        "LAKEHOUSE_CATALOG_PORT": str(settings.catalog_port),
        "LAKEHOUSE_STATE_DIR": str(settings.state_dir),
        "PYTHONUNBUFFERED": "1",
    }
    with (logs / f"{service}.log").open("ab") as log:
        return subprocess.Popen(  # noqa: S603 - our own module, by the current interpreter
            command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: `down` signals the service and its job runs
        )  # fmt: skip


def _wipe_state(settings: Settings, *, logs: bool) -> None:
    terraform = settings.layout.terraform
    paths = [settings.state_dir / name for name in STATE_ENTRIES]
    paths += list(settings.state_dir.glob(f"{settings.catalog_db.name}-*"))  # SQLite's -journal/-wal files
    paths += [terraform, settings.layout.logs] if logs else list(terraform.glob("local.tfstate*"))
    for path in paths:
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)


def _signal_group(pid: int, signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signum)


def _stop(name: str, process: ProcessRecord, say: Say) -> None:
    """SIGTERM (the process's clean shutdown: the AWS endpoint snapshots its state), SIGKILL after 15 s;
    only while the pid still names the recorded process."""
    if not _running(name, process, say):
        return
    say(f"stopping {name} (pid {process.pid})")
    _signal_group(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    while _running(name, process, _quiet) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _running(name, process, _quiet):
        _signal_group(process.pid, signal.SIGKILL)
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        while _running(name, process, _quiet) and time.monotonic() < deadline:  # its port is free once it is gone
            time.sleep(0.1)


def _to_start(settings: Settings, say: Say) -> tuple[list[str], dict[str, ProcessRecord]]:
    """The services that need a process (not running, or running but not answering: then stopped),
    and the recorded processes that are up and kept."""
    missing, kept = [], {}
    processes = _recorded(settings)
    for service in EMBEDDED_SERVICES:
        process = processes.get(service.name)
        if process is not None and _running(service.name, process, say):
            if _answers(settings, service, UNRESPONSIVE_AFTER_SECONDS):  # kept; an old record's gets its identity
                kept[service.name] = ProcessRecord(process.pid, process.identity or identify(process.pid))
                continue
            _stop(service.name, process, say)
        missing.append(service.name)
    return missing, kept


def _answers(settings: Settings, service: Service, within: float) -> bool:
    deadline = time.monotonic() + within
    while not _healthy(settings, service):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.5)
    return True


def _wait_ready(settings: Settings, processes: dict[str, subprocess.Popen[bytes]], spawned_at: dict[str, float],
                say: Say, began: float) -> list[ServiceStart]:  # fmt: skip
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    pending = set(processes)
    ready: list[ServiceStart] = []
    while pending:
        for name in sorted(pending):
            if processes[name].poll() is not None:
                raise StackError(f"{name} exited during start-up:\n{tail_log(settings, name, 30)}")
            if _healthy(settings, BY_NAME[name]):
                pending.discard(name)
                ready.append(ServiceStart(name, processes[name].pid, spawned_at[name], time.time()))
                say(f"  {name} ready in {ready[-1].ready_at - began:.1f}s")
        if pending and time.monotonic() > deadline:
            raise StackError(
                f"{', '.join(sorted(pending))} not ready after {READY_TIMEOUT_SECONDS:.0f}s; see `just logs`"
            )
        if pending:
            time.sleep(POLL_SECONDS)
    return ready


def start(settings: Settings, *, fresh: bool = False, create_buckets: bool = True, say: Say = print) -> StartReport:
    """Start the services that are not running, all at once, and wait until each answers.

    ``fresh``: stop everything and wipe the state first (logs kept). ``create_buckets``: the AWS
    endpoint creates the stack's buckets if absent (off for an apply that must own them)."""
    began, started = time.time(), time.monotonic()
    if fresh:
        down(settings, say=_quiet)
        _wipe_state(settings, logs=False)
    try:
        state_format.ensure(settings.state_dir)
    except state_format.StateFormatError as e:
        raise StackError(str(e)) from e
    services, kept = _to_start(settings, say)
    if not services:
        say("the lakehouse is already up")
        return StartReport("embedded", 0.0, began, kept=tuple(kept))
    _check_ports(settings, services)
    options = {"aws": [] if create_buckets else ["--no-buckets"], "catalog": []}
    commands = {name: _command(name, options[name]) for name in services}
    processes, spawned_at = {}, {}
    for name in services:
        processes[name] = _spawn(settings, name, commands[name])
        spawned_at[name] = time.time()
    # Read once the exec is done (Popen returns before the kernel has set up the service's arguments):
    # a command line read mid-exec never matches the service again, and `up` and `down` would disown it.
    new = {name: ProcessRecord(p.pid, identify_exec(p.pid, commands[name])) for name, p in processes.items()}
    record.write(settings, "embedded", {**kept, **new})
    say(
        f"starting the lakehouse (embedded): {', '.join(services)} ..." + (f" ({', '.join(kept)} kept)" if kept else "")
    )
    try:
        ready = _wait_ready(settings, processes, spawned_at, say, began)
    except StackError:
        for name in processes:
            _stop(name, new[name], _quiet)
        raise
    write_client_env(settings)
    return StartReport("embedded", time.monotonic() - started, began, tuple(ready), tuple(kept))


def up(settings: Settings, *, fresh: bool = False, create_buckets: bool = True, say: Say = print) -> float:
    """``start``, returning only the seconds until every service answered."""
    return start(settings, fresh=fresh, create_buckets=create_buckets, say=say).seconds


def down(settings: Settings, *, say: Say = print) -> None:
    """Stop both services (SIGTERM, then SIGKILL after 15 s) and remove the stack record; state is kept.

    A record whose pid now names another process (after a reboot) is said to be stale and dropped,
    and that process is left alone."""
    for name, process in _recorded(settings).items():
        _stop(name, process, say)
    record.forget(settings)


def reset(settings: Settings, *, say: Say = print) -> None:
    """Stop the stack and delete all of its state, logs and Terraform's files included."""
    down(settings, say=say)
    if settings.state_dir.is_dir():
        _wipe_state(settings, logs=True)
    say(f"reset: {settings.state_dir} holds no stack state")


def _log_path(settings: Settings, service: str) -> Path:
    return settings.layout.service_log(service)


def tail_log(settings: Settings, service: str, lines: int = 50) -> str:
    path = _log_path(settings, service)
    if not path.is_file():
        return f"(no log yet at {path})"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


class EmbeddedStack:
    """The ``Stack`` of host processes, supervised from the CLI."""

    profile = "embedded"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def up(self, *, fresh: bool = False, create_buckets: bool = True, say: Say = print) -> StartReport:
        return start(self.settings, fresh=fresh, create_buckets=create_buckets, say=say)

    def down(self, *, say: Say = print) -> None:
        down(self.settings, say=say)

    def status(self) -> list[ServiceState]:
        lines = []
        for service in status(self.settings):
            state = "up" if service.alive and service.healthy else ("not answering" if service.alive else "down")
            pid = f"  pid {service.pid}" if service.alive else ""
            lines.append(ServiceState(service.name, state, service.alive and service.healthy, f"{service.url}{pid}"))
        return lines

    def logs(self, service: str, lines: int, follow: bool) -> None:
        if service not in SERVICES:
            raise StackError(
                f"the embedded lakehouse has no {service} service (its services: {', '.join(SERVICES)}); "
                "a Glue run's output is in CloudWatch Logs, /aws-glue/jobs/output"
            )
        sys.stdout.write(tail_log(self.settings, service, lines) + "\n")
        path = _log_path(self.settings, service)
        if not (follow and path.is_file()):
            return
        with path.open(errors="replace") as log:
            log.seek(0, os.SEEK_END)
            while True:
                line = log.readline()
                if line:
                    sys.stdout.write(line)
                    sys.stdout.flush()
                else:
                    time.sleep(0.3)

    def reset(self, *, say: Say = print) -> None:
        reset(self.settings, say=say)

    def env(self) -> dict[str, str]:
        return self.settings.client_environment()
