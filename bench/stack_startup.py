"""`just up` (embedded) to ready, side by side in one run, each time on spare ports and a throwaway state dir.

1. cold `up` (empty state), as users type it (`uv run just up embedded`) and inside the venv
   (`.venv/bin/just up embedded`: no `uv run`), with readiness per service and each server's own
   start-up CPU (from its log), and `down`;
2. `up` with state: after `down` of a stack holding objects, jobs and an Iceberg table (snapshot restore);
3. idle memory: RSS of both server processes (and anything they started);
4. the same cold `up` with the default warm Glue driver pool, and the stack's memory once the pool is full.

Rows 1-3 run with ``LAKEHOUSE_GLUE_WARM_DRIVERS=0``: what `up` itself costs. The machine is
shared: the load average is printed with every row.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from emulator.settings import REPO_ROOT, load_settings
from emulator.stack import record
from emulator.stack.identity import stat_fields
from tests.emulator.servers import free_port

ROUNDS = 3
UV_JUST = ["uv", "run", "just"]
VENV_JUST = [str(REPO_ROOT / ".venv" / "bin" / "just")]
_READY = re.compile(r"^  (\w+) ready in ([0-9.]+)s$", re.MULTILINE)
_CPU = re.compile(r"^\[(\w+)\] serving from [0-9.]+ \(start-up: ([0-9.]+)s of CPU\)$", re.MULTILINE)


def _load() -> str:
    return "load {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


@contextmanager
def _stack_env(*, warm_drivers: str | None = "0") -> Iterator[dict[str, str]]:
    with tempfile.TemporaryDirectory(prefix="bench-up-") as state:
        env = {**os.environ, "LAKEHOUSE_STATE_DIR": state, "LAKEHOUSE_AWS_PORT": str(free_port()),
               "LAKEHOUSE_CATALOG_PORT": str(free_port())}  # fmt: skip
        env.pop("LAKEHOUSE_GLUE_WARM_DRIVERS", None)
        if warm_drivers is not None:
            env["LAKEHOUSE_GLUE_WARM_DRIVERS"] = warm_drivers
        try:
            yield env
        finally:
            subprocess.run([*VENV_JUST, "down"], cwd=REPO_ROOT, env=env, capture_output=True, check=False)


def _timed(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}")
    return seconds, done.stdout


def _server_cpu(env: dict[str, str]) -> dict[str, float]:
    """Each server's CPU seconds to ready, as its last start in its own log reports."""
    cpu = {}
    for service in ("aws", "catalog"):
        log = Path(env["LAKEHOUSE_STATE_DIR"], "logs", f"{service}.log").read_text()
        cpu[service] = float(_CPU.findall(log)[-1][1])
    return cpu


def _up_row(name: str, command: list[str], env: dict[str, str]) -> float:
    seconds, output = _timed([*command, "up", "embedded"], env)
    ready = ", ".join(f"{service} ready in {float(s):.1f}s" for service, s in _READY.findall(output))
    cpu = ", ".join(f"{service} {s:.2f}s" for service, s in _server_cpu(env).items())
    print(f"  {name:34} {seconds:5.2f}s wall   ({ready}; start-up CPU {cpu})   {_load()}", flush=True)
    return seconds


def _down_row(env: dict[str, str], what: str) -> float:
    seconds, _ = _timed([*VENV_JUST, "down"], env)
    print(f"  {'down (' + what + ')':34} {seconds:5.2f}s wall   {_load()}", flush=True)
    return seconds


def _seed(env: dict[str, str]) -> str:
    """Objects, Glue jobs and an Iceberg table with a few commits: what a stack holds after some use."""
    import pyarrow as pa  # type: ignore[import-untyped]

    from emulator.clients import aws_client
    from tools.data.tables import rest_catalog

    settings = load_settings(env)
    s3, glue = aws_client(settings, "s3"), aws_client(settings, "glue")
    for i in range(200):
        s3.put_object(Bucket=settings.lakehouse.raw_bucket, Key=f"bench/object-{i}.bin", Body=os.urandom(4096))
    for i in range(20):
        glue.create_job(Name=f"bench_job_{i}", Role="arn:aws:iam::123456789012:role/glue", GlueVersion="5.1",
                        Command={"Name": "glueetl", "ScriptLocation": f"s3://x/job_{i}.py"})  # fmt: skip
    catalog = rest_catalog(settings)
    catalog.create_namespace("bench")
    table = catalog.create_table("bench.events", schema=pa.schema([("id", pa.int64()), ("name", pa.string())]))
    for batch in range(10):
        table.append(pa.Table.from_pylist([{"id": batch * 100 + i, "name": f"e{i}"} for i in range(100)]))
    return "200 objects, 20 jobs, 1 table with 10 commits"


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        ppid = int(stat_fields(text)[4 - 3])  # proc(5): field 4 is the parent
        tree.setdefault(ppid, []).append(int(stat.parent.name))
    return tree


def _rss_mib(pid: int) -> float:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    return int(match[1]) / 1024 if match else 0.0


def _memory(env: dict[str, str]) -> dict[str, tuple[float, float]]:
    """Per service: (its own RSS, RSS of what it started: job runs, warm drivers), MiB."""
    current = record.read(load_settings(env))
    assert current is not None, "no stack record"
    tree, memory = _children(), {}
    for name, process in current.processes.items():
        descendants, pending = [], list(tree.get(process.pid, []))
        while pending:
            pid = pending.pop()
            descendants.append(pid)
            pending += tree.get(pid, [])
        memory[name] = (_rss_mib(process.pid), sum(_rss_mib(pid) for pid in descendants))
    return memory


def _memory_row(name: str, env: dict[str, str]) -> None:
    memory = _memory(env)
    parts = ", ".join(f"{service} {own:.0f} MiB" + (f" + {kids:.0f} MiB started by it" if kids else "")
                      for service, (own, kids) in memory.items())  # fmt: skip
    total = sum(own + kids for own, kids in memory.values())
    print(f"  {name:34} {total:5.0f} MiB   ({parts})   {_load()}", flush=True)


def main() -> None:
    print(f"cold `up` (empty state dir), {ROUNDS} rounds each, then `down`:")
    for name, command in (("`.venv/bin/just up embedded`", VENV_JUST), ("`uv run just up embedded`", UV_JUST)):
        seconds = []
        for _ in range(ROUNDS):
            with _stack_env() as env:
                seconds.append(_up_row(name, command, env))
                _down_row(env, "nothing written")
        print(f"  {name} median {statistics.median(seconds):.2f}s", flush=True)
    print("`up` with state, then idle memory:")
    with _stack_env() as env:
        _timed([*VENV_JUST, "up", "embedded"], env)
        held = _seed(env)
        seconds = []
        for _ in range(ROUNDS):
            _down_row(env, held)
            seconds.append(_up_row("`uv run just up embedded`", UV_JUST, env))
        print(f"  `uv run just up` with state median {statistics.median(seconds):.2f}s", flush=True)
        time.sleep(2)
        _memory_row("idle stack (no warm drivers)", env)
    print("with the default warm Glue driver pool:")
    with _stack_env(warm_drivers=None) as env:
        _up_row("`uv run just up embedded`", UV_JUST, env)
        deadline, previous = time.monotonic() + 120, -1.0
        while time.monotonic() < deadline:  # until the pool's drivers stop growing
            time.sleep(5)
            total = sum(own + kids for own, kids in _memory(env).values())
            if abs(total - previous) < 20:
                break
            previous = total
        _memory_row("idle stack with its pool", env)


if __name__ == "__main__":
    main()
