"""Cold start of a local Spark driver: the baseline vs each kept tuning vs all of them, A/B in one run.

Two workloads, each in a fresh process, variants alternating round by round:

- ``probe``: a bare ``core.get_spark()`` session (Hadoop catalog in a temp folder) and its first
  action; prints the session build time, the first action's time and the driver JVM's CPU seconds
  (CPU is the figure a busy machine distorts least).
- ``customers``: ``jobs/customers/job_customer_delta.py`` on its 10-row sample, run directly as
  ``just run`` does, against a lakehouse stack (the one named by LAKEHOUSE_* settings; started and
  stopped here if it is not running). Wall time of the process.

``--candidates`` adds the tunings that were tried and not kept, to show why. Every variant is an
environment overlay: kept tunings are config keys (``DOMAIN_PROJECT_SPARK_*``), candidates pass
``--conf`` through ``PYSPARK_SUBMIT_ARGS``.

    uv run python -m bench.cold_start [--rounds 3] [--candidates] [--only probe|customers]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from emulator.stack.identity import stat_fields

JOB = "customers_customer_delta"
RUN_DATE = "2026-11-25"


@dataclass(frozen=True)
class Variant:
    name: str
    env: Mapping[str, str]
    why: str


def _submit_conf(*pairs: str) -> dict[str, str]:
    return {"PYSPARK_SUBMIT_ARGS": " ".join(f"--conf {p}" for p in pairs) + " pyspark-shell"}


# Everything kept, switched off: the session as it was before this tuning.
BASELINE_OFF = {"DOMAIN_PROJECT_SPARK_CLASS_SHARING": "false"}
KEPT = {
    "class sharing": ({"DOMAIN_PROJECT_SPARK_CLASS_SHARING": "true"}, "AppCDS archive of the driver's classes"),
}
CANDIDATES = {
    "C2 JIT + G1": ({"DOMAIN_PROJECT_SPARK_FAST_START": "false"}, "the JVM defaults instead of C1 + serial GC"),
    "1 shuffle partition": ({"DOMAIN_PROJECT_SPARK_SHUFFLE_PARTITIONS": "1"}, "vs 4"),
    "no AQE": (_submit_conf("spark.sql.adaptive.enabled=false"), "adaptive execution off"),
    "no whole-stage codegen": (_submit_conf("spark.sql.codegen.wholeStage=false"), "no Janino per stage"),
    "S3A tuned": (
        _submit_conf(
            "spark.hadoop.fs.s3a.directory.marker.retention=keep",
            "spark.hadoop.fs.s3a.fast.upload.buffer=bytebuffer",
            "spark.hadoop.fs.s3a.attempts.maximum=1",
        ),
        "keep directory markers, upload from memory, no retries",
    ),
    "no archive relocation": (
        _submit_conf("spark.driver.defaultJavaOptions='-XX:+UnlockDiagnosticVMOptions -XX:ArchiveRelocationMode=0'"),
        "map the archive at its recorded address",
    ),
}


def variants(with_candidates: bool) -> list[Variant]:
    kept_on = {k: v for env, _ in KEPT.values() for k, v in env.items()}
    chosen = [Variant("baseline", BASELINE_OFF, "before this tuning")]
    chosen += [Variant(name, {**BASELINE_OFF, **env}, why) for name, (env, why) in KEPT.items()]
    if len(KEPT) > 1:
        chosen.append(Variant("all kept", kept_on, "every kept tuning together"))
    if with_candidates:
        chosen += [Variant(f"all kept + {name}", {**kept_on, **env}, why) for name, (env, why) in CANDIDATES.items()]
    return chosen


# ---------------------------------------------------------------- the probe (run in its own process)


def probe() -> None:
    """One cold session and its first action; prints a JSON line with the timings."""
    started = time.monotonic()
    from core.config import load_config
    from core.spark_session import get_spark

    with tempfile.TemporaryDirectory(prefix="cold-start-") as warehouse:
        config = load_config({"catalog_type": "hadoop", "warehouse": Path(warehouse).as_uri()})
        imported = time.monotonic()
        spark = get_spark(config, app_name="cold-start-probe")
        session = time.monotonic()
        rows = spark.createDataFrame([(i % 3, i) for i in range(30)], "k INT, v INT").groupBy("k").sum("v").collect()
        first_action = time.monotonic()
        assert sorted(tuple(r) for r in rows) == [(0, 135), (1, 145), (2, 155)], rows
        jvm_pid = spark.sparkContext._gateway.proc.pid  # the driver JVM pyspark launched
        cpu_s, pss_mb = _cpu_seconds(jvm_pid), _pss_mb(jvm_pid)
        print(json.dumps({"imports": imported - started, "session": session - imported,
                          "first_action": first_action - session, "jvm_cpu": cpu_s, "jvm_pss_mb": pss_mb}))  # fmt: skip


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far, from /proc (Linux)."""
    fields = stat_fields(Path(f"/proc/{pid}/stat").read_text())
    return (int(fields[14 - 3]) + int(fields[15 - 3])) / os.sysconf("SC_CLK_TCK")  # proc(5): utime, stime


