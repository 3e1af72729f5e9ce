"""Readers for raw files with explicit schemas that never drop a record silently.

Every reader returns a :class:`ReadResult`: ``good`` rows typed to the schema, and ``bad``
rows in the quarantine shape (``source``, ``raw_record``, ``reason``) with a specific
reason per row (``column amount: 'abc' is not a valid decimal(12,2)``, ``column order_id
is required``, ``malformed record``, ``column note: contains bytes that are not valid UTF-8``).
Business rules add to the same split with :meth:`ReadResult.validate`. :meth:`ReadResult.reconcile`
proves read = good + bad against a count of the input taken independently of the parse: the
non-blank lines of CSV and JSON files read as plain text, the row counts in Parquet footers.

Text is UTF-8. Spark decodes invalid bytes to U+FFFD silently, so the readers never let it
decode: CSV is parsed as ISO-8859-1 (one char per byte, the same delimiters and quotes) and
each field's bytes are checked and decoded here; JSON lines are read as bytes and checked per
line before parsing. A U+FFFD that is really in the input (valid UTF-8) is kept as data.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from py4j.protocol import Py4JJavaError
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
_NOT_UTF8 = "contains bytes that are not valid UTF-8"
_BLANKS = "".join(map(chr, range(0x21)))
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


def _java_cause(error: Py4JJavaError) -> str:
    """The most telling Java cause of a failed read: the deepest IOException, else the deepest cause."""
    cause, telling = error.java_exception, None
    while cause is not None:
        if cause.getClass().getName().startswith("java.io.") or telling is None:
            telling = cause
        cause = cause.getCause()
    return str(telling.toString()) if telling is not None else str(error).strip()


def _translate_read_error(path: str, error: AnalysisException | Py4JJavaError) -> ReadError:
    if "PATH_NOT_FOUND" in str(error) or "Path does not exist" in str(error):
        return ReadError(f"no input at {path}")
    detail = _java_cause(error) if isinstance(error, Py4JJavaError) else str(error)
    return ReadError(f"cannot read {path}: {detail}")


def _materialised(path: str, frame: DataFrame) -> DataFrame:
    """Cache and count ``frame`` now, so a missing or unreadable input fails here as a :class:`ReadError`."""
    cached = _persist(frame)
    try:
        cached.count()
    except (AnalysisException, Py4JJavaError) as e:
        cached.unpersist()  # a failed read must not stay registered in Spark's cache
        raise _translate_read_error(path, e) from e
    return cached


def _is_flat(field: T.StructField) -> bool:
    return not isinstance(field.dataType, T.StructType | T.ArrayType | T.MapType)


def _is_valid_utf8(data: Column) -> Column:
    """True when ``data`` (binary) is well-formed UTF-8: only then does decoding and re-encoding give the same bytes."""
    return F.coalesce(F.encode(F.decode(data, "UTF-8"), "UTF-8") == data, F.lit(True))


def _field_reasons(field: T.StructField) -> list[Column]:
    """Why a field's string value does not fit its type (null when it does)."""
    column = F.col(f"`{field.name}`")
    reasons = []
    if not isinstance(field.dataType, T.StringType) and _is_flat(field):
        value = F.expr(f"try_cast(`{field.name}` AS {field.dataType.simpleString()})")
        message = F.concat(
            F.lit(f"column {field.name}: '"), column, F.lit(f"' is not a valid {field.dataType.simpleString()}")
        )
        reasons.append(F.when(column.isNotNull() & value.isNull(), message))
    if not field.nullable:
        reasons.append(F.when(column.isNull(), F.lit(f"column {field.name} is required")))
    return reasons


def _typed_value(field: T.StructField) -> Column:
    if isinstance(field.dataType, T.StringType) or not _is_flat(field):
        return F.col(f"`{field.name}`").alias(field.name)
    return F.expr(f"try_cast(`{field.name}` AS {field.dataType.simpleString()})").alias(field.name)


