"""Iceberg DDL, the schema-evolution policy and table maintenance through Spark procedures.

Tables are created format v2 with merge-on-read deletes, updates and merges. Schema
evolution applies only what cannot break a reader: new nullable columns, safe type
widening (int→bigint, float→double, decimal precision up) and relaxing NOT NULL. Anything
else raises :class:`~core.exceptions.SchemaEvolutionError` naming the column.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from py4j.protocol import Py4JJavaError
from pyspark.errors import AnalysisException
from pyspark.errors.exceptions.captured import CapturedException
from pyspark.sql import types as T

from core.exceptions import (
    MaintenanceConflictError,
    MaintenanceError,
    SchemaEvolutionError,
    TableNotFoundError,
    WriteError,
)

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

DEFAULT_TABLE_PROPERTIES: Mapping[str, str] = {
    "format-version": "2",
    "write.delete.mode": "merge-on-read",
    "write.update.mode": "merge-on-read",
    "write.merge.mode": "merge-on-read",
    "write.parquet.compression-codec": "zstd",
    "write.metadata.delete-after-commit.enabled": "true",
    "write.metadata.previous-versions-max": "50",
}
_TRANSFORM_RE = re.compile(
    r"^(?:(?P<fn>years|months|days|hours|bucket|truncate)\((?:\s*\d+\s*,)?\s*(?P<arg>\w+)\s*\)|(?P<col>\w+))$"
)
# What a failing Spark statement raises: converted JVM errors, or raw py4j ones.
SPARK_ERRORS = (CapturedException, Py4JJavaError)
_WIDENING = {("int", "bigint"), ("float", "double")}
_DECIMAL_RE = re.compile(r"^decimal\((\d+),(\d+)\)$")
# Iceberg's optimistic-concurrency failures: another commit won the race; a retry sees the new state.
_CONFLICT_EXCEPTIONS = (
    "org.apache.iceberg.exceptions.CommitFailedException",
    "org.apache.iceberg.exceptions.ValidationException",
)


def quote(table: str) -> str:
    """``sales.orders`` → ```sales`.`orders```, rejecting names that are not identifiers."""
    parts = table.split(".")
    if not all(re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", p) for p in parts):
        raise WriteError(f"{table!r} is not a valid table name (use namespace.table)")
    return ".".join(f"`{p}`" for p in parts)


def first_line(error: Exception) -> str:
    """The message of a Spark/py4j error without the JVM stack trace."""
    if isinstance(error, Py4JJavaError):
        return str(error.java_exception.getMessage())
    return str(error).strip().splitlines()[0]


def is_commit_conflict(error: Exception) -> bool:
    """True when a Spark/py4j error is (or was caused by) an Iceberg commit conflict."""
    trace = error.stackTrace if isinstance(error, CapturedException) else ""  # py4j's str() has the trace
    text = f"{error}\n{trace or ''}"
    return any(name in text for name in _CONFLICT_EXCEPTIONS)


def is_missing_table(error: Exception) -> bool:
    text = str(error)
    return any(s in text for s in ("TABLE_OR_VIEW_NOT_FOUND", "SCHEMA_NOT_FOUND", "NoSuchTableException"))


def table_exists(spark: SparkSession, table: str) -> bool:
    return bool(spark.catalog.tableExists(table))


def create_namespace_if_not_exists(spark: SparkSession, namespace: str) -> None:
    spark.sql(f"CREATE NAMESPACE IF NOT EXISTS {quote(namespace)}")


def _column_ddl(field: T.StructField) -> str:
    ddl = f"`{field.name}` {field.dataType.simpleString()}"
    if not field.nullable:
        ddl += " NOT NULL"
    if comment := field.metadata.get("comment"):
        ddl += " COMMENT '" + str(comment).replace("'", "\\'") + "'"
    return ddl


def _partition_ddl(table: str, schema: T.StructType, partitioned_by: Sequence[str]) -> str:
    names = {f.name.lower() for f in schema}
    for spec in partitioned_by:
        match = _TRANSFORM_RE.match(spec.strip())
        if not match:
            raise SchemaEvolutionError(table, spec, "is not a partition transform (column, days(c), bucket(n, c), …)")
        column = match["arg"] or match["col"]
        if column.lower() not in names:
            raise SchemaEvolutionError(table, column, "partition column is not in the schema")
    return f" PARTITIONED BY ({', '.join(partitioned_by)})" if partitioned_by else ""


def create_table_if_not_exists(
    spark: SparkSession,
    table: str,
    schema: T.StructType,
    *,
    partitioned_by: Sequence[str] = (),
    properties: Mapping[str, str] | None = None,
    comment: str | None = None,
) -> bool:
    """Create ``table`` (and its namespace) unless it exists. Returns True if it was created."""
    if table_exists(spark, table):
        return False
    create_namespace_if_not_exists(spark, table.rsplit(".", 1)[0])
    props = {**DEFAULT_TABLE_PROPERTIES, **(properties or {})}
    props_ddl = ", ".join(f"'{k}'='{v}'" for k, v in props.items())
    columns = ", ".join(_column_ddl(f) for f in schema)
    comment_ddl = " COMMENT '" + comment.replace("'", "\\'") + "'" if comment else ""
    statement = (
        f"CREATE TABLE IF NOT EXISTS {quote(table)} ({columns}) USING iceberg"
        f"{_partition_ddl(table, schema, partitioned_by)}{comment_ddl} TBLPROPERTIES ({props_ddl})"
    )
    try:
        spark.sql(statement)
    except SPARK_ERRORS as e:
        raise WriteError(f"cannot create {table}: {e}") from e
    return True


def _widens(current: str, desired: str) -> bool:
    if (current, desired) in _WIDENING:
        return True
    have, want = _DECIMAL_RE.match(current), _DECIMAL_RE.match(desired)
    return bool(have and want and have[2] == want[2] and int(want[1]) > int(have[1]))


def plan_schema_evolution(table: str, current: T.StructType, desired: T.StructType) -> list[str]:
    """ALTER statements that take ``current`` to ``desired``, or an error naming the first bad column."""
    have = {f.name.lower(): f for f in current}
    want = {f.name.lower(): f for f in desired}
    statements: list[str] = []
    for name, field in have.items():
        if name not in want:
            raise SchemaEvolutionError(
                table,
                field.name,
                "exists in the table but not in the new schema; dropping a column is never applied automatically",
            )
    for name, field in want.items():
        target = quote(table)
        if name not in have:
            if not field.nullable:
                raise SchemaEvolutionError(
                    table, field.name, "a new column must be nullable (existing rows have no value)"
                )
            statements.append(f"ALTER TABLE {target} ADD COLUMN {_column_ddl(field)}")
            continue
        old = have[name]
        old_type, new_type = old.dataType.simpleString(), field.dataType.simpleString()
        if old_type != new_type:
            if not _widens(old_type, new_type):
                raise SchemaEvolutionError(
                    table, field.name, f"changing {old_type} to {new_type} is not a safe widening"
                )
            statements.append(f"ALTER TABLE {target} ALTER COLUMN `{old.name}` TYPE {new_type}")
        if old.nullable and not field.nullable:
            raise SchemaEvolutionError(table, field.name, "cannot become NOT NULL: existing rows may hold nulls")
        if not old.nullable and field.nullable:
            statements.append(f"ALTER TABLE {target} ALTER COLUMN `{old.name}` DROP NOT NULL")
    return statements


def evolve_schema(spark: SparkSession, table: str, desired: T.StructType) -> list[str]:
    """Apply the evolution plan to ``table``; returns the statements that ran."""
    try:
        current = spark.table(table).schema
    except AnalysisException as e:
        if is_missing_table(e):
            raise TableNotFoundError(f"table {table} does not exist") from e
        raise
    statements = plan_schema_evolution(table, current, desired)
    for statement in statements:
        try:
            spark.sql(statement)
        except SPARK_ERRORS as e:
            raise WriteError(f"schema evolution of {table} failed at `{statement}`: {e}") from e
    return statements


def ensure_table(
    spark: SparkSession,
    table: str,
    schema: T.StructType,
    *,
    partitioned_by: Sequence[str] = (),
    properties: Mapping[str, str] | None = None,
    comment: str | None = None,
) -> list[str]:
    """Create ``table`` if missing, else evolve it to ``schema`` under the policy."""
    if create_table_if_not_exists(
        spark, table, schema, partitioned_by=partitioned_by, properties=properties, comment=comment
    ):
        return [f"CREATE TABLE {table}"]
    return evolve_schema(spark, table, schema)


# ---------------------------------------------------------------- maintenance


@dataclass(frozen=True)
class ProcedureResult:
    """The first (and only) row a maintenance procedure returns, as a dict."""

    procedure: str
    table: str
    values: Mapping[str, Any]


def _call(spark: SparkSession, procedure: str, table: str, arguments: Mapping[str, str]) -> list[dict[str, Any]]:
    catalog = spark.conf.get("spark.sql.defaultCatalog")
    args = ", ".join([f"table => '{table}'", *(f"{k} => {v}" for k, v in arguments.items())])
    try:
        rows = spark.sql(f"CALL `{catalog}`.system.{procedure}({args})").collect()
    except SPARK_ERRORS as e:
        if is_missing_table(e):
            raise TableNotFoundError(f"table {table} does not exist") from e
        if is_commit_conflict(e):
            raise MaintenanceConflictError(f"{procedure} on {table} conflicted with a commit: {first_line(e)}") from e
        raise MaintenanceError(f"{procedure} on {table} failed: {first_line(e)}") from e
    return [row.asDict() for row in rows]


def _timestamp(value: dt.datetime) -> str:
    utc = value.astimezone(dt.UTC) if value.tzinfo else value
    return f"TIMESTAMP '{utc:%Y-%m-%d %H:%M:%S.%f}'"


def rewrite_data_files(
    spark: SparkSession, table: str, *, strategy: str = "binpack", options: Mapping[str, str] | None = None
) -> ProcedureResult:
    """Compact small files (binpack or sort)."""
    if strategy not in {"binpack", "sort"}:
        raise MaintenanceError(f"rewrite_data_files strategy {strategy!r} is not binpack or sort")
    arguments = {"strategy": f"'{strategy}'"}
    if options:
        pairs = ", ".join(f"'{k}', '{v}'" for k, v in options.items())
        arguments["options"] = f"map({pairs})"
    rows = _call(spark, "rewrite_data_files", table, arguments)
    return ProcedureResult("rewrite_data_files", table, rows[0] if rows else {})


def expire_snapshots(
    spark: SparkSession, table: str, *, older_than: dt.datetime | None = None, retain_last: int = 1
) -> ProcedureResult:
    """Expire snapshots older than ``older_than`` while keeping the newest ``retain_last``."""
    if retain_last < 1:
        raise MaintenanceError(f"retain_last must be at least 1, got {retain_last}")
    arguments = {"retain_last": str(retain_last)}
    if older_than is not None:
        arguments["older_than"] = _timestamp(older_than)
    rows = _call(spark, "expire_snapshots", table, arguments)
    return ProcedureResult("expire_snapshots", table, rows[0] if rows else {})


def remove_orphan_files(
    spark: SparkSession, table: str, *, older_than: dt.datetime | None = None, dry_run: bool = False
) -> list[str]:
    """Delete files under the table location that no snapshot references; returns their paths."""
    arguments = {"dry_run": str(dry_run).lower()}
    if older_than is not None:
        arguments["older_than"] = _timestamp(older_than)
    return [row["orphan_file_location"] for row in _call(spark, "remove_orphan_files", table, arguments)]


def rewrite_manifests(spark: SparkSession, table: str) -> ProcedureResult:
    """Rewrite manifests to match the partition layout (faster planning)."""
    rows = _call(spark, "rewrite_manifests", table, {})
    return ProcedureResult("rewrite_manifests", table, rows[0] if rows else {})