def _pss_mb(pid: int) -> float:
    """Proportional set size: the JVM's memory, archive pages shared with other JVMs split between them."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no Pss in /proc/{pid}/smaps_rollup")


# ---------------------------------------------------------------- the driver side


@dataclass
class Results:
    samples: dict[str, dict[str, list[float]]] = field(default_factory=dict)

    def add(self, variant: str, metric: str, value: float) -> None:
        self.samples.setdefault(variant, {}).setdefault(metric, []).append(value)

    def table(self, metrics: list[str], unit: str = "s") -> str:
        header = f"{'variant':<34}" + "".join(f"{m + ' best/median':>28}" for m in metrics)
        lines = [header]
        base = self.samples.get("baseline", {})
        for variant, by_metric in self.samples.items():
            cells = []
            for metric in metrics:
                values = by_metric.get(metric)
                if not values:
                    cells.append(f"{'-':>28}")
                    continue
                best, median = min(values), statistics.median(values)
                gain = ""
                if variant != "baseline" and base.get(metric):
                    gain = (
                        f" ({100 * (median - statistics.median(base[metric])) / statistics.median(base[metric]):+.0f}%)"
                    )
                cells.append(f"{f'{best:.1f}/{median:.1f}{unit}{gain}':>28}")
            lines.append(f"{variant:<34}" + "".join(cells))
        return "\n".join(lines)


def _run(command: list[str], env: Mapping[str, str]) -> tuple[float, str]:
    started = time.monotonic()
    done = subprocess.run(command, env=dict(env), capture_output=True, text=True, check=False)
    elapsed = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command[:3])} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return elapsed, done.stdout


def _clean_env(overlay: Mapping[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYSPARK_SUBMIT_ARGS"}
    return {**env, **overlay}


def _customers_runner(stack_env: Mapping[str, str]) -> Callable[[Mapping[str, str]], float]:
    from core.args import glue_argv
    from emulator.glue_runtime import PYTHONPATH_DIR
    from emulator.settings import REPO_ROOT
    from tools.manifest import load_manifests

    spec = load_manifests().jobs[JOB]
    argv = glue_argv(str(spec.script_path), job_name=JOB, run_id="jr_cold_start", default_arguments={},
                     run_arguments={"--run_date": RUN_DATE})  # fmt: skip
    python_path = f"{PYTHONPATH_DIR}{os.pathsep}{REPO_ROOT}"

    def run(overlay: Mapping[str, str]) -> float:
        env = _clean_env({**stack_env, "PYTHONPATH": python_path, **overlay})
        elapsed, _ = _run([sys.executable, *argv], env)
        return elapsed

    return run


def _load() -> str:
    return os.getloadavg().__repr__()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--candidates", action="store_true", help="also the tunings tried and not kept")
    parser.add_argument("--only", choices=["probe", "customers"])
    parser.add_argument("--variants", help="comma-separated variant names to run (default: all chosen)")
    parser.add_argument("--probe", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.probe:
        probe()
        return
    from core.class_sharing import main as record_archive

    started = time.monotonic()
    record_archive([])  # the archive exists before anything is timed (recording it is bootstrap's cost)
    print(f"class-sharing archive ready ({time.monotonic() - started:.0f} s)")
    chosen = variants(options.candidates)
    if options.variants:
        wanted = options.variants.split(",")
        chosen = [v for v in chosen if v.name in wanted]
        if missing := set(wanted) - {v.name for v in chosen}:
            raise SystemExit(f"unknown variants {sorted(missing)}; known: {[v.name for v in variants(True)]}")
    results = Results()
    customers = None
    stop_stack: Callable[[], None] = lambda: None  # noqa: E731
    if options.only != "probe":
        from emulator.settings import load_settings
        from emulator.stack import supervisor
        from tools.data.samples import seed_raw
        from tools.deploy.lakehouse import deploy_local

        settings = load_settings()
        if not supervisor.is_up(settings):
            supervisor.up(settings, say=lambda _: None)
            stop_stack = lambda: supervisor.down(settings, say=lambda _: None)  # noqa: E731
        deploy_local(settings, say=lambda _: None)  # the jobs exactly as Terraform deploys them
        seed_raw(settings)
        customers = _customers_runner(settings.client_environment())
    print(f"{len(chosen)} variants x {options.rounds} rounds; load at start {_load()}")
    try:
        for round_no in range(options.rounds):
            order = chosen if round_no % 2 == 0 else list(reversed(chosen))  # alternate who goes first
            for variant in order:
                if options.only != "customers":
                    env = _clean_env(variant.env)
                    wall, out = _run([sys.executable, "-m", "bench.cold_start", "--probe"], env)
                    timings = json.loads(out.strip().splitlines()[-1])
                    results.add(variant.name, "probe process", wall)
                    for metric in ("session", "first_action", "jvm_cpu", "jvm_pss_mb"):
                        results.add(variant.name, metric, timings[metric])
                if customers is not None:
                    results.add(variant.name, "customers job", customers(variant.env))
                print(f"  round {round_no + 1} {variant.name}: done (load {_load()})", flush=True)
    finally:
        stop_stack()
    print()
    print(results.table(["session", "first_action", "jvm_cpu", "probe process", "customers job"]))
    print(results.table(["jvm_pss_mb"], unit=" MB"))
    print(f"load at end {_load()}; {os.cpu_count()} CPUs")
    for variant in chosen:
        print(f"  {variant.name}: {variant.why}")


if __name__ == "__main__":
    main()
