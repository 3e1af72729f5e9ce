"""The embedded profile's supervisor: the AWS endpoint and the catalog as host processes.

State lives in the state directory (``.lakehouse/`` by default, git-ignored), versioned by its
``VERSION`` file (emulator/state_format.py; an incompatible one is refused with what to do):
``aws/`` (the AWS endpoint's journal and snapshot: S3, IAM, Glue, Step Functions, Logs, KMS,
SNS, EventBridge), ``catalog.db`` (the catalog's SQLite), ``runs/`` (job-run work directories),
``terraform/`` (the local apply's state), process logs, the pid file and ``stack.env``, the
environment a client needs (read by ``core.config`` and ``just env``).

State is durable: ``down``/``up``, a reboot or ``kill -9`` of either process keep it. The AWS
endpoint puts every acknowledged write on disk before answering, and the catalog commits its
SQLite before answering, so after a crash of either the catalog only points at metadata that S3
has. ``up`` starts only the services that are not running (a healthy one keeps its pid and its
memory); ``up --fresh`` and ``reset`` wipe the state first.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from emulator import state_format
from emulator.settings import REPO_ROOT, Settings

SERVICES = ("aws", "catalog")
STACK_ENV = "stack.env"
PID_FILE = "stack.json"
READY_TIMEOUT_SECONDS = 60.0


class StackError(RuntimeError):
    """The stack cannot be started, reached or stopped; the message says what to do."""


@dataclass(frozen=True)
class ServiceStatus:
    name: str
    pid: int | None
    alive: bool
    healthy: bool
    url: str


def _health_url(settings: Settings, service: str) -> str:
    from emulator.aws.server import HEALTH_PATH

    return f"{settings.aws_endpoint}{HEALTH_PATH}" if service == "aws" else f"{settings.catalog_uri}/healthz"


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own loopback endpoint
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    # A child of this process (up and down in one program, as in tests) that exited is a zombie
    # until reaped, and signal 0 still reaches it.
    with contextlib.suppress(ChildProcessError):
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return _is_a_service(pid)
    return _is_a_service(pid)


def _is_a_service(pid: int) -> bool:
    """After a reboot the pid file's pids may belong to other programs: never count (or signal) those."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except FileNotFoundError:
        return not Path("/proc/self").exists()  # no /proc (macOS): trust the pid file
    except OSError:
        return False
    return b"emulator" in command and b"serve" in command


def _read_stack_file(settings: Settings) -> dict[str, object]:
    path = settings.state_dir / PID_FILE
    return dict(json.loads(path.read_text())) if path.is_file() else {}


def _read_pids(settings: Settings) -> dict[str, int]:
    pids = _read_stack_file(settings).get("pids", {})
    return {k: int(v) for k, v in pids.items()} if isinstance(pids, dict) else {}


def running_profile(settings: Settings) -> str | None:
    """ "embedded", "compose", or None when no stack was started from this state directory."""
    data = _read_stack_file(settings)
    return str(data.get("profile", "embedded")) if data else None


def record_compose_stack(settings: Settings) -> None:
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    (settings.state_dir / PID_FILE).write_text(json.dumps({"profile": "compose", "started_at": time.time()}))
    write_client_env(settings)


def forget_stack(settings: Settings) -> None:
    for name in (PID_FILE, STACK_ENV):
        (settings.state_dir / name).unlink(missing_ok=True)


def status(settings: Settings) -> list[ServiceStatus]:
    pids = _read_pids(settings)
    urls = {"aws": settings.aws_endpoint, "catalog": settings.catalog_uri}
    return [
        ServiceStatus(name, pids.get(name), _alive(pids.get(name)), _healthy(_health_url(settings, name)), urls[name])
        for name in SERVICES
    ]


def is_up(settings: Settings) -> bool:
    """Both services answer their health checks, whichever profile runs them."""
    return all(_healthy(_health_url(settings, name)) for name in SERVICES)


def write_client_env(settings: Settings) -> Path:
    """``stack.env``: KEY=VALUE lines for core.config, `just env`, boto3 and the AWS CLI."""
    path = settings.state_dir / STACK_ENV
    lines = [f"{k}={v}" for k, v in settings.client_environment().items()]
    path.write_text("# written by `python -m emulator up`; removed by `down`\n" + "\n".join(lines) + "\n")
    return path


def _check_ports(settings: Settings, services: Sequence[str]) -> None:
    for name, port in (("aws", settings.aws_port), ("catalog", settings.catalog_port)):
        if name in services and _port_in_use(settings.host, port):
            variable = "LAKEHOUSE_AWS_PORT" if name == "aws" else "LAKEHOUSE_CATALOG_PORT"
            raise StackError(
                f"port {settings.host}:{port} ({name}) is already in use by another program: stop it, "
                f"or choose another port with {variable}=<port> (e.g. `{variable}={port + 1} just up`)"
            )


