from __future__ import annotations

import datetime as dt

import pytest
from chispa import assert_df_equality
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import types as T

from core.exceptions import TableNotFoundError
from core.iceberg import create_table_if_not_exists
from core.writers import append, merge_upsert, overwrite_partitions, scd2_merge, write_quarantine

T0 = dt.datetime(2026, 11, 25, 6, 0)
T1 = dt.datetime(2026, 11, 26, 6, 0)
T2 = dt.datetime(2026, 11, 26, 9, 0)

ORDERS = T.StructType(
    [
        T.StructField("id", T.StringType(), True),
        T.StructField("day", T.DateType(), True),
        T.StructField("qty", T.IntegerType(), True),
        T.StructField("updated_at", T.TimestampType(), True),
    ]
)
DIM = T.StructType(
    [
        T.StructField("id", T.LongType(), True),
        T.StructField("email", T.StringType(), True),
        T.StructField("valid_from", T.TimestampType(), True),
        T.StructField("valid_to", T.TimestampType(), True),
        T.StructField("is_current", T.BooleanType(), True),
    ]
)
CHANGES = "id bigint, email string, changed_at timestamp, op string"
D1, D2 = dt.date(2026, 11, 25), dt.date(2026, 11, 26)


@pytest.fixture
def orders_table(spark: SparkSession, namespace: str) -> str:
    table = f"{namespace}.orders"
    create_table_if_not_exists(spark, table, ORDERS, partitioned_by=["day"])
    return table


def _table(spark: SparkSession, table: str) -> DataFrame:
    return spark.table(table)


def test_append_and_dynamic_partition_overwrite(spark: SparkSession, orders_table: str) -> None:
    result = append(spark.createDataFrame([("a", D1, 1, T0), ("b", D2, 2, T1)], ORDERS), orders_table)
    assert result.committed
    assert result.summary["added-records"] == 2
    overwrite_partitions(spark.createDataFrame([("c", D2, 3, T2)], ORDERS), orders_table)
    expected = spark.createDataFrame([("a", D1, 1, T0), ("c", D2, 3, T2)], ORDERS)
    assert_df_equality(_table(spark, orders_table), expected, ignore_row_order=True)


def test_each_write_reports_the_snapshot_it_committed(spark: SparkSession, orders_table: str) -> None:
    appended = append(spark.createDataFrame([("a", D1, 1, T0), ("b", D2, 2, T1)], ORDERS), orders_table)
    merged = merge_upsert(spark.createDataFrame([("a", D1, 7, T2)], ORDERS), orders_table, ["id"], "updated_at")
    snapshots = spark.sql(f"SELECT snapshot_id, summary FROM {orders_table}.snapshots ORDER BY committed_at").collect()
    assert [appended.snapshot_id, merged.snapshot_id] == [row["snapshot_id"] for row in snapshots]
    latest = {k: int(v) for k, v in snapshots[-1]["summary"].items() if k in merged.summary}
    assert merged.summary == latest
    assert set(merged.summary) == {"added-records", "added-position-deletes", "total-records", "added-data-files"}


def test_merge_upsert_dedupes_by_latest_and_is_idempotent(spark: SparkSession, orders_table: str) -> None:
    append(spark.createDataFrame([("a", D1, 1, T0), ("b", D1, 5, T2)], ORDERS), orders_table)
    batch = spark.createDataFrame(
        [
            ("a", D1, 2, T1),  # newer: wins over the table's row
            ("a", D1, 3, T2),  # newest duplicate in the batch: wins over the row above
            ("b", D1, 9, T1),  # older than the table's row: must not undo it
            ("c", D2, 4, T1),  # new
            ("c", D2, 4, T1),  # exact duplicate
        ],
        ORDERS,
    )
    expected = spark.createDataFrame([("a", D1, 3, T2), ("b", D1, 5, T2), ("c", D2, 4, T1)], ORDERS)
    first = merge_upsert(batch, orders_table, keys=["id"], order_by="updated_at")
    assert_df_equality(_table(spark, orders_table), expected, ignore_row_order=True)
    # merge-on-read: the updated row is rewritten and its old copy deleted by position
    assert (first.summary["added-records"], first.summary["added-position-deletes"]) == (2, 1)
    merge_upsert(batch, orders_table, keys=["id"], order_by="updated_at")
    assert_df_equality(_table(spark, orders_table), expected, ignore_row_order=True)


