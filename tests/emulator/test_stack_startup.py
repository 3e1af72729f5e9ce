"""`just up` as users run it (`python -m emulator up embedded`, real processes): readiness reported
per service, both services started together, each process recorded with its identity, `up` of a
running stack keeps it, `status` and `down`. No timing is asserted (bench/stack_startup.py measures)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator.settings import Settings, load_settings
from emulator.stack import supervisor
from emulator.stack.identity import ProcessIdentity, identify
from tests.conftest import REPO_ROOT
from tests.emulator.servers import free_port

pytestmark = pytest.mark.e2e
SERVICES = ("aws", "catalog")


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "emulator", *args], cwd=REPO_ROOT, env={**os.environ, **env},
                          capture_output=True, text=True, check=False, timeout=120)  # fmt: skip


@pytest.fixture(scope="module")
def stack_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return {
        "LAKEHOUSE_STATE_DIR": str(tmp_path_factory.mktemp("startup")),
        "LAKEHOUSE_AWS_PORT": str(free_port()),
        "LAKEHOUSE_CATALOG_PORT": str(free_port()),
        "LAKEHOUSE_GLUE_WARM_DRIVERS": "0",  # no Glue run here: no pre-started Spark driver either
    }


@pytest.fixture(scope="module")
def started(stack_env: dict[str, str]) -> Iterator[subprocess.CompletedProcess[str]]:
    """One cold `up embedded` on an empty state directory, shared by this module's tests."""
    done = _cli(stack_env, "up", "embedded")
    yield done
    supervisor.down(load_settings(stack_env), say=lambda _: None)  # whatever a failed test left running


@pytest.fixture
def settings(stack_env: dict[str, str]) -> Settings:
    return load_settings(stack_env)


def _recorded(settings: Settings) -> dict[str, tuple[int, ProcessIdentity]]:
    data = json.loads((settings.state_dir / supervisor.PID_FILE).read_text())
    return {name: (pid, ProcessIdentity(**data["processes"][name])) for name, pid in data["pids"].items()}


def _log_times(settings: Settings, service: str) -> dict[str, float]:
    """The times a service's own log gives for its start and for when it began serving."""
    log = (settings.state_dir / "logs" / f"{service}.log").read_text()
    starting = re.findall(rf"^\[{service}\] process \d+ starting at ([0-9.]+)$", log, re.MULTILINE)
    serving = re.findall(rf"^\[{service}\] serving from ([0-9.]+) ", log, re.MULTILINE)
    assert len(starting) == len(serving) == 1, log
    return {"starting": float(starting[0]), "serving": float(serving[0])}


def test_up_reports_each_service_ready(started: subprocess.CompletedProcess[str]) -> None:
    assert started.returncode == 0, started.stdout + started.stderr
    lines = started.stdout.splitlines()
    assert lines[0] == "starting the lakehouse (embedded): aws, catalog ..."
    ready = sorted(re.fullmatch(r"  (\w+) ready in \d+\.\ds", line)[1] for line in lines[1:3])  # type: ignore[index]
    assert ready == ["aws", "catalog"]
    assert re.fullmatch(r"lakehouse up \(embedded\) in \d+\.\ds", lines[4])


def test_both_services_start_together(started: subprocess.CompletedProcess[str], settings: Settings) -> None:
    """Each process's own log: the second started before the first was serving (not one after the other)."""
    assert started.returncode == 0, started.stderr
    times = {service: _log_times(settings, service) for service in SERVICES}
    assert max(t["starting"] for t in times.values()) < min(t["serving"] for t in times.values()), times


def test_each_process_is_recorded_with_its_identity(
    started: subprocess.CompletedProcess[str], settings: Settings
) -> None:
    assert started.returncode == 0, started.stderr
    recorded = _recorded(settings)
    assert sorted(recorded) == list(SERVICES)
    for name, (pid, identity) in recorded.items():
        assert identify(pid) == identity
        assert identity.command == f"{sys.executable} -m emulator serve {name}"
    assert [(s.name, s.pid, s.alive, s.healthy) for s in supervisor.status(settings)] == [
        (name, recorded[name][0], True, True) for name in SERVICES
    ]


def test_up_again_keeps_the_running_processes(
    started: subprocess.CompletedProcess[str], settings: Settings, stack_env: dict[str, str]
) -> None:
    before = _recorded(settings)
    again = _cli(stack_env, "up", "embedded")
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines()[0] == "the lakehouse is already up"
    assert _recorded(settings) == before


def test_status_lists_both_services_up_with_their_pids(
    started: subprocess.CompletedProcess[str], settings: Settings, stack_env: dict[str, str]
) -> None:
    done = _cli(stack_env, "status")
    assert done.returncode == 0, done.stderr
    pids = {name: pid for name, (pid, _) in _recorded(settings).items()}
    assert done.stdout.splitlines()[:2] == [
        f"aws      up             {settings.aws_endpoint}  pid {pids['aws']}",
        f"catalog  up             {settings.catalog_uri}  pid {pids['catalog']}",
    ]


def test_down_stops_both_and_forgets_them(
    started: subprocess.CompletedProcess[str], settings: Settings, stack_env: dict[str, str]
) -> None:
    recorded = _recorded(settings)
    done = _cli(stack_env, "down")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [f"stopping {name} (pid {pid})" for name, (pid, _) in recorded.items()]
    assert [identify(pid) for pid, _ in recorded.values()] == [None, None]
    assert not (settings.state_dir / supervisor.PID_FILE).exists()
    assert not (settings.state_dir / supervisor.STACK_ENV).exists()
    kept = {path.name for path in Path(settings.state_dir).iterdir()}
    assert {"VERSION", "aws", "catalog.db", "glue", "logs"} <= kept  # the state stays for the next `up`
