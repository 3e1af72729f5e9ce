"""Put the input of a job into S3 and read back what it wrote, the way a user checks a job's output:
plain boto3 plus pyarrow/csv/json parsers, no Spark, so the check cannot share a bug with the job."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]

# What Spark/Hadoop committers leave next to the data files; never data.
_MARKER_PREFIXES = ("_", ".")
_MARKER_SUFFIXES = (".crc", "_$folder$")


def split_uri(uri: str) -> tuple[str, str]:
    if not uri.startswith("s3://"):
        raise ValueError(f"not an s3:// URI: {uri!r}")
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    return bucket, key


def put_text(s3: Any, uri: str, text: str) -> None:
    bucket, key = split_uri(uri)
    s3.put_object(Bucket=bucket, Key=key, Body=text.encode())


def put_json_lines(s3: Any, uri: str, records: Sequence[Mapping[str, object]]) -> None:
    put_text(s3, uri, "".join(json.dumps(r) + "\n" for r in records))


def data_objects(s3: Any, uri: str) -> list[tuple[str, bytes]]:
    """(key relative to ``uri``, body) of every non-empty data file under the prefix, sorted by key."""
    bucket, prefix = split_uri(uri.rstrip("/") + "/")
    found: list[tuple[str, bytes]] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            relative = item["Key"].removeprefix(prefix)
            name = relative.rsplit("/", 1)[-1]
            if item["Size"] == 0 or name.startswith(_MARKER_PREFIXES) or name.endswith(_MARKER_SUFFIXES):
                continue
            found.append((relative, s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()))
    return sorted(found)


def partition_values(relative_key: str) -> dict[str, str]:
    """Hive-style ``key=value`` directories of a data file's path."""
    return dict(part.split("=", 1) for part in relative_key.split("/")[:-1] if "=" in part)


def parquet_columns(body: bytes) -> dict[str, str]:
    """A Parquet file's columns and their Arrow types, e.g. {"id": "int64"}."""
    return {field.name: str(field.type) for field in pq.read_schema(pa.BufferReader(body))}


def parquet_rows(s3: Any, uri: str) -> list[dict[str, Any]]:
    """Every row of the Parquet files under ``uri``, with the partition columns taken from the path."""
    rows: list[dict[str, Any]] = []
    for relative, body in data_objects(s3, uri):
        table = pq.read_table(pa.BufferReader(body))
        rows += [{**row, **partition_values(relative)} for row in table.to_pylist()]
    return rows


def json_rows(s3: Any, uri: str) -> list[dict[str, Any]]:
    """Every record of the JSON-lines files under ``uri`` (partition columns from the path)."""
    rows: list[dict[str, Any]] = []
    for relative, body in data_objects(s3, uri):
        lines = [line for line in body.decode().splitlines() if line.strip()]
        rows += [{**json.loads(line), **partition_values(relative)} for line in lines]
    return rows


def csv_rows(s3: Any, uri: str) -> list[dict[str, str]]:
    """Every row of the CSV files (each with its header line) under ``uri``."""
    rows: list[dict[str, str]] = []
    for _, body in data_objects(s3, uri):
        rows += list(csv.DictReader(io.StringIO(body.decode())))
    return rows


def text_of(s3: Any, uri: str) -> str:
    """The text files under ``uri``, concatenated in key order."""
    return "".join(body.decode() for _, body in data_objects(s3, uri))


def as_tuples(rows: list[dict[str, Any]], *columns: str) -> list[tuple[Any, ...]]:
    """The rows as sorted tuples of ``columns`` (a missing key is None): a multiset comparison."""
    return sorted((tuple(row.get(c) for c in columns) for row in rows), key=repr)