def _typed_frame(raw: DataFrame, schema: T.StructType, malformed_reason: str) -> DataFrame:
    """From string columns (+ corrupt record, + encoding reason) to typed columns with a reason per row.

    ``raw`` has the schema's fields as strings, ``_corrupt_record``, ``_reason`` (encoding
    problems, or null) and optionally ``_raw`` (the record as it was read). Values of a
    malformed record are unreliable, so it gets only its malformed reason (and the encoding
    one); other rows get every field's reason.
    """
    field_reasons = [reason for field in schema for reason in _field_reasons(field)]
    parse_reason = F.when(F.col(_CORRUPT).isNotNull(), F.lit(malformed_reason)).otherwise(
        F.concat_ws("; ", F.array(*field_reasons)) if field_reasons else F.lit("")
    )
    reason = F.concat_ws("; ", F.col(_REASON), F.when(parse_reason != "", parse_reason))
    raw_columns = [F.col(f"`{f.name}`") for f in schema]
    raw_record = F.col(_RAW) if _RAW in raw.columns else F.lit(None).cast("string")
    return raw.select(
        *[_typed_value(field) for field in schema],
        F.input_file_name().alias(_SOURCE),
        F.coalesce(raw_record, F.col(_CORRUPT), F.to_json(F.struct(*raw_columns))).alias(_RAW),
        reason.alias(_REASON),
    )


def _string_schema(schema: T.StructType, rename: Callable[[str], str] = str) -> T.StructType:
    fields = [T.StructField(rename(f.name), T.StringType() if _is_flat(f) else f.dataType, True) for f in schema]
    return T.StructType([*fields, T.StructField(_CORRUPT, T.StringType(), True)])


def _non_blank(line: Column) -> Column:
    # What Spark's CSV and JSON parsers skip: lines of nothing but characters <= U+0020 (Java's trim).
    return F.btrim(line, F.lit(_BLANKS)) != ""


def _record_lines(spark: SparkSession, path: str, *, header: bool) -> Callable[[], int]:
    """Counts the input's non-blank lines (minus one header per file): the records Spark must return."""

    def count() -> int:
        lines = spark.read.text(path).where(_non_blank(F.col("value")))
        if not header:
            return lines.count()
        files = F.countDistinct(F.col("_metadata.file_path")).alias("files")
        row = lines.agg(F.count(F.lit(1)).alias("lines"), files).first()
        assert row is not None
        return int(row["lines"]) - int(row["files"])

    return count


def _latin1(name: str) -> str:
    """How a UTF-8 header name reads when the file is decoded as ISO-8859-1 (unchanged for ASCII)."""
    return name.encode("utf-8").decode("latin-1")


def _csv_as_utf8(raw: DataFrame, schema: T.StructType) -> DataFrame:
    """Fields parsed from ISO-8859-1 back to their bytes, checked and decoded as UTF-8, one reason per bad column."""
    fields, problems = [], []
    for field in schema:
        data = F.encode(F.col(f"`{_latin1(field.name)}`"), "ISO-8859-1")
        fields.append(F.decode(data, "UTF-8").alias(field.name))
        problems.append(F.when(~_is_valid_utf8(data), F.lit(f"column {field.name}: {_NOT_UTF8}")))
    record = F.encode(F.col(_CORRUPT), "ISO-8859-1")
    # A malformed record's bad bytes can sit in a field beyond the schema: name the record then.
    problems.append(
        F.when(
            ~_is_valid_utf8(record) & F.concat_ws("", F.array(*problems)).eqNullSafe(""), F.lit(f"record {_NOT_UTF8}")
        )
    )
    reason = F.concat_ws("; ", F.array(*problems))
    return raw.select(*fields, F.decode(record, "UTF-8").alias(_CORRUPT), F.when(reason != "", reason).alias(_REASON))


def read_csv(
    spark: SparkSession,
    path: str,
    schema: T.StructType,
    *,
    header: bool = True,
    delimiter: str = ",",
) -> ReadResult:
    """Read UTF-8 CSV against ``schema``; rows that do not fit (or are not UTF-8) go to ``bad`` with the reason."""
    try:
        raw = (
            spark.read.schema(_string_schema(schema, _latin1))
            .option("header", header)
            .option("sep", _latin1(delimiter))  # a non-ASCII delimiter is its UTF-8 bytes in ISO-8859-1
            .option("encoding", "ISO-8859-1")  # every byte survives the parse; UTF-8 is checked per field
            .option("mode", "PERMISSIVE")
            .option("columnNameOfCorruptRecord", _CORRUPT)
            .option("enforceSchema", False)
            .csv(path)
        )
    except AnalysisException as e:
        raise _translate_read_error(path, e) from e
    typed = _typed_frame(_csv_as_utf8(raw, schema), schema, "malformed record: wrong number of fields")
    return ReadResult(_materialised(path, typed), schema, path, _record_lines(spark, path, header=header))


