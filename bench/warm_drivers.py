"""Warm job drivers, side by side in one run: the customers job on its sample as a cold and as a warm
Glue run (StartJobRun → SUCCEEDED), run directly (`python jobs/customers/job_customer_delta.py`, as
bench/glue_run_overhead.py does) against the same stack, the demo pipeline (3 jobs × 2 days through
Step Functions) cold and warm, and the memory of the idle stack with its pool.

One stack of its own (LAKEHOUSE_STATE_DIR / LAKEHOUSE_AWS_PORT / LAKEHOUSE_CATALOG_PORT; defaults: a
temporary directory and free ports), deployed once; its AWS endpoint is restarted between the cold
half (LAKEHOUSE_GLUE_WARM_DRIVERS=0) and the warm half (=BENCH_WARM_DRIVERS, default 1), its state
kept. A warm run is timed once the pool's drivers are warm (the health answer says so), as a
developer's next run after a pause; the pipeline's runs follow one another without waiting, as Step
Functions starts them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from core.args import glue_argv
from core.run_states import EXECUTION_SUCCEEDED, SUCCEEDED
from emulator.aws.server import HEALTH_PATH
from emulator.glue_runtime import PYTHONPATH_DIR
from emulator.settings import REPO_ROOT, Settings, load_settings
from emulator.stack import supervisor
from emulator.stack.identity import stat_fields
from tests.emulator.servers import free_port
from tools.data.samples import seed_raw
from tools.deploy.lakehouse import deploy_local
from tools.local.demo import DEMO_PIPELINE, sample_run_dates
from tools.local.glue_run import run_glue_job
from tools.local.pipeline import run_pipeline
from tools.manifest import load_manifests

JOB = "customers_customer_delta"
ARGUMENTS = {"--run_date": "2026-11-25"}
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))  # fewer on a busy machine
WARM_UP_TIMEOUT = 600.0
POOL_SETTING = "LAKEHOUSE_GLUE_WARM_DRIVERS"
POOL_SIZE = int(os.environ.get("BENCH_WARM_DRIVERS", "1"))  # the warm half's pool


def quiet(_: str) -> None:
    return None


def bench_settings() -> Settings:
    environ = dict(os.environ)
    environ.setdefault("LAKEHOUSE_STATE_DIR", tempfile.mkdtemp(prefix="bench-warm-drivers-"))
    environ.setdefault("LAKEHOUSE_AWS_PORT", str(free_port()))
    environ.setdefault("LAKEHOUSE_CATALOG_PORT", str(free_port()))
    for name in ("LAKEHOUSE_STATE_DIR", "LAKEHOUSE_AWS_PORT", "LAKEHOUSE_CATALOG_PORT"):
        os.environ[name] = environ[name]  # what deploy_local and the stack's processes read
    return load_settings(environ)


def restart(settings: Settings, pool: int) -> None:
    supervisor.down(settings, say=quiet)
    os.environ[POOL_SETTING] = str(pool)  # the AWS endpoint's process reads it (supervisor passes os.environ)
    supervisor.up(settings, say=quiet)


def _pool(settings: Settings) -> dict[str, int]:
    with urllib.request.urlopen(f"{settings.aws_endpoint}{HEALTH_PATH}", timeout=5) as answer:  # noqa: S310
        status: dict[str, int] = json.loads(answer.read())["warm_drivers"]
    return status


def wait_for_warm_pool(settings: Settings) -> float:
    started = time.monotonic()
    while (status := _pool(settings))["ready"] < max(1, status["size"]):
        if time.monotonic() - started > WARM_UP_TIMEOUT:
            raise TimeoutError(f"the warm pool is not ready after {WARM_UP_TIMEOUT:.0f}s: {status}")
        time.sleep(0.2)
    return time.monotonic() - started


def _glue_run(settings: Settings) -> float:
    started = time.monotonic()
    run = run_glue_job(settings, JOB, ARGUMENTS, say=quiet)
    if run["JobRunState"] != SUCCEEDED:
        raise RuntimeError(f"{JOB} run {run['Id']} ended {run['JobRunState']}: {run.get('ErrorMessage')}")
    return time.monotonic() - started


def _direct(settings: Settings) -> float:
    spec = load_manifests().jobs[JOB]
    env = {**os.environ, **settings.client_environment(), "PYTHONPATH": f"{PYTHONPATH_DIR}{os.pathsep}{REPO_ROOT}"}
    argv = glue_argv(str(spec.script_path), job_name=JOB, run_id="jr_bench", default_arguments={},
                     run_arguments=dict(ARGUMENTS))  # fmt: skip
    started = time.monotonic()
    subprocess.run([sys.executable, *argv], env=env, check=True, capture_output=True)
    return time.monotonic() - started


def pipeline_all_days(settings: Settings, pipeline: str = DEMO_PIPELINE) -> float:
    """Seconds to run ``pipeline`` once per sample day, one after the other, each ending SUCCEEDED."""
    started = time.monotonic()
    for run_date in sample_run_dates():
        described = run_pipeline(settings, pipeline, {"run_date": run_date}, say=quiet, poll=0.2)
        if described["status"] != EXECUTION_SUCCEEDED:
            raise RuntimeError(f"pipeline {pipeline} {run_date}: {described.get('cause', described['status'])}")
    return time.monotonic() - started


def _children(pid: int) -> list[int]:
    kids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_fields(stat.read_text())
        except OSError:
            continue
        if int(fields[4 - 3]) == pid:  # proc(5): field 4 is the parent
            kids.append(int(stat.parent.name))
    return kids


def _rss_bytes(settings: Settings) -> int:
    """Resident memory of the stack's processes and everything they started (the pool's drivers, JVMs)."""
    pending = [s.pid for s in supervisor.status(settings) if s.pid is not None and s.alive]
    total, seen = 0, set()
    while pending:
        pid = pending.pop()
        if pid in seen:
            continue
        seen.add(pid)
        pending += _children(pid)
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        total += next((int(line.split()[1]) * 1024 for line in status.splitlines() if line.startswith("VmRSS:")), 0)
    return total


def _times(values: list[float]) -> str:
    return ", ".join(f"{v:.1f}s" for v in values)


def main() -> None:
    settings = bench_settings()
    load: dict[str, Any] = {"before": os.getloadavg()}
    restart(settings, pool=0)
    deploy_local(settings, say=quiet)
    seed_raw(settings)
    direct = [_direct(settings) for _ in range(ROUNDS)]
    cold = [_glue_run(settings) for _ in range(ROUNDS)]
    cold_pipeline = pipeline_all_days(settings)
    restart(settings, pool=POOL_SIZE)
    first_warm_up = wait_for_warm_pool(settings)
    time.sleep(2)  # let the warm-up's last work settle before reading memory
    idle_rss = _rss_bytes(settings)
    warm, refills = [], []
    for _ in range(ROUNDS):
        warm.append(_glue_run(settings))
        refills.append(wait_for_warm_pool(settings))
    warm_pipeline = pipeline_all_days(settings)
    load["after"] = os.getloadavg()
    supervisor.down(settings, say=quiet)
    print(f"{JOB} on its sample ({ROUNDS} rounds), StartJobRun → SUCCEEDED:")
    print(f"  direct `python job_customer_delta.py`: {_times(direct)} (best {min(direct):.1f}s)")
    print(f"  cold Glue run:                        {_times(cold)} (best {min(cold):.1f}s)")
    print(f"  warm Glue run:                        {_times(warm)} (best {min(warm):.1f}s)")
    print(f"  pool refill after each warm run:      {_times(refills)}; first warm-up {first_warm_up:.1f}s")
    print(f"demo pipeline {DEMO_PIPELINE}, 3 jobs x {len(sample_run_dates())} days via Step Functions:")
    print(f"  cold {cold_pipeline:.1f}s, warm {warm_pipeline:.1f}s")
    print(f"idle stack with {POOL_SIZE} warm driver(s): {idle_rss / 1024**3:.2f} GiB resident (stack processes + pool)")
    before, after = (" ".join(f"{x:.1f}" for x in load[k]) for k in ("before", "after"))
    print(f"machine: {os.cpu_count()} cores; load average before {before}, after {after}")


if __name__ == "__main__":
    main()
