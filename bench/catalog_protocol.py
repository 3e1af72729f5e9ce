"""The catalog's protocol costs, in one run:

1. load-table latency (p50/p95, raw HTTP on a kept-alive connection, the JSON parsed as a client would)
   with and without ``If-None-Match``, on a table with ``SNAPSHOTS`` snapshots;
2. appends per second with 1, 4 and 8 concurrent writers on one table: pyiceberg through our REST catalog
   (a separate server process, as the stack runs it) versus pyiceberg's ``SqlCatalog`` used directly on a
   temp SQLite database and local warehouse (the physical limit without HTTP). Each writer is its own
   process, appends one row ``COMMITS_PER_WRITER`` times, and retries on ``CommitFailedException`` (a stale
   snapshot after another writer's commit) after refreshing the table.

Run: ``uv run python -m bench.catalog_protocol``. Numbers depend on the machine's load: report ``uptime``.
"""

from __future__ import annotations

import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pyarrow as pa
import requests
from pyiceberg.catalog import Catalog
from pyiceberg.catalog.rest import RestCatalog
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.exceptions import CommitFailedException
from sqlalchemy.exc import OperationalError

from tests.emulator.servers import free_port

LOAD_ROUNDS = 300
SNAPSHOTS = 30
WRITERS = (1, 4, 8)
COMMITS_PER_WRITER = 10
TABLE = "bench.t"  # the load-latency table
ROW = pa.table({"id": pa.array([1], pa.int64())})

_SERVER = """
import sys, uvicorn
from emulator.catalog.app import create_app
from emulator.catalog.backend import CatalogBackend
db, warehouse, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
uvicorn.run(create_app(CatalogBackend(db, warehouse)), host="127.0.0.1", port=port, log_level="warning")
"""


@contextmanager
def catalog_server(root: Path) -> Iterator[str]:
    """Our catalog in its own process (so the writers' work does not share its interpreter)."""
    port = free_port()
    args = [sys.executable, "-c", _SERVER, str(root / "rest.db"), (root / "rest-wh").as_uri(), str(port)]
    process = subprocess.Popen(args, cwd=Path(__file__).resolve().parent.parent)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(f"{url}/v1/config", timeout=1)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the catalog server did not start") from None
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ms = sorted(s * 1000 for s in samples)
    return statistics.median(ms), ms[int(len(ms) * 0.95)]


def load_latencies(url: str) -> dict[str, tuple[float, float, int]]:
    """p50, p95 (ms) and response bytes of a load-table, unconditional and conditional."""
    client = RestCatalog("bench", uri=url)
    client.create_namespace("bench")
    table = client.create_table(TABLE, ROW.schema)
    for _ in range(SNAPSHOTS):
        table.append(ROW)
    session = requests.Session()
    table_url = f"{url}/v1/namespaces/bench/tables/t"
    etag = session.get(table_url, timeout=10).headers["ETag"]
    results = {}
    for name, headers, status in (("load-table (200)", {}, 200), ("If-None-Match (304)", {"If-None-Match": etag}, 304)):
        samples, size = [], 0
        for _ in range(LOAD_ROUNDS):
            started = time.perf_counter()
            response = session.get(table_url, headers=headers, timeout=10)
            if response.content:
                response.json()
            samples.append(time.perf_counter() - started)
            assert response.status_code == status, response.status_code
            size = len(response.content)
        results[name] = (*_percentiles(samples), size)
    return results


@dataclass(frozen=True)
class WriterResult:
    started: float
    finished: float
    retries: int


def _open(kind: str, where: str) -> Catalog:
    if kind == "rest":
        return RestCatalog("bench", uri=where)
    root = Path(where)
    return SqlCatalog("bench", uri=f"sqlite:///{root / 'sql.db'}", warehouse=(root / "sql-wh").as_uri())


def _writer(kind: str, where: str, name: str, barrier: Barrier) -> WriterResult:
    catalog = _open(kind, where)
    table = catalog.load_table(name)
    retries = 0
    barrier.wait()
    started = time.time()
    for _ in range(COMMITS_PER_WRITER):
        while True:
            try:
                table.append(ROW)
                break
            except (CommitFailedException, OperationalError):  # another writer won; SQLite busy (direct only)
                retries += 1
                table = catalog.load_table(name)
    return WriterResult(started, time.time(), retries)


def commits_per_second(kind: str, where: str, writers: int) -> tuple[float, int]:
    catalog, name = _open(kind, where), f"bench.writers_{writers}"
    catalog.create_namespace_if_not_exists("bench")
    catalog.create_table(name, ROW.schema)
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager, context.Pool(writers) as pool:
        barrier = manager.Barrier(writers)
        results: list[WriterResult] = pool.starmap(_writer, [(kind, where, name, barrier)] * writers)
    elapsed = max(r.finished for r in results) - min(r.started for r in results)
    assert len(catalog.load_table(name).metadata.snapshots) == writers * COMMITS_PER_WRITER  # no append lost
    return writers * COMMITS_PER_WRITER / elapsed, sum(r.retries for r in results)


def _row(cells: list[str], widths: list[int]) -> str:
    return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [_row(header, widths), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    return "\n".join(lines + [_row(r, widths) for r in rows])


def main() -> None:
    print(f"load average before: {os.getloadavg()[0]:.2f} (cores: {os.cpu_count()})")
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        with catalog_server(root) as url:
            loads = load_latencies(url)
            load_rows = [[name, f"{p50:.1f}", f"{p95:.1f}", str(size)] for name, (p50, p95, size) in loads.items()]
            print(_table(["load-table", "p50 ms", "p95 ms", "body bytes"], load_rows))
            print()
            rows = []
            runs: list[tuple[str, Callable[[int], tuple[float, int]]]] = [
                ("REST catalog (HTTP)", lambda n: commits_per_second("rest", url, n)),
                ("SqlCatalog direct", lambda n: commits_per_second("sql", str(root), n)),
            ]
            for label, run in runs:
                for writers in WRITERS:
                    rate, retries = run(writers)
                    rows.append([label, str(writers), f"{rate:.1f}", str(retries)])
            print(_table(["appends to one table", "writers", "commits/s", "retries"], rows))
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
