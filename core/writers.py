"""Writers for Iceberg tables: append, dynamic partition overwrite, MERGE upsert, SCD type 2.

Every write is one Iceberg commit. Upserts de-duplicate their source first (latest by an
ordering column, ties broken by content) so re-running the same input leaves the same
table. :class:`WriteResult` reports the commit's own counters from the snapshot summary.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pyspark.errors import AnalysisException
from pyspark.sql import Window
from pyspark.sql import functions as F
from pyspark.sql import types as T

from core.exceptions import TableNotFoundError, WriteError
from core.iceberg import SPARK_ERRORS, ensure_table, first_line, is_missing_table, quote

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession

SCD2_COLUMNS = ("valid_from", "valid_to", "is_current")
QUARANTINE_TABLE_SCHEMA = T.StructType(
    [
        T.StructField("job", T.StringType(), True),
        T.StructField("run_key", T.StringType(), True),
        T.StructField("run_id", T.StringType(), True),
        T.StructField("source", T.StringType(), True),
        T.StructField("raw_record", T.StringType(), True),
        T.StructField("reason", T.StringType(), True),
        T.StructField("quarantined_at", T.TimestampType(), True),
    ]
)
_SUMMARY_COUNTERS = (
    "added-records",
    "deleted-records",
    "added-position-deletes",
    "added-equality-deletes",
    "total-records",
    "added-data-files",
)


@dataclass(frozen=True)
class WriteResult:
    """What a write committed: the new snapshot id and Iceberg's summary counters."""

    table: str
    snapshot_id: int | None
    summary: dict[str, int] = field(default_factory=dict)

    @property
    def committed(self) -> bool:
        return self.snapshot_id is not None


def _snapshot(spark: SparkSession, table: str, action: str) -> tuple[int | None, dict[str, str]]:
    """The table's current snapshot (id, summary), read from its metadata through Iceberg's API.

    A catalog read, not a query of ``<table>.snapshots``: that would be a Spark job (plan, code
    generation, a task) around every write. Refreshed first: another writer may have committed.
    """
    jvm = spark.sparkContext._jvm
    assert jvm is not None
    try:
        iceberg_table = jvm.org.apache.iceberg.spark.Spark3Util.loadIcebergTable(spark._jsparkSession, table)
        iceberg_table.refresh()
    except SPARK_ERRORS as e:  # pyspark raises the JVM's exceptions as its own where it knows them
        if is_missing_table(e):
            raise TableNotFoundError(f"{action}: table {table} does not exist (create it with core.iceberg)") from e
        raise WriteError(f"{action} into {table} failed: {first_line(e)}") from e
    current = iceberg_table.currentSnapshot()
    if current is None:
        return None, {}
    return int(current.snapshotId()), {str(k): str(v) for k, v in current.summary().items()}


@contextlib.contextmanager
def _committing(spark: SparkSession, table: str, action: str) -> Iterator[list[WriteResult]]:
    """Run a write, translate Spark errors, and report the snapshot it committed (if any)."""
    before, _ = _snapshot(spark, table, action)
    result: list[WriteResult] = []
    try:
        yield result
    except SPARK_ERRORS as e:
        raise WriteError(f"{action} into {table} failed: {e}") from e
    after, summary = _snapshot(spark, table, action)
    counters = {k: int(summary[k]) for k in _SUMMARY_COUNTERS if k in summary}
    result.append(WriteResult(table, after if after != before else None, counters if after != before else {}))


@contextlib.contextmanager
def _temp_view(df: DataFrame) -> Iterator[str]:
    name = f"_src_{uuid.uuid4().hex}"
    df.createOrReplaceTempView(name)
    try:
        yield name
    finally:
        df.sparkSession.catalog.dropTempView(name)


def append(df: DataFrame, table: str) -> WriteResult:
    """Append rows in one commit."""
    with _committing(df.sparkSession, table, "append") as result:
        df.writeTo(table).append()
    return result[0]


def overwrite_partitions(df: DataFrame, table: str) -> WriteResult:
    """Replace exactly the partitions present in ``df`` (dynamic overwrite); others are untouched."""
    with _committing(df.sparkSession, table, "overwrite partitions") as result:
        df.writeTo(table).overwritePartitions()
    return result[0]


