from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from chispa import assert_df_equality
from pyspark.sql import SparkSession

from core.readers import read_csv
from jobs.sales import job_daily_sales as job
from tests.conftest import REPO_ROOT, nullable

SAMPLE = REPO_ROOT / "jobs/sales/sample_data/orders"
D25, D26 = dt.date(2026, 11, 25), dt.date(2026, 11, 26)


def _ts(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def test_validation_quarantines_every_bad_sample_row_with_its_reason(spark: SparkSession) -> None:
    checked = read_csv(spark, str(SAMPLE / "ingest_date=2026-11-25"), job.RAW_ORDERS_SCHEMA).validate(job.order_rules())
    counts = checked.reconcile()
    assert (counts.read, counts.good, counts.bad) == (14, 9, 5)
    assert sorted(r["reason"] for r in checked.bad.collect()) == [
        "column order_id is required",
        "column quantity: 'two' is not a valid int",
        "malformed record: wrong number of fields",
        "rule quantity_positive failed",
        "rule status_known failed",
    ]


def test_prepare_orders_normalises_and_computes_amount(spark: SparkSession) -> None:
    raw = spark.createDataFrame(
        [
            (
                " o-1 ",
                7,
                "p-1",
                3,
                Decimal("2.50"),
                "eur",
                "placed ",
                _ts("2026-11-25T23:59:00"),
                _ts("2026-11-26T01:00:00"),
            )
        ],
        nullable(job.RAW_ORDERS_SCHEMA),
    )
    expected = spark.createDataFrame(
        [("O-1", 7, "P-1", 3, Decimal("2.50"), Decimal("7.50"), "EUR", "PLACED", _ts("2026-11-25T23:59:00"), D25,
          _ts("2026-11-26T01:00:00"))],
        job.ORDERS_SCHEMA,
    )  # fmt: skip
    assert_df_equality(job.prepare_orders(raw), expected)


def test_transform_aggregates_only_the_requested_days(spark: SparkSession) -> None:
    def order(oid: str, day: dt.date, cust: int, qty: int, amount: str, cur: str, status: str) -> tuple[object, ...]:
        ts = dt.datetime.combine(day, dt.time(12))
        return (oid, cust, "P", qty, Decimal(amount), Decimal(amount), cur, status, ts, day, ts)

    orders = spark.createDataFrame(
        [
            order("a", D25, 1, 2, "10.00", "EUR", "PLACED"),
            order("b", D25, 1, 1, "5.50", "EUR", "SHIPPED"),
            order("c", D25, 2, 4, "99.99", "EUR", "CANCELLED"),
            order("d", D25, 3, 1, "20.00", "GBP", "RETURNED"),
            order("e", D26, 4, 1, "1.00", "EUR", "PLACED"),
        ],
        job.ORDERS_SCHEMA,
    )
    expected = spark.createDataFrame(
        [(D25, "EUR", 2, 1, 3, 1, Decimal("15.50")), (D25, "GBP", 1, 0, 1, 1, Decimal("20.00"))],
        job.DAILY_SALES_SCHEMA,
    )
    assert_df_equality(job.transform(orders, [D25]), expected, ignore_row_order=True)


def test_raw_path_follows_the_raw_zone_layout(tmp_path: Path) -> None:
    from core.config import load_config

    config = load_config({"raw_root": str(tmp_path)}, environ={})
    assert job.raw_orders_uri(config, D26) == f"{tmp_path.as_uri()}/sales/orders/ingest_date=2026-11-26"