def _json_as_utf8(lines: DataFrame, schema: T.StructType) -> DataFrame:
    """Each line's bytes checked as UTF-8, then parsed; a bad line names the columns its bad bytes are in.

    A column is named when its parsed value has a U+FFFD whose text is not in the line's bytes,
    i.e. one that decoding introduced; when none can be named (a key, an escaped value) the record is.
    """
    data = F.col("value").cast("binary")  # the line's bytes exactly as in the file
    text = F.decode(data, "UTF-8")
    parsed = F.from_json(
        text, _string_schema(schema), {"mode": "PERMISSIVE", "columnNameOfCorruptRecord": _CORRUPT}
    ).alias("parsed")
    frame = lines.select(F.col("value"), parsed)
    columns = [F.col(f"parsed.`{f.name}`").alias(f.name) for f in schema]
    suspects = [
        F.when(
            F.col(f"parsed.`{f.name}`").contains("\ufffd") & ~F.col("value").contains(F.col(f"parsed.`{f.name}`")),
            F.lit(f"column {f.name}: {_NOT_UTF8}"),
        )
        for f in schema
        if _is_flat(f)
    ]
    named = F.concat_ws("; ", F.array(*suspects)) if suspects else F.lit("")
    reason = F.when(~_is_valid_utf8(data), F.when(named != "", named).otherwise(F.lit(f"record {_NOT_UTF8}")))
    # The raw record of a JSON line is the line itself (decoded; with U+FFFD where its bytes were bad).
    return frame.select(
        *columns,
        F.col(f"parsed.{_CORRUPT}").alias(_CORRUPT),
        F.decode(data, "UTF-8").alias(_RAW),
        reason.alias(_REASON),
    )


def read_json_lines(spark: SparkSession, path: str, schema: T.StructType) -> ReadResult:
    """Read UTF-8 JSON lines against ``schema``: one record per non-blank line; bad lines and values go to ``bad``."""
    try:
        lines = spark.read.text(path).where(_non_blank(F.col("value")))
    except AnalysisException as e:
        raise _translate_read_error(path, e) from e
    typed = _typed_frame(_json_as_utf8(lines, schema), schema, "malformed record: not a JSON object")
    return ReadResult(_materialised(path, typed), schema, path, _record_lines(spark, path, header=False))


def _footer_rows(spark: SparkSession, files: list[str]) -> Callable[[], int]:
    """Sums the row counts in the files' Parquet footers (read through Hadoop FS, so s3a works), never their data."""

    def count() -> int:
        jvm = spark.sparkContext._jvm
        assert jvm is not None
        conf = spark._jsparkSession.sessionState().newHadoopConf()
        total = 0
        for file in files:
            try:
                reader = jvm.org.apache.parquet.hadoop.ParquetFileReader.open(
                    jvm.org.apache.parquet.hadoop.util.HadoopInputFile.fromPath(
                        jvm.org.apache.hadoop.fs.Path(file), conf
                    )
                )
            except Py4JJavaError as e:
                raise ReconciliationError(f"{file}: cannot read its Parquet footer to count its rows: {e}") from e
            try:
                total += int(reader.getRecordCount())
            finally:
                reader.close()
        return total

    return count


def read_parquet(spark: SparkSession, path: str, schema: T.StructType) -> ReadResult:
    """Read Parquet, checking its columns against ``schema`` (safe widening only)."""
    try:
        actual = spark.read.parquet(path)
    except (AnalysisException, Py4JJavaError) as e:  # Py4JJavaError: a footer Spark cannot read
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
    return ReadResult(_materialised(path, frame), schema, path, _footer_rows(spark, actual.inputFiles()))


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