def _check_columns(df: DataFrame, table: str, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise WriteError(f"{table}: {what} {missing} not in the source columns {df.columns}")


def latest_per_key(df: DataFrame, keys: Sequence[str], order_by: str) -> DataFrame:
    """One row per key: the greatest ``order_by``; equal ones broken by content, so the pick is stable."""
    tie_breaker = F.sha2(F.to_json(F.struct(*[F.col(f"`{c}`") for c in df.columns])), 256)
    window = Window.partitionBy(*[F.col(f"`{k}`") for k in keys]).orderBy(
        F.col(f"`{order_by}`").desc_nulls_last(), tie_breaker.desc()
    )
    return df.withColumn("_rank", F.row_number().over(window)).where("_rank = 1").drop("_rank")


def _sql_string(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _on(keys: Sequence[str], target: str = "t", source: str = "s") -> str:
    return " AND ".join(f"{target}.`{k}` <=> {source}.`{k}`" for k in keys)


def merge_upsert(
    df: DataFrame, table: str, keys: Sequence[str], order_by: str, *, only_newer: bool = True
) -> WriteResult:
    """MERGE ``df`` into ``table`` by ``keys``: update matches, insert the rest, in one commit.

    The source is first reduced to its latest row per key by ``order_by``. With
    ``only_newer`` a source row never replaces a target row with a greater ``order_by``
    (a late, older record cannot undo a newer one).
    """
    if not keys:
        raise WriteError(f"{table}: merge_upsert needs at least one key column")
    _check_columns(df, table, [*keys, order_by], "key/order columns")
    source = latest_per_key(df, keys, order_by)
    guard = f" AND (t.`{order_by}` IS NULL OR s.`{order_by}` >= t.`{order_by}`)" if only_newer else ""
    with _temp_view(source) as view, _committing(df.sparkSession, table, "merge") as result:
        df.sparkSession.sql(
            f"MERGE INTO {quote(table)} t USING {view} s ON {_on(keys)} "
            f"WHEN MATCHED{guard} THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *"
        )
    return result[0]


def _state(df: DataFrame, attributes: Sequence[str], is_delete: Column) -> Column:
    """A fingerprint of a version's attributes; deletes and absence share one state."""
    fingerprint = F.sha2(F.to_json(F.struct(*[F.col(f"`{c}`") for c in attributes])), 256)
    return F.when(is_delete, F.lit("<deleted>")).otherwise(fingerprint)


def scd2_merge(
    df: DataFrame,
    table: str,
    keys: Sequence[str],
    *,
    changed_at: str,
    operation: str | None = None,
    delete_values: Sequence[str] = ("D",),
) -> WriteResult:
    """Apply a batch of changes to an SCD type 2 table in one commit.

    ``df`` holds change records: the key columns, the attribute columns, ``changed_at``
    and optionally an ``operation`` column (values in ``delete_values`` delete the key).
    The table holds the key and attribute columns plus ``valid_from``, ``valid_to`` (NULL
    while current) and ``is_current``. Per key, the batch's changes are ordered by time;
    changes not newer than the current version are already applied (so re-runs change
    nothing), and changes that repeat the previous state are skipped. The current version
    is closed at the first new change and every new version is opened, with its
    ``valid_to`` set by the next change, in a single MERGE.
    """
    spark = df.sparkSession
    _check_columns(df, table, [*keys, changed_at, *([operation] if operation else [])], "key/change columns")
    attributes = [c for c in df.columns if c not in {*keys, changed_at, operation}]
    try:
        existing = spark.table(table)
    except AnalysisException as e:
        if is_missing_table(e):
            raise TableNotFoundError(f"scd2: table {table} does not exist") from e
        raise WriteError(f"scd2 into {table} failed: {e}") from e
    key_cols = [F.col(f"`{k}`") for k in keys]
    # Per key: the latest instant already recorded (a close counts: deleted keys have no current
    # row) and the current version's state. Changes at or before that instant are already applied.
    history = existing.groupBy(*key_cols).agg(
        F.max(F.coalesce("valid_to", "valid_from")).alias("_applied_until"),
        F.max(F.when(F.col("is_current"), _state(existing, attributes, F.lit(False)))).alias("_current_state"),
    )

    is_delete = F.col(f"`{operation}`").isin(list(delete_values)) if operation else F.lit(False)
    by_key = Window.partitionBy(*[F.col(f"`{k}`") for k in keys]).orderBy(F.col(f"`{changed_at}`"))
    changes = (
        latest_per_key(df, [*keys, changed_at], changed_at)  # one change per key and instant
        .withColumn("_is_delete", is_delete)
        .withColumn("_state", _state(df, attributes, is_delete))
        .join(history, list(keys), "left")
        .where(F.col("_applied_until").isNull() | (F.col(f"`{changed_at}`") > F.col("_applied_until")))
        .withColumn("_previous", F.lag("_state").over(by_key))
        .withColumn("_previous", F.coalesce("_previous", "_current_state", F.lit("<deleted>")))
        .where(F.col("_state") != F.col("_previous"))
        .withColumn("_next_at", F.lead(f"`{changed_at}`").over(by_key))
        .withColumn("_first_at", F.min(f"`{changed_at}`").over(Window.partitionBy(*[F.col(f"`{k}`") for k in keys])))
    )
    attr_cols = [F.col(f"`{c}`") for c in attributes]
    merge_keys = [F.col(f"`{k}`").alias(f"_mk_{k}") for k in keys]
    null_merge_keys = [F.lit(None).cast(df.schema[k].dataType).alias(f"_mk_{k}") for k in keys]
    closes = changes.where(F.col(f"`{changed_at}`") == F.col("_first_at")).select(
        *merge_keys, *key_cols, *attr_cols,
        F.col("_first_at").alias("valid_from"), F.col("_first_at").alias("valid_to"),
        F.lit(False).alias("is_current"), F.lit("close").alias("_action"),
    )  # fmt: skip
    opens = changes.where(~F.col("_is_delete")).select(
        *null_merge_keys, *key_cols, *attr_cols,
        F.col(f"`{changed_at}`").alias("valid_from"), F.col("_next_at").alias("valid_to"),
        F.col("_next_at").isNull().alias("is_current"), F.lit("open").alias("_action"),
    )  # fmt: skip
    staged = closes.unionByName(opens)
    on = " AND ".join(f"t.`{k}` = s.`_mk_{k}`" for k in keys)
    columns = [*keys, *attributes, *SCD2_COLUMNS]
    insert_columns = ", ".join(f"`{c}`" for c in columns)
    insert_values = ", ".join(f"s.`{c}`" for c in columns)
    with _temp_view(staged) as view, _committing(spark, table, "scd2 merge") as result:
        spark.sql(
            f"MERGE INTO {quote(table)} t USING {view} s ON {on} AND t.is_current "
            "WHEN MATCHED AND s._action = 'close' THEN UPDATE SET t.valid_to = s.valid_to, t.is_current = false "
            f"WHEN NOT MATCHED AND s._action = 'open' THEN INSERT ({insert_columns}) VALUES ({insert_values})"
        )
    return result[0]


def write_quarantine(bad: DataFrame, table: str, *, job: str, run_key: str, run_id: str) -> WriteResult:
    """Store rejected records with their reasons, replacing this job's earlier rows for ``run_key``.

    Partitioned by job and run key, so re-running a job for the same date replaces its own
    quarantine rows instead of piling up copies.
    """
    ensure_table(
        bad.sparkSession,
        table,
        QUARANTINE_TABLE_SCHEMA,
        partitioned_by=["job", "run_key"],
        comment="Records rejected by jobs, with the reason; one partition per job and run key",
    )
    rows = bad.select(
        F.lit(job).alias("job"),
        F.lit(run_key).alias("run_key"),
        F.lit(run_id).alias("run_id"),
        "source",
        "raw_record",
        "reason",
        F.lit(dt.datetime.now(dt.UTC).replace(tzinfo=None)).cast("timestamp").alias("quarantined_at"),
    )
    if rows.isEmpty():
        # Dynamic overwrite of nothing replaces nothing: clear an earlier run's rows explicitly.
        with _committing(bad.sparkSession, table, "clear quarantine") as result:
            bad.sparkSession.sql(
                f"DELETE FROM {quote(table)} WHERE job = {_sql_string(job)} AND run_key = {_sql_string(run_key)}"
            )
        return result[0]
    return overwrite_partitions(rows, table)
