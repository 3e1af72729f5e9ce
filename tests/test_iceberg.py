from __future__ import annotations

import datetime as dt
import os
import uuid
from pathlib import Path

import pytest
from pyspark.sql import SparkSession
from pyspark.sql import types as T

from core.exceptions import MaintenanceError, SchemaEvolutionError, TableNotFoundError
from core.iceberg import (
    create_table_if_not_exists,
    ensure_table,
    evolve_schema,
    expire_snapshots,
    plan_schema_evolution,
    remove_orphan_files,
    rewrite_data_files,
    rewrite_manifests,
)

BASE = T.StructType(
    [
        T.StructField("id", T.IntegerType(), False),
        T.StructField("price", T.DecimalType(8, 2), True),
        T.StructField("ratio", T.FloatType(), True),
        T.StructField("ts", T.TimestampType(), True),
    ]
)


def _with(*fields: T.StructField) -> T.StructType:
    replaced = {f.name: f for f in fields}
    kept = [replaced.pop(f.name, f) for f in BASE]
    return T.StructType([*kept, *replaced.values()])


def test_created_table_is_v2_merge_on_read_and_partitioned(spark: SparkSession, namespace: str) -> None:
    table = f"{namespace}.t"
    assert create_table_if_not_exists(spark, table, BASE, partitioned_by=["days(ts)", "bucket(4, id)"], comment="c")
    assert not create_table_if_not_exists(spark, table, BASE)
    props = {r["key"]: r["value"] for r in spark.sql(f"SHOW TBLPROPERTIES {table}").collect()}
    assert props["format-version"] == "2"
    assert props["write.merge.mode"] == props["write.update.mode"] == props["write.delete.mode"] == "merge-on-read"
    described = {r["col_name"]: r["data_type"] for r in spark.sql(f"DESCRIBE TABLE EXTENDED {table}").collect()}
    assert (described["Part 0"], described["Part 1"]) == ("days(ts)", "bucket(4, id)")
    assert described["Comment"] == "c"
    assert spark.table(table).schema == BASE  # NOT NULL on id kept


def test_partition_on_an_unknown_column_is_named(spark: SparkSession, namespace: str) -> None:
    with pytest.raises(SchemaEvolutionError, match="column 'day': partition column is not in the schema"):
        create_table_if_not_exists(spark, f"{namespace}.t", BASE, partitioned_by=["days(day)"])


def test_nullable_adds_and_safe_widening_are_applied(spark: SparkSession, namespace: str) -> None:
    table = f"{namespace}.t"
    ensure_table(spark, table, BASE)
    spark.sql(f"INSERT INTO {table} VALUES (1, 1.50, 0.5, TIMESTAMP '2026-11-26 00:00:00')")
    desired = _with(
        T.StructField("id", T.LongType(), True),
        T.StructField("price", T.DecimalType(12, 2), True),
        T.StructField("ratio", T.DoubleType(), True),
        T.StructField("note", T.StringType(), True),
    )
    applied = ensure_table(spark, table, desired)
    assert len(applied) == 5  # id widened + NOT NULL dropped, price, ratio, note
    assert spark.table(table).schema == desired
    assert spark.table(table).first()["note"] is None  # type: ignore[index]
    assert evolve_schema(spark, table, desired) == []  # nothing left to do


@pytest.mark.parametrize(
    ("desired", "column", "fragment"),
    [
        (_with(T.StructField("price", T.DecimalType(8, 3), True)), "price", "not a safe widening"),
        (_with(T.StructField("ts", T.StringType(), True)), "ts", "timestamp to string is not a safe widening"),
        (_with(T.StructField("ratio", T.IntegerType(), True)), "ratio", "not a safe widening"),
        (_with(T.StructField("extra", T.StringType(), False)), "extra", "a new column must be nullable"),
        (_with(T.StructField("price", T.DecimalType(8, 2), False)), "price", "cannot become NOT NULL"),
        (T.StructType(BASE.fields[:3]), "ts", "dropping a column is never applied automatically"),
    ],
)
def test_unsafe_changes_are_refused_with_the_column_named(desired: T.StructType, column: str, fragment: str) -> None:
    with pytest.raises(SchemaEvolutionError) as caught:
        plan_schema_evolution("ns.t", BASE, desired)
    assert caught.value.column == column
    assert fragment in str(caught.value)
    assert str(caught.value).startswith(f"table ns.t, column {column!r}")


def test_evolving_a_missing_table(spark: SparkSession, namespace: str) -> None:
    with pytest.raises(TableNotFoundError):
        evolve_schema(spark, f"{namespace}.absent", BASE)


def test_maintenance_procedures(spark: SparkSession, namespace: str) -> None:
    table = f"{namespace}.m"
    create_table_if_not_exists(spark, table, BASE)
    for i in range(4):
        spark.sql(f"INSERT INTO {table} VALUES ({i}, 1.00, 0.1, TIMESTAMP '2026-11-26 00:00:00')")
    compacted = rewrite_data_files(spark, table, options={"min-input-files": "2"})
    assert compacted.values["rewritten_data_files_count"] == 4
    assert compacted.values["added_data_files_count"] == 1
    assert rewrite_manifests(spark, table).values["rewritten_manifests_count"] >= 1
    expired = expire_snapshots(spark, table, older_than=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1))
    assert expired.values["deleted_data_files_count"] == 4  # the pre-compaction files
    assert spark.sql(f"SELECT count(*) FROM {table}.snapshots").first()[0] == 1  # type: ignore[index]
    location = spark.sql(f"DESCRIBE TABLE EXTENDED {table}").where("col_name = 'Location'").first()["data_type"]  # type: ignore[index]
    orphan = Path(location.removeprefix("file:")) / "data" / f"orphan-{uuid.uuid4().hex}.parquet"
    orphan.write_bytes(b"left behind by a failed write")
    four_days_ago = (dt.datetime.now() - dt.timedelta(days=4)).timestamp()
    os.utime(orphan, (four_days_ago, four_days_ago))  # Iceberg only removes files older than 24 h
    assert any(str(orphan) in path for path in remove_orphan_files(spark, table, dry_run=True))
    assert orphan.exists()
    assert any(str(orphan) in path for path in remove_orphan_files(spark, table))
    assert not orphan.exists()
    assert spark.table(table).count() == 4


def test_orphan_removal_refuses_a_window_shorter_than_a_day(spark: SparkSession, namespace: str) -> None:
    table = f"{namespace}.m"
    create_table_if_not_exists(spark, table, BASE)
    with pytest.raises(MaintenanceError, match="interval less than 24 hours"):
        remove_orphan_files(spark, table, older_than=dt.datetime.now(dt.UTC))


def test_maintenance_on_a_missing_table(spark: SparkSession, namespace: str) -> None:
    with pytest.raises(TableNotFoundError):
        rewrite_manifests(spark, f"{namespace}.absent")
