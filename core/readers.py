"""Readers for raw files with explicit schemas that never drop a record silently.

Every reader returns a :class:`ReadResult`: ``good`` rows typed to the schema, and ``bad``
rows in the quarantine shape (``source``, ``raw_record``, ``reason``) with a specific
reason per row (``column amount: 'abc' is not a valid decimal(12,2)``, ``column order_id
is required``, ``malformed record``). Business rules add to the same split with
:meth:`ReadResult.validate`. :meth:`ReadResult.reconcile` proves read = good + bad against an
independent count of the input's lines.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pyspark import StorageLevel
from pyspark.errors import AnalysisException
from pyspark.sql import Column
from pyspark.sql import functions as F
from pyspark.sql import types as T

from core.exceptions import ReadError, ReconciliationError, SchemaMismatchError, TableNotFoundError
from core.iceberg import is_missing_table

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

QUARANTINE_SCHEMA = T.StructType(
    [
        T.StructField("source", T.StringType(), True),
        T.StructField("raw_record", T.StringType(), True),
        T.StructField("reason", T.StringType(), True),
    ]
)
_CORRUPT = "_corrupt_record"
_SOURCE = "_source"
_RAW = "_raw"
_REASON = "_reason"
# Parquet columns may be read into a wider type than they were written with; nothing else.
_SAFE_WIDENING = {
    ("int", "bigint"),
    ("smallint", "int"),
    ("smallint", "bigint"),
    ("tinyint", "smallint"),
    ("tinyint", "int"),
    ("tinyint", "bigint"),
    ("float", "double"),
    ("date", "timestamp"),
}


@dataclass(frozen=True)
class RecordCounts:
    """How many records were read, kept and quarantined."""

    read: int
    good: int
    bad: int

    @property
    def reconciled(self) -> bool:
        return self.read == self.good + self.bad


@dataclass(frozen=True)
class ReadResult:
    """The outcome of one read: typed good rows, reasoned bad rows, and how to count them."""

    frame: DataFrame  # typed columns + _source, _raw, _reason (cached)
    schema: T.StructType
    source: str
    expected_records: Callable[[], int] | None = None  # independent count of the input's records

    @property
    def good(self) -> DataFrame:
        return self.frame.where(F.col(_REASON) == "").select(*[F.col(f"`{f.name}`") for f in self.schema])

    @property
    def bad(self) -> DataFrame:
        return self.frame.where(F.col(_REASON) != "").select(
            F.col(_SOURCE).alias("source"), F.col(_RAW).alias("raw_record"), F.col(_REASON).alias("reason")
        )

    def validate(self, rules: Mapping[str, Column]) -> ReadResult:
        """Apply business rules (name → condition that must hold) to the rows that parsed.

        A row failing any rule moves to ``bad`` with ``rule <name> failed`` for each rule.
        """
        failures = [
            F.when(~F.coalesce(cond, F.lit(False)), F.lit(f"rule {name} failed")) for name, cond in rules.items()
        ]
        rule_reason = F.concat_ws("; ", F.array(*failures)) if failures else F.lit("")
        frame = self.frame.withColumn(_REASON, F.when(F.col(_REASON) == "", rule_reason).otherwise(F.col(_REASON)))
        # Not persisted again: the rules are column expressions over the already cached parse.
        return ReadResult(frame, self.schema, self.source, self.expected_records)

    def counts(self) -> RecordCounts:
        """Read, good and bad counts in one pass over the cached frame."""
        row = self.frame.agg(
            F.count(F.lit(1)).alias("read"),
            F.coalesce(F.sum(F.when(F.col(_REASON) == "", 1).otherwise(0)), F.lit(0)).alias("good"),
        ).first()
        assert row is not None
        return RecordCounts(read=row["read"], good=row["good"], bad=row["read"] - row["good"])

    def reconcile(self) -> RecordCounts:
        """Counts, after proving no input record was lost between the files and the split."""
        counts = self.counts()
        if self.expected_records is not None:
            expected = self.expected_records()
            if expected != counts.read:
                raise ReconciliationError(
                    f"{self.source}: {expected} records in the input but {counts.read} parsed "
                    f"({counts.good} good + {counts.bad} bad)"
                )
        if not counts.reconciled:
            raise ReconciliationError(f"{self.source}: read {counts.read} != good {counts.good} + bad {counts.bad}")
        return counts

    def unpersist(self) -> None:
        self.frame.unpersist()


def _persist(frame: DataFrame) -> DataFrame:
    # Cached so good, bad and the counts all see one parse of the input (and read it once).
    return frame.persist(StorageLevel.MEMORY_AND_DISK)


def _translate_read_error(path: str, error: AnalysisException) -> ReadError:
    if "PATH_NOT_FOUND" in str(error) or "Path does not exist" in str(error):
        return ReadError(f"no input at {path}")
    return ReadError(f"cannot read {path}: {error}")


def _is_flat(field: T.StructField) -> bool:
    return not isinstance(field.dataType, T.StructType | T.ArrayType | T.MapType)


def _typed_frame(raw: DataFrame, schema: T.StructType, malformed_reason: str) -> DataFrame:
    """From string columns (+ corrupt record) to typed columns with a reason per row."""
    typed, reasons = [], []
    for field in schema:
        column = F.col(f"`{field.name}`")
        if isinstance(field.dataType, T.StringType) or not _is_flat(field):
            value = column
            reasons_for_field = []
        else:
            value = F.expr(f"try_cast(`{field.name}` AS {field.dataType.simpleString()})")
            invalid = column.isNotNull() & value.isNull()
            message = F.concat(
                F.lit(f"column {field.name}: '"), column, F.lit(f"' is not a valid {field.dataType.simpleString()}")
            )
            reasons_for_field = [F.when(invalid, message)]
        if not field.nullable:
            reasons_for_field.append(F.when(column.isNull(), F.lit(f"column {field.name} is required")))
        typed.append(value.alias(field.name))
        reasons.extend(reasons_for_field)
    raw_columns = [F.col(f"`{f.name}`") for f in schema]
    reason = F.when(F.col(_CORRUPT).isNotNull(), F.lit(malformed_reason)).otherwise(
        F.concat_ws("; ", F.array(*reasons)) if reasons else F.lit("")
    )
    return raw.select(
        *typed,
        F.input_file_name().alias(_SOURCE),
        F.coalesce(F.col(_CORRUPT), F.to_json(F.struct(*raw_columns))).alias(_RAW),
        reason.alias(_REASON),
    )


def _string_schema(schema: T.StructType) -> T.StructType:
    fields = [T.StructField(f.name, T.StringType() if _is_flat(f) else f.dataType, True) for f in schema]
    return T.StructType([*fields, T.StructField(_CORRUPT, T.StringType(), True)])


def _record_lines(spark: SparkSession, path: str, *, header: bool) -> Callable[[], int]:
    """Counts the input's non-blank lines (minus one header per file): the records Spark must return."""

    def count() -> int:
        lines = spark.read.text(path).where(F.trim("value") != "")
        if not header:
            return lines.count()
        files = F.countDistinct(F.col("_metadata.file_path")).alias("files")
        row = lines.agg(F.count(F.lit(1)).alias("lines"), files).first()
        assert row is not None
        return int(row["lines"]) - int(row["files"])

    return count