def test_merge_without_guard_lets_the_batch_win(spark: SparkSession, orders_table: str) -> None:
    append(spark.createDataFrame([("b", D1, 5, T2)], ORDERS), orders_table)
    merge_upsert(
        spark.createDataFrame([("b", D1, 9, T1)], ORDERS), orders_table, ["id"], "updated_at", only_newer=False
    )
    assert _table(spark, orders_table).first()["qty"] == 9  # type: ignore[index]


def test_merge_into_a_missing_table_is_named(spark: SparkSession, namespace: str) -> None:
    with pytest.raises(TableNotFoundError, match=f"{namespace}.absent does not exist"):
        merge_upsert(spark.createDataFrame([("a", D1, 1, T0)], ORDERS), f"{namespace}.absent", ["id"], "updated_at")


def test_scd2_history_across_two_deltas_and_reruns(spark: SparkSession, namespace: str) -> None:
    table = f"{namespace}.dim"
    create_table_if_not_exists(spark, table, DIM)
    day1 = spark.createDataFrame([(1, "a@x.io", T0, "I"), (2, "b@x.io", T0, "I"), (3, "c@x.io", T0, "I")], CHANGES)
    day2 = spark.createDataFrame(
        [
            (1, "a2@x.io", T1, "U"),  # change
            (1, "a3@x.io", T2, "U"),  # second change of the same key in one batch
            (2, "b@x.io", T1, "U"),  # repeats the current state: no new version
            (3, None, T1, "D"),  # delete: closes, opens nothing
            (4, "d@x.io", T1, "I"),  # new key
            (2, "old@x.io", dt.datetime(2026, 11, 24), "U"),  # older than the current version: ignored
        ],
        CHANGES,
    )
    scd2_merge(day1, table, ["id"], changed_at="changed_at", operation="op")
    result = scd2_merge(day2, table, ["id"], changed_at="changed_at", operation="op")
    expected = spark.createDataFrame(
        [
            (1, "a@x.io", T0, T1, False),
            (1, "a2@x.io", T1, T2, False),
            (1, "a3@x.io", T2, None, True),
            (2, "b@x.io", T0, None, True),
            (3, "c@x.io", T0, T1, False),
            (4, "d@x.io", T1, None, True),
        ],
        DIM,
    )
    assert_df_equality(_table(spark, table), expected, ignore_row_order=True)
    assert result.committed
    for delta in (day1, day2):  # re-running either day changes nothing
        scd2_merge(delta, table, ["id"], changed_at="changed_at", operation="op")
        assert_df_equality(_table(spark, table), expected, ignore_row_order=True)


def test_quarantine_replaces_its_own_run_key_on_rerun(spark: SparkSession, namespace: str) -> None:
    table = f"{namespace}.quarantine"
    bad = spark.createDataFrame([("f.csv", "x,y", "malformed")], "source string, raw_record string, reason string")
    write_quarantine(bad, table, job="j", run_key="2026-11-26", run_id="r1")
    write_quarantine(bad, table, job="j", run_key="2026-11-25", run_id="r0")
    write_quarantine(bad, table, job="j", run_key="2026-11-26", run_id="r2")
    rows = spark.table(table).select("run_key", "run_id", "reason").orderBy("run_key").collect()
    assert [tuple(r) for r in rows] == [("2026-11-25", "r0", "malformed"), ("2026-11-26", "r2", "malformed")]
    write_quarantine(bad.limit(0), table, job="j", run_key="2026-11-26", run_id="r3")
    assert [r["run_key"] for r in spark.table(table).collect()] == ["2026-11-25"]
