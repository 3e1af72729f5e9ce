"""The end-to-end expectations compare whole rows as multisets: a row written twice fails them."""

from __future__ import annotations

from typing import Any

import pytest
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from tests import expected_results as er

SCHEMAS = {  # the columns the expectations project, in their order, as the jobs type them
    "sales.daily_sales": "order_date date, currency string, orders bigint, cancelled_orders bigint, items bigint, "
    "customers bigint, gross_amount decimal(18,2)",
    "sales.orders": "order_id string, status string, quantity int, amount decimal(18,2)",
    "customers.customer_dim": "customer_id bigint, email string, country string, segment string, "
    "valid_from timestamp, valid_to timestamp, is_current boolean",
    "legacy_refactor.customer_value": "as_of_date date, customer_id bigint, orders_count bigint, "
    "total_amount decimal(18,2), value_band string",
    "sales.quarantine": "run_key string, reason string",
    "customers.quarantine": "run_key string, reason string",
}


def _expected_frames(spark: SparkSession) -> dict[str, DataFrame]:
    quarantine = {t: [(k, r) for table, k, r in er.QUARANTINED if table == t] for t in SCHEMAS if "quarantine" in t}
    rows = {
        "sales.daily_sales": er.DAILY_SALES,
        "sales.orders": er.ORDERS,
        "customers.customer_dim": er.CUSTOMER_DIM,
        "legacy_refactor.customer_value": er.CUSTOMER_VALUE,
        **quarantine,
    }
    return {table: spark.createDataFrame(rows[table], SCHEMAS[table]) for table in SCHEMAS}


def _rows_of(frames: dict[str, DataFrame]) -> er.RowsOf:
    def rows_of(table: str) -> list[dict[str, Any]]:
        return [row.asDict() for row in frames[table].collect()]

    return rows_of


def test_the_expected_tables_pass(spark: SparkSession) -> None:
    er.assert_sample_results(_rows_of(_expected_frames(spark)))


def test_a_row_written_twice_fails_although_the_set_of_rows_is_right(spark: SparkSession) -> None:
    frames = _expected_frames(spark)
    dim = frames["customers.customer_dim"]
    # What an SCD2 merge that re-inserts the current version of customer 2 would leave behind.
    frames["customers.customer_dim"] = dim.union(dim.where((F.col("customer_id") == 2) & F.col("is_current")))
    assert {tuple(r) for r in frames["customers.customer_dim"].collect()} == set(
        er.CUSTOMER_DIM
    )  # a set sees no change
    with pytest.raises(AssertionError) as failure:
        er.assert_sample_results(_rows_of(frames))
    assert str(failure.value).splitlines() == [
        "customers.customer_dim: 1 row(s) too many, 0 missing",
        "  extra x1: (2, 'grace.hopper@example.com', 'US', 'enterprise', "
        "datetime.datetime(2026, 11, 26, 5, 10), None, True)",
    ]


def test_a_quarantined_record_written_twice_or_missing_fails(spark: SparkSession) -> None:
    frames = _expected_frames(spark)
    sales = frames["sales.quarantine"]
    frames["sales.quarantine"] = sales.where(F.col("reason") != "rule status_known failed").union(
        sales.where(F.col("reason") == "rule currency_known failed")
    )
    with pytest.raises(AssertionError) as failure:
        er.assert_sample_results(_rows_of(frames))
    assert str(failure.value).splitlines() == [
        "sales.quarantine: 1 row(s) too many, 1 missing",
        "  extra x1: ('2026-11-26', 'rule currency_known failed')",
        "  missing x1: ('2026-11-25', 'rule status_known failed')",
    ]
