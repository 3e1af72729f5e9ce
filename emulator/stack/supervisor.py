"""The embedded profile's supervisor: the AWS endpoint and the catalog as host processes.

State lives in the state directory (``.lakehouse/`` by default, git-ignored): the catalog's
SQLite database, job-run work directories, process logs, the pid file and ``stack.env``,
the environment a client needs (read by ``core.config`` and ``just env``).

Consistency across restarts: S3 (moto) lives in the AWS process's memory, so ``up`` also
starts the catalog empty. Both persist for as long as the stack runs; both start empty on
every ``up``.
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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

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
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


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


def _check_ports(settings: Settings) -> None:
    for name, port in (("aws", settings.aws_port), ("catalog", settings.catalog_port)):
        if _port_in_use(settings.host, port):
            variable = "LAKEHOUSE_AWS_PORT" if name == "aws" else "LAKEHOUSE_CATALOG_PORT"
            raise StackError(
                f"port {settings.host}:{port} ({name}) is already in use by another program: stop it, "
                f"or choose another port with {variable}=<port> (e.g. `{variable}={port + 1} just up`)"
            )


def _spawn(settings: Settings, service: str) -> subprocess.Popen[bytes]:
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
            [sys.executable, "-m", "emulator", "serve", service],
            cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip


def _reset_state(settings: Settings) -> None:
    """Fresh catalog, job runs and local Terraform state (S3 restarts empty with its process);
    logs and Terraform's provider cache are kept."""
    stale_terraform_state = list((settings.state_dir / "terraform").glob("local.tfstate*"))
    for path in (settings.catalog_db, settings.runs_dir, *stale_terraform_state):
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)


def up(settings: Settings, *, say: Callable[[str], None] = print) -> float:
    """Start both services and wait until they answer; returns seconds to ready."""
    started = time.monotonic()
    if running_profile(settings) == "embedded" and is_up(settings):
        say("the lakehouse is already up")
        return 0.0
    stale = [s for s in status(settings) if s.alive]
    if stale:
        down(settings, say=lambda _: None)
    _check_ports(settings)
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    _reset_state(settings)
    processes = {name: _spawn(settings, name) for name in SERVICES}
    (settings.state_dir / PID_FILE).write_text(
        json.dumps({"profile": "embedded", "pids": {n: p.pid for n, p in processes.items()}, "started_at": time.time()})
    )
    say(f"starting the lakehouse (embedded): {', '.join(SERVICES)} ...")
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    pending = set(SERVICES)
    while pending:
        for name in sorted(pending):
            if processes[name].poll() is not None:
                down(settings, say=lambda _: None)
                raise StackError(f"{name} exited during start-up:\n{tail_log(settings, name, 30)}")
            if _healthy(_health_url(settings, name)):
                pending.discard(name)
                say(f"  {name} ready after {time.monotonic() - started:.1f}s")
        if pending and time.monotonic() > deadline:
            down(settings, say=lambda _: None)
            raise StackError(
                f"{', '.join(sorted(pending))} not ready after {READY_TIMEOUT_SECONDS:.0f}s; see `just logs`"
            )
        time.sleep(0.1)
    write_client_env(settings)
    return time.monotonic() - started


def down(settings: Settings, *, say: Callable[[str], None] = print) -> None:
    """Stop both services (SIGTERM, then SIGKILL after 15 s) and remove the client environment."""
    pids = _read_pids(settings)
    for name, pid in pids.items():
        if _alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGTERM)
            say(f"stopping {name} (pid {pid})")
    deadline = time.monotonic() + 15
    while any(_alive(pid) for pid in pids.values()) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in pids.values():
        if _alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
    forget_stack(settings)


def reset(settings: Settings, *, say: Callable[[str], None] = print) -> None:
    """Stop the stack and delete all of its state, logs included."""
    down(settings, say=say)
    if settings.state_dir.is_dir():
        for child in settings.state_dir.iterdir():
            if child.name in {"logs", "runs", "catalog.db", "terraform", PID_FILE, STACK_ENV}:
                shutil.rmtree(child) if child.is_dir() else child.unlink()
    say(f"reset: {settings.state_dir} holds no stack state")


def tail_log(settings: Settings, service: str, lines: int = 50) -> str:
    path = settings.state_dir / "logs" / f"{service}.log"
    if not path.is_file():
        return f"(no log yet at {path})"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
