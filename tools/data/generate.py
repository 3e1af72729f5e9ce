"""``just gen-data --rows N``: larger raw data shaped like the samples, for load tests and benchmarks.

Writes ``<out>/sales/orders/ingest_date=<day>/orders.csv`` and
``<out>/customers/changes/ingest_date=<day>/customers.jsonl`` (the raw-zone layout the jobs
read), deterministic for a given ``--seed``. About 2% of rows are malformed (bad number,
missing key, wrong field count, broken JSON), 3% duplicated and 5% late updates of earlier
orders, so quarantine and idempotency are exercised at volume. Prints what it wrote.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import random
from pathlib import Path

from core.state_layout import state_layout
from tools.data.domain_records import ORDERS_HEADER, customer_change, malformed_order_line, order_row


def orders_csv(rng: random.Random, day: dt.date, rows: int, first: int, customers: int) -> tuple[str, int]:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ORDERS_HEADER)
    written = 0
    for i in range(rows):
        row = order_row(rng, first + i, day, customers)
        roll = rng.random()
        if roll < 0.02:
            out.write(malformed_order_line(rng, row) + "\n")
        elif roll < 0.05:
            writer.writerows([row, row])
            written += 1
        elif roll < 0.10 and first > 0:
            late = order_row(rng, rng.randrange(0, first), day - dt.timedelta(days=1), customers)
            late[-1] = (dt.datetime.combine(day, dt.time()) + dt.timedelta(hours=rng.randrange(24))).isoformat()
            writer.writerow(late)
        else:
            writer.writerow(row)
        written += 1
    return out.getvalue(), written


def customer_changes(rng: random.Random, day: dt.date, customers: int, first_day: bool) -> str:
    lines = []
    ids = range(1, customers + 1) if first_day else rng.sample(range(1, customers + 1), max(1, customers // 10))
    for customer_id in ids:
        ts = dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=rng.randrange(86_400))
        op = "I" if first_day else rng.choice(["U", "U", "U", "D"])
        line = json.dumps(customer_change(rng, customer_id, op, ts))
        lines.append(line[: len(line) // 2] if rng.random() < 0.02 else line)
    return "\n".join(lines) + "\n"


def generate(out: Path, rows: int, days: int, start: dt.date, seed: int) -> list[Path]:
    rng = random.Random(seed)  # noqa: S311 - test data, reproducible by design
    customers = max(10, rows // 20)
    files = []
    first = 0
    for offset in range(days):
        day = start + dt.timedelta(days=offset)
        text, written = orders_csv(rng, day, rows, first, customers)
        first += written
        orders = out / "sales" / "orders" / f"ingest_date={day}" / "orders.csv"
        changes = out / "customers" / "changes" / f"ingest_date={day}" / "customers.jsonl"
        for path, content in ((orders, text), (changes, customer_changes(rng, day, customers, offset == 0))):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
            files.append(path)
    return files


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="just gen-data", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="order rows per day (default 100000)")
    parser.add_argument("--days", type=int, default=2, help="number of ingest days (default 2)")
    parser.add_argument("--start", type=dt.date.fromisoformat, default=dt.date(2026, 11, 25), help="first day")
    parser.add_argument("--seed", type=int, default=7, help="random seed (same seed, same files)")
    parser.add_argument("--out", type=Path, help="raw root (default: generated/raw in the state directory)")
    options = parser.parse_args(argv)
    options.out = options.out or state_layout().generated_raw
    if options.rows < 1 or options.days < 1:
        parser.error("--rows and --days must be at least 1")
    for path in generate(options.out, options.rows, options.days, options.start, options.seed):
        print(f"{path}  ({path.stat().st_size / 1e6:.1f} MB)")
    print(f"use it: DOMAIN_PROJECT_RAW_ROOT={options.out} just run sales/job_daily_sales --run_date {options.start}")
    return 0
