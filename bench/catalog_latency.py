"""REST catalog latency as a client sees it: load-table and a one-row append commit (pyiceberg),
against the catalog server on a local file warehouse (no S3 in the way)."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import pyarrow as pa
from pyiceberg.catalog.rest import RestCatalog

from emulator.catalog.app import create_app
from emulator.catalog.backend import CatalogBackend
from tests.emulator.servers import UvicornThread

ROUNDS = 200


def _summary(name: str, samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    return f"{name}: p50 {statistics.median(ms):.1f} ms, p95 {ms[int(len(ms) * 0.95)]:.1f} ms over {len(ms)}"


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        with UvicornThread(create_app(CatalogBackend(str(root / "c.db"), (root / "wh").as_uri()))) as server:
            client = RestCatalog("bench", uri=server.url)
            client.create_namespace("bench")
            table = client.create_table("bench.t", pa.schema([("id", pa.int64())]))
            loads, commits = [], []
            for i in range(ROUNDS):
                started = time.perf_counter()
                table = client.load_table("bench.t")
                loads.append(time.perf_counter() - started)
                started = time.perf_counter()
                with table.transaction() as transaction:
                    transaction.set_properties({"round": str(i)})
                commits.append(time.perf_counter() - started)
            print(_summary("load table", loads))
            print(_summary("commit (set-properties)", commits))


if __name__ == "__main__":
    main()
