"""Glue's ``format`` and ``format_options`` for S3 (AWS docs, "Data format options for inputs and outputs")
translated to Spark's data source options.

Options Glue documents are translated; options Glue does not know are passed to Spark unchanged (so
Spark's own, e.g. ``inferSchema``, work too). Reading JSON fails on a malformed record (Spark's
FAILFAST) where Glue would keep it as an error record: see the README's differences table.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import types as T

from awsglue.errors import GlueRuntimeError, GlueUnsupportedError

READ_FORMATS = {
    "csv": "csv",
    "json": "json",
    "parquet": "parquet",
    "glueparquet": "parquet",
    "orc": "orc",
    "avro": "avro",
}
WRITE_FORMATS = READ_FORMATS
_CSV_NAMES = {
    "separator": "sep",
    "escaper": "escape",
    "withHeader": "header",
    "multiLine": "multiLine",
    "writeHeader": "header",
    "quoteChar": "quote",
}
_IGNORED = {
    "optimizePerformance",
    "strictCheckForQuoting",
    "groupFiles",
    "groupSize",
    "useGlueParquetWriter",
    "skipFirst",
    "jsonPath",
    "blockSize",
    "pageSize",
}


def _text(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def spark_format(fmt: str, formats: Mapping[str, str]) -> str:
    name = fmt.lower()
    if name not in formats:
        raise GlueUnsupportedError(f"format {fmt!r} is not supported locally (supported: {', '.join(sorted(formats))})")
    return formats[name]


def read_options(fmt: str, format_options: Mapping[str, Any]) -> dict[str, str]:
    options: dict[str, str] = {}
    if fmt == "csv":
        options["header"] = "false"  # Glue's default: no header line
    if fmt == "json":
        options["mode"] = "FAILFAST"
    for key, value in format_options.items():
        if key in _IGNORED:
            continue
        if fmt == "csv" and key in _CSV_NAMES:
            options[_CSV_NAMES[key]] = _csv_value(key, value)
        else:
            options[key] = _text(value)
    return options


def _csv_value(key: str, value: Any) -> str:
    if key == "quoteChar" and str(value) == "-1":
        return "\u0000"  # Glue's -1 disables quoting; Spark disables it with the NUL character
    return _text(value)


def read(
    spark: SparkSession,
    fmt: str,
    files: Sequence[str],
    format_options: Mapping[str, Any],
    schema: T.StructType | None = None,
    base_path: str | None = None,
) -> DataFrame:
    """Read exactly ``files`` as Glue's ``fmt`` (csv headerless columns are named col0, col1… as in Glue)."""
    name = spark_format(fmt, READ_FORMATS)
    json_path = format_options.get("jsonPath")
    if not files:
        return spark.createDataFrame([], schema or T.StructType([]))
    reader = spark.read.format(name).options(**read_options(name, format_options))
    if base_path:
        reader = reader.option("basePath", base_path)
    if schema is not None:
        reader = reader.schema(schema)
    skip_first = (
        name == "csv" and _flag(format_options.get("skipFirst")) and not _flag(format_options.get("withHeader"))
    )
    df = _without_first_lines(spark, reader, list(files)) if skip_first else _load(reader, list(files), name)
    if name == "csv" and schema is None and not _flag(format_options.get("withHeader")):
        df = df.toDF(*[f"col{i}" for i in range(len(df.columns))])
    if json_path is not None:
        df = _select_json_path(df, str(json_path))
    return df


def _load(reader: Any, files: list[str], name: str) -> DataFrame:
    try:
        df: DataFrame = reader.load(files)
    except Exception as e:
        if "Failed to find data source" in str(e):
            raise GlueUnsupportedError(f"format {name!r}: Spark's {name} data source is not on the classpath") from e
        raise
    return df


def _without_first_lines(spark: SparkSession, reader: Any, files: list[str]) -> DataFrame:
    """CSV rows of ``files`` minus each file's first line (Glue's ``skipFirst``).

    Spark's own header skipping takes the column count from that line, so the files are read whole
    and the remaining lines parsed as CSV.
    """
    from pyspark.sql import functions as F

    texts = spark.read.text(files, wholetext=True)
    lines = texts.select(F.explode(F.slice(F.split("value", "\r?\n"), 2, 1 << 30)).alias("line")).where("line != ''")
    df: DataFrame = reader.csv(lines.rdd.map(lambda row: row[0]))
    return df


def _flag(value: Any) -> bool:
    return str(value).lower() == "true"


def _select_json_path(df: DataFrame, json_path: str) -> DataFrame:
    """Support ``$[*]`` and ``$.a.b[*]``: the records are the elements of that array."""
    from pyspark.sql import functions as F

    path = json_path.strip()
    if path in ("$", "$[*]"):
        return df
    if not (path.startswith("$.") and path.endswith("[*]")):
        raise GlueUnsupportedError(f"jsonPath {json_path!r}: only '$[*]' and '$.field.sub[*]' are supported locally")
    parts = path[2:-3].split(".")
    column = F.col(".".join(f"`{p}`" for p in parts))
    return df.select(F.explode(column).alias("__record")).select("__record.*")


def write_options(fmt: str, format_options: Mapping[str, Any]) -> dict[str, str]:
    options: dict[str, str] = {"header": "true"} if fmt == "csv" else {}
    for key, value in format_options.items():
        if key in _IGNORED:
            continue
        if fmt == "csv" and key in _CSV_NAMES:
            options[_CSV_NAMES[key]] = _csv_value(key, value)
        elif key == "compression":
            options["compression"] = "none" if str(value).lower() == "uncompressed" and fmt != "parquet" else str(value)
        else:
            options[key] = _text(value)
    return options


def exclusions(value: Any) -> list[str]:
    """Glue's ``exclusions``: a JSON list of globs given as a string (or a list)."""
    if value is None:
        return []
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError as e:
            raise GlueRuntimeError(f"exclusions {value!r} must be a JSON list of glob patterns") from e
    else:
        parsed = value
    if not isinstance(parsed, list) or not all(isinstance(p, str) for p in parsed):
        raise GlueRuntimeError(f"exclusions {value!r} must be a JSON list of glob patterns")
    return parsed
