"""MERGE upsert throughput: ``core.writers.merge_upsert`` (Spark, local Iceberg Hadoop catalog) vs
pyiceberg's ``Table.upsert`` (SqlCatalog on SQLite), on the same generated orders, side by side.

For each size N (default 100k and 1M): `just gen-data --rows N --days 2` (tools/data/generate.py) gives
the orders; the initial load is day 1's valid orders (one row per ``order_id``, latest
``updated_at``), appended; the upsert is a second batch of the same size, half updates of loaded
orders (another status, a later ``updated_at``) and half day 2's new orders. Throughput is the
second batch's rows per second of the upsert call. Both tables are partitioned by day on a local
file warehouse — by ``order_date`` (identity), not ``sales.orders``' ``days(order_ts)``, because
pyiceberg writes transformed partitions only with the optional pyiceberg-core, not installed here —
and both engines must end with the same rows. Each engine runs in a process of its own (memory apart).
Semantics differ slightly: merge_upsert first reduces the batch to its latest row per key and
never lets an older row replace a newer one; pyiceberg updates every matched row whose values differ.

    uv run python -m bench.merge_upsert [--rows 100000 1000000]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

from tools.data import generate as gen_data

TABLE = "bench.orders"
KEY, ORDER_BY = "order_id", "updated_at"
UTC = dt.UTC
SCHEMA = pa.schema([
    ("order_id", pa.string()), ("customer_id", pa.int64()), ("product_id", pa.string()), ("quantity", pa.int32()),
    ("unit_price", pa.decimal128(10, 2)), ("currency", pa.string()), ("status", pa.string()),
    ("order_ts", pa.timestamp("us", tz="UTC")), ("order_date", pa.date32()),
    ("updated_at", pa.timestamp("us", tz="UTC")),
])  # fmt: skip
OTHER_STATUS = {"PLACED": "SHIPPED", "SHIPPED": "RETURNED", "CANCELLED": "PLACED", "RETURNED": "PLACED"}


# ------------------------------------------------------------------ the data, prepared once per size


def _valid_orders(path: Path) -> dict[str, dict[str, Any]]:
    """The well-formed rows of a generated orders.csv, latest ``updated_at`` per order (what the job keeps)."""
    orders: dict[str, dict[str, Any]] = {}
    with path.open(newline="") as handle:
        for row in csv.DictReader(handle):
            if None in row or None in row.values() or not row["order_id"] or not row["quantity"].isdigit():
                continue  # the ~2% the generator breaks on purpose
            order: dict[str, Any] = {
                "order_id": row["order_id"], "customer_id": int(row["customer_id"]), "product_id": row["product_id"],
                "quantity": int(row["quantity"]), "unit_price": Decimal(row["unit_price"]),
                "currency": row["currency"], "status": row["status"],
                "order_ts": dt.datetime.fromisoformat(row["order_ts"]).replace(tzinfo=UTC),
                "order_date": dt.date.fromisoformat(row["order_ts"][:10]),
                "updated_at": dt.datetime.fromisoformat(row["updated_at"]).replace(tzinfo=UTC),
            }  # fmt: skip
            kept = orders.get(order["order_id"])
            if kept is None or order["updated_at"] > kept["updated_at"]:
                orders[order["order_id"]] = order
    return orders


def prepare(rows: int, folder: Path) -> tuple[Path, Path]:
    """``initial.parquet`` (day 1) and ``upsert.parquet`` (half updates of day 1, half new day-2 orders)."""
    gen_data.generate(folder / "raw", rows, 2, dt.date(2026, 11, 25), seed=7)
    days = sorted((folder / "raw" / "sales" / "orders").iterdir())
    initial = _valid_orders(days[0] / "orders.csv")
    new = [order for key, order in _valid_orders(days[1] / "orders.csv").items() if key not in initial]
    rng = random.Random(11)  # noqa: S311 - benchmark data, reproducible
    half = min(len(initial), rows) // 2
    updates = [
        {**order, "status": OTHER_STATUS[order["status"]], ORDER_BY: order[ORDER_BY] + dt.timedelta(days=1)}
        for order in rng.sample(list(initial.values()), half)
    ]
    batch = updates + new[: min(len(initial), rows) - half]
    paths = folder / "initial.parquet", folder / "upsert.parquet"
    for path, data in zip(paths, (list(initial.values()), batch), strict=True):
        pq.write_table(pa.Table.from_pylist(data, schema=SCHEMA), path)
    return paths


# ------------------------------------------------------------------ one engine, in its own process


def _spark(initial: Path, upsert: Path, warehouse: Path, result: Path) -> dict[str, Any]:
    from pyspark.sql import types as T

    from core.config import load_config
    from core.iceberg import create_namespace_if_not_exists, ensure_table
    from core.spark_session import get_spark
    from core.writers import merge_upsert

    spark = get_spark(load_config({"catalog_type": "hadoop", "warehouse": warehouse.as_uri()}, environ={}),
                      app_name="bench-merge-upsert")  # fmt: skip
    first = spark.read.parquet(str(initial))
    create_namespace_if_not_exists(spark, "bench")
    schema = T.StructType([T.StructField(f.name, f.dataType, True) for f in first.schema])
    ensure_table(spark, TABLE, schema, partitioned_by=["order_date"])
    started = time.perf_counter()
    first.writeTo(TABLE).append()
    loaded = time.perf_counter() - started
    batch = spark.read.parquet(str(upsert)).cache()
    rows = batch.count()  # read and cached before the clock starts, as pyiceberg's batch is in memory
    started = time.perf_counter()
    merge_upsert(batch, TABLE, keys=[KEY], order_by=ORDER_BY)
    seconds = time.perf_counter() - started
    spark.conf.set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")  # as pyiceberg writes them
    spark.table(TABLE).select(KEY, "status", ORDER_BY).write.parquet(str(result))
    spark.stop()
    return {"load_seconds": loaded, "upsert_seconds": seconds, "upsert_rows": rows}


def _pyiceberg(initial: Path, upsert: Path, warehouse: Path, result: Path) -> dict[str, Any]:
    from pyiceberg.catalog.sql import SqlCatalog
    from pyiceberg.transforms import IdentityTransform

    catalog = SqlCatalog("bench", uri=f"sqlite:///{warehouse}/catalog.db", warehouse=warehouse.as_uri())
    catalog.create_namespace("bench")
    table = catalog.create_table(TABLE, schema=SCHEMA)
    with table.update_spec() as spec:
        spec.add_field("order_date", IdentityTransform(), "order_date")
    first = pq.read_table(initial)
    started = time.perf_counter()
    table.append(first)
    loaded = time.perf_counter() - started
    batch = pq.read_table(upsert)
    started = time.perf_counter()
    table.upsert(batch, join_cols=[KEY])
    seconds = time.perf_counter() - started
    pq.write_table(table.scan(selected_fields=(KEY, "status", ORDER_BY)).to_arrow(), result)
    return {"load_seconds": loaded, "upsert_seconds": seconds, "upsert_rows": batch.num_rows}


ENGINES = {"spark merge_upsert": _spark, "pyiceberg upsert": _pyiceberg}


def _engine_main(engine: str, initial: Path, upsert: Path, workdir: Path) -> None:
    warehouse, result = workdir / "warehouse", workdir / "result"
    warehouse.mkdir(parents=True)
    outcome = ENGINES[engine](initial, upsert, warehouse, result)
    print(json.dumps({**outcome, "result": str(result)}))


def _run_engine(engine: str, initial: Path, upsert: Path, workdir: Path) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.merge_upsert", "--engine", engine, str(initial), str(upsert), str(workdir)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{engine} failed:\n{done.stderr[-3000:]}")
    outcome: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return outcome


def _rows(result: str) -> list[tuple[Any, ...]]:
    table = pq.read_table(result).sort_by(KEY)
    micros = table.column(ORDER_BY).cast(pa.timestamp("us", tz="UTC")).cast(pa.int64())
    return list(zip(table.column(KEY).to_pylist(), table.column("status").to_pylist(), micros.to_pylist(), strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000], help="orders per day")
    parser.add_argument("--engine", choices=ENGINES, help=argparse.SUPPRESS)  # the child process's mode
    parser.add_argument("paths", nargs="*", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.engine:
        _engine_main(options.engine, *options.paths)
        return
    for rows in options.rows:
        with tempfile.TemporaryDirectory(prefix="bench-merge-") as folder:
            initial, upsert = prepare(rows, Path(folder))
            loaded = pq.read_metadata(initial).num_rows
            print(f"{rows:,} orders/day: initial load {loaded:,} rows, upsert batch "
                  f"{pq.read_metadata(upsert).num_rows:,} rows (50% updates)", flush=True)  # fmt: skip
            results = {}
            for engine in ENGINES:
                outcome = _run_engine(engine, initial, upsert, Path(folder) / engine.replace(" ", "-"))
                results[engine] = _rows(outcome["result"])
                rate = outcome["upsert_rows"] / outcome["upsert_seconds"]
                print(f"  {engine:20} upsert {outcome['upsert_seconds']:7.1f}s  {rate:>10,.0f} rows/s   "
                      f"(initial append {outcome['load_seconds']:.1f}s)", flush=True)  # fmt: skip
            same = len({tuple(r) for r in results.values()}) == 1
            print(f"  same table contents from both engines: {'yes' if same else 'NO'}", flush=True)


if __name__ == "__main__":
    main()
