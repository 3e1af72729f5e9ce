"""The demo pipeline (3 jobs × 2 days through Step Functions) under every pool size and pipeline shape,
alternated in one run, with the CPU each variant cost the machine: where the ≤ 40 s target stands.

Shapes: the pipeline as deployed (three stages, one job each) and the same definition with its first
two stages merged into one Parallel state (customers and sales side by side: neither reads what the
other writes), registered beside it as ``<pipeline>_side_by_side``. Pool sizes: 0 (every run cold),
1 (the default) and 2. Each variant restarts the AWS endpoint with its pool size (state kept), waits
until the pool is warm and the machine has settled, then runs both days. The machine's CPU time
(busy jiffies of /proc/stat, all processes) over the pipeline is the figure that bounds it: on 2
cores a pipeline cannot take less than half its CPU time.

    uv run python -m bench.demo_pipeline_shapes [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

from bench.warm_drivers import bench_settings, pipeline_all_days, quiet, restart, wait_for_warm_pool
from emulator.clients import aws_client
from emulator.settings import Settings
from emulator.stack import supervisor
from tools.data.samples import seed_raw
from tools.deploy.lakehouse import deploy_local
from tools.local.demo import DEMO_PIPELINE, sample_run_dates

SIDE_BY_SIDE = f"{DEMO_PIPELINE}_side_by_side"
POOL_SIZES = (0, 1, 2)
SETTLE_SECONDS = 3.0


@dataclass(frozen=True)
class Measured:
    wall: float
    cpu: float  # machine-wide busy CPU seconds


def _busy_cpu_seconds() -> float:
    with open("/proc/stat") as stat:  # proc(5): the first line sums all CPUs; idle and iowait are fields 4, 5
        jiffies = [int(x) for x in stat.readline().split()[1:]]
    return (sum(jiffies) - jiffies[3] - jiffies[4]) / os.sysconf("SC_CLK_TCK")


def _measured(run: Callable[[], object]) -> Measured:
    cpu, started = _busy_cpu_seconds(), time.monotonic()
    run()
    return Measured(time.monotonic() - started, _busy_cpu_seconds() - cpu)


def _register_side_by_side(settings: Settings) -> None:
    """The deployed definition with Stage1 and Stage2 merged into one Parallel state."""
    sfn = aws_client(settings, "stepfunctions")
    machine = next(m for m in sfn.list_state_machines()["stateMachines"] if m["name"] == DEMO_PIPELINE)
    described = sfn.describe_state_machine(stateMachineArn=machine["stateMachineArn"])
    definition = json.loads(described["definition"])
    states = definition["States"]
    states["Stage1"]["Branches"] += states["Stage2"]["Branches"]
    states["Stage1"]["Next"] = states.pop("Stage2")["Next"]
    sfn.create_state_machine(name=SIDE_BY_SIDE, definition=json.dumps(definition), roleArn=described["roleArn"])


def _variant(settings: Settings, pool: int, pipeline: str) -> Measured:
    restart(settings, pool=pool)
    if pool:
        wait_for_warm_pool(settings)
    time.sleep(SETTLE_SECONDS)
    return _measured(lambda: pipeline_all_days(settings, pipeline))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    options = parser.parse_args()
    settings = bench_settings()
    restart(settings, pool=0)
    deploy_local(settings, say=quiet)
    seed_raw(settings)
    _register_side_by_side(settings)
    load_before = os.getloadavg()
    results: dict[tuple[int, str], list[Measured]] = {}
    for _ in range(options.rounds):
        for pool in POOL_SIZES:
            for pipeline in (DEMO_PIPELINE, SIDE_BY_SIDE):
                results.setdefault((pool, pipeline), []).append(_variant(settings, pool, pipeline))
    load_after = os.getloadavg()
    supervisor.down(settings, say=quiet)
    print(f"demo pipeline, 3 jobs x {len(sample_run_dates())} days, {options.rounds} rounds alternated:")
    for (pool, pipeline), runs in results.items():
        figures = ", ".join(f"{m.wall:.1f} s wall / {m.cpu:.1f} CPU-s" for m in runs)
        print(f"  pool {pool}, {pipeline:<26} {figures}")
    print(f"machine: {os.cpu_count()} cores; load average before {load_before[0]:.1f}, after {load_after[0]:.1f}")


if __name__ == "__main__":
    main()