def read_csv(
    spark: SparkSession,
    path: str,
    schema: T.StructType,
    *,
    header: bool = True,
    delimiter: str = ",",
) -> ReadResult:
    """Read CSV against ``schema``; rows that do not fit go to ``bad`` with the reason."""
    try:
        raw = (
            spark.read.schema(_string_schema(schema))
            .option("header", header)
            .option("sep", delimiter)
            .option("mode", "PERMISSIVE")
            .option("columnNameOfCorruptRecord", _CORRUPT)
            .option("enforceSchema", False)
            .csv(path)
        )
        frame = _persist(_typed_frame(raw, schema, "malformed record: wrong number of fields"))
        frame.count()  # materialise now so a missing path fails here, not later
    except AnalysisException as e:
        raise _translate_read_error(path, e) from e
    return ReadResult(frame, schema, path, _record_lines(spark, path, header=header))


def read_json_lines(spark: SparkSession, path: str, schema: T.StructType) -> ReadResult:
    """Read JSON lines against ``schema``; unparsable lines and bad values go to ``bad``."""
    try:
        raw = (
            spark.read.schema(_string_schema(schema))
            .option("mode", "PERMISSIVE")
            .option("columnNameOfCorruptRecord", _CORRUPT)
            .json(path)
        )
        frame = _persist(_typed_frame(raw, schema, "malformed record: not a JSON object"))
        frame.count()
    except AnalysisException as e:
        raise _translate_read_error(path, e) from e
    return ReadResult(frame, schema, path, _record_lines(spark, path, header=False))


def read_parquet(spark: SparkSession, path: str, schema: T.StructType) -> ReadResult:
    """Read Parquet, checking its columns against ``schema`` (safe widening only)."""
    try:
        actual = spark.read.parquet(path)
    except AnalysisException as e:
        raise _translate_read_error(path, e) from e
    present = {f.name: f.dataType for f in actual.schema}
    columns, reasons = [], []
    for field in schema:
        if field.name not in present:
            raise SchemaMismatchError(f"{path}: column {field.name!r} is missing (file columns: {sorted(present)})")
        have, want = present[field.name].simpleString(), field.dataType.simpleString()
        if have != want and (have, want) not in _SAFE_WIDENING:
            raise SchemaMismatchError(f"{path}: column {field.name!r} is {have}, expected {want}")
        columns.append(F.col(f"`{field.name}`").cast(field.dataType).alias(field.name))
        if not field.nullable:
            reasons.append(F.when(F.col(f"`{field.name}`").isNull(), F.lit(f"column {field.name} is required")))
    frame = actual.select(
        *columns,
        F.input_file_name().alias(_SOURCE),
        F.to_json(F.struct(*[F.col(f"`{n}`") for n in present])).alias(_RAW),
        (F.concat_ws("; ", F.array(*reasons)) if reasons else F.lit("")).alias(_REASON),
    )
    return ReadResult(_persist(frame), schema, path, actual.count)


def read_table(spark: SparkSession, table: str) -> DataFrame:
    """An Iceberg table by two-part name; a missing one is a :class:`TableNotFoundError`."""
    try:
        return spark.table(table)
    except AnalysisException as e:
        if is_missing_table(e):
            raise TableNotFoundError(
                f"table {table} does not exist: run the job that writes it first (see jobs/*/jobs.yaml)"
            ) from e
        raise ReadError(f"cannot read table {table}: {e}") from e