def _spawn(settings: Settings, service: str, options: Sequence[str] = ()) -> subprocess.Popen[bytes]:
    logs = settings.state_dir / "logs"
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
            [sys.executable, "-m", "emulator", "serve", service, *options],
            cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip


# What `up --fresh` and `reset` delete; logs and Terraform's provider cache are kept by --fresh.
STATE_ENTRIES = (*state_format.STATE_ENTRIES, state_format.VERSION_FILE)


def _wipe_state(settings: Settings, *, logs: bool) -> None:
    terraform = settings.state_dir / "terraform"
    paths = [settings.state_dir / name for name in STATE_ENTRIES]
    paths += list(settings.state_dir.glob(f"{settings.catalog_db.name}-*"))  # SQLite's -journal/-wal files
    paths += [terraform, settings.state_dir / "logs"] if logs else list(terraform.glob("local.tfstate*"))
    for path in paths:
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)


def _stop(name: str, pid: int, say: Callable[[str], None]) -> None:
    """SIGTERM (the process's clean shutdown: the AWS endpoint snapshots its state), SIGKILL after 15 s."""
    if not _alive(pid):
        return
    say(f"stopping {name} (pid {pid})")
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _alive(pid):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)


def _to_start(settings: Settings, say: Callable[[str], None]) -> list[str]:
    """The services that need a process: not running, or running but not answering (then stopped)."""
    missing = []
    for current in status(settings):
        if current.alive and current.healthy:
            continue
        if current.alive and current.pid is not None:
            _stop(current.name, current.pid, say)
        missing.append(current.name)
    return missing


def _wait_ready(settings: Settings, processes: dict[str, subprocess.Popen[bytes]], started: float,
                say: Callable[[str], None]) -> None:  # fmt: skip
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    pending = set(processes)
    while pending:
        for name in sorted(pending):
            if processes[name].poll() is not None:
                raise StackError(f"{name} exited during start-up:\n{tail_log(settings, name, 30)}")
            if _healthy(_health_url(settings, name)):
                pending.discard(name)
                say(f"  {name} ready after {time.monotonic() - started:.1f}s")
        if pending and time.monotonic() > deadline:
            raise StackError(
                f"{', '.join(sorted(pending))} not ready after {READY_TIMEOUT_SECONDS:.0f}s; see `just logs`"
            )
        time.sleep(0.1)


def up(settings: Settings, *, fresh: bool = False, create_buckets: bool = True,
       say: Callable[[str], None] = print) -> float:  # fmt: skip
    """Start the services that are not running and wait until they answer; returns seconds to ready.

    ``fresh``: stop everything and wipe the state first (logs kept). ``create_buckets``: the AWS
    endpoint creates the stack's buckets if absent (off for an apply that must own them)."""
    started = time.monotonic()
    if fresh:
        down(settings, say=lambda _: None)
        _wipe_state(settings, logs=False)
    try:
        state_format.ensure(settings.state_dir)
    except state_format.StateFormatError as e:
        raise StackError(str(e)) from e
    services = _to_start(settings, say)
    if not services:
        say("the lakehouse is already up")
        return 0.0
    _check_ports(settings, services)
    options = {"aws": [] if create_buckets else ["--no-buckets"], "catalog": []}
    processes = {name: _spawn(settings, name, options[name]) for name in services}
    kept = {name: pid for name, pid in _read_pids(settings).items() if name not in processes and _alive(pid)}
    pids = {**kept, **{name: process.pid for name, process in processes.items()}}
    (settings.state_dir / PID_FILE).write_text(
        json.dumps({"profile": "embedded", "pids": pids, "started_at": time.time()})
    )
    say(
        f"starting the lakehouse (embedded): {', '.join(services)} ..." + (f" ({', '.join(kept)} kept)" if kept else "")
    )
    try:
        _wait_ready(settings, processes, started, say)
    except StackError:
        for name, process in processes.items():
            _stop(name, process.pid, lambda _: None)
        raise
    write_client_env(settings)
    return time.monotonic() - started


def down(settings: Settings, *, say: Callable[[str], None] = print) -> None:
    """Stop both services (SIGTERM, then SIGKILL after 15 s) and remove the client environment; state is kept."""
    for name, pid in _read_pids(settings).items():
        _stop(name, pid, say)
    forget_stack(settings)


def reset(settings: Settings, *, say: Callable[[str], None] = print) -> None:
    """Stop the stack and delete all of its state, logs and Terraform's files included."""
    down(settings, say=say)
    if settings.state_dir.is_dir():
        _wipe_state(settings, logs=True)
    say(f"reset: {settings.state_dir} holds no stack state")


def tail_log(settings: Settings, service: str, lines: int = 50) -> str:
    path = settings.state_dir / "logs" / f"{service}.log"
    if not path.is_file():
        return f"(no log yet at {path})"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
