"""from_options / getSource / write_dynamic_frame / getSink / purge_s3_path over local paths (file:// as s3://)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from awsglue.context import GlueContext
from awsglue.dynamicframe import DynamicFrame
from awsglue.errors import GlueRuntimeError, GlueUnsupportedError
from chispa import assert_df_equality
from pyspark.sql import SparkSession


def _read(ctx: GlueContext, paths: list[Path], fmt: str, **kwargs: object) -> DynamicFrame:
    options = {"paths": [p.as_uri() for p in paths], **kwargs.pop("connection", {})}  # type: ignore[dict-item]
    return ctx.create_dynamic_frame.from_options(
        connection_type="s3", connection_options=options, format=fmt, format_options=kwargs.pop("opts", {})
    )


def _rows(frame: DynamicFrame) -> list[tuple[object, ...]]:
    return sorted(tuple(r) for r in frame.toDF().collect())


def test_csv_with_header_separator_and_quote(tmp_path: Path, glue_context: GlueContext) -> None:
    (tmp_path / "a.csv").write_text("id|name\n1|'Ada|L'\n2|Alan\n")
    frame = _read(glue_context, [tmp_path], "csv", opts={"withHeader": True, "separator": "|", "quoteChar": "'"})
    assert frame.toDF().columns == ["id", "name"]
    assert _rows(frame) == [("1", "Ada|L"), ("2", "Alan")]


def test_csv_without_header_names_columns_like_glue(tmp_path: Path, glue_context: GlueContext) -> None:
    (tmp_path / "a.csv").write_text("1,Ada\n2,Alan\n")
    frame = _read(glue_context, [tmp_path / "a.csv"], "csv")
    assert frame.toDF().columns == ["col0", "col1"]
    assert _rows(frame) == [("1", "Ada"), ("2", "Alan")]


def test_csv_skip_first(tmp_path: Path, glue_context: GlueContext) -> None:
    (tmp_path / "a.csv").write_text("junk line\n1,Ada\n")
    frame = _read(glue_context, [tmp_path], "csv", opts={"skipFirst": True})
    assert frame.toDF().columns == ["col0", "col1"]
    assert _rows(frame) == [("1", "Ada")]


def test_json_lines_multiline_and_json_path(tmp_path: Path, glue_context: GlueContext) -> None:
    (tmp_path / "lines").mkdir()
    (tmp_path / "lines" / "a.json").write_text('{"id": 1, "v": "x"}\n{"id": 2, "v": "y"}\n')
    assert _rows(_read(glue_context, [tmp_path / "lines"], "json")) == [(1, "x"), (2, "y")]
    (tmp_path / "doc.json").write_text(json.dumps({"data": {"records": [{"id": 3}, {"id": 4}]}}, indent=2))
    frame = _read(
        glue_context, [tmp_path / "doc.json"], "json", opts={"multiLine": True, "jsonPath": "$.data.records[*]"}
    )
    assert _rows(frame) == [(3,), (4,)]


def test_malformed_json_fails_the_read(tmp_path: Path, glue_context: GlueContext) -> None:
    (tmp_path / "bad.json").write_text('{"id": 1}\n{"id": \n')
    with pytest.raises(Exception, match="(?i)malformed"):
        _read(glue_context, [tmp_path], "json").toDF().collect()


def test_recurse_and_exclusions(tmp_path: Path, glue_context: GlueContext) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.csv").write_text("1\n")
    (tmp_path / "skip.txt").write_text("9\n")
    (tmp_path / "sub" / "b.csv").write_text("2\n")
    (tmp_path / "_SUCCESS").write_text("")
    assert _rows(_read(glue_context, [tmp_path], "csv")) == [("1",), ("9",)]
    frame = _read(glue_context, [tmp_path], "csv", connection={"recurse": True, "exclusions": '["**.txt"]'})
    assert _rows(frame) == [("1",), ("2",)]


def test_missing_path_is_named(tmp_path: Path, glue_context: GlueContext) -> None:
    with pytest.raises(GlueRuntimeError, match="does not exist"):
        _read(glue_context, [tmp_path / "nope"], "csv")


def test_unsupported_connection_type_and_format(tmp_path: Path, glue_context: GlueContext) -> None:
    with pytest.raises(GlueUnsupportedError, match="connection_type 'dynamodb'"):
        glue_context.create_dynamic_frame.from_options(connection_type="dynamodb", connection_options={})
    with pytest.raises(GlueUnsupportedError, match="format 'xml'"):
        _read(glue_context, [tmp_path], "xml")


@pytest.mark.parametrize("fmt", ["parquet", "glueparquet", "orc", "json", "csv"])
def test_write_with_partition_keys_then_read_back(
    fmt: str, tmp_path: Path, spark: SparkSession, glue_context: GlueContext
) -> None:
    df = spark.createDataFrame([(1, "a", "2026"), (2, "b", "2026"), (3, "c", "2027")], "id int, v string, year string")
    out = tmp_path / "out"
    glue_context.write_dynamic_frame.from_options(
        frame=DynamicFrame.fromDF(df, glue_context, "f"),
        connection_type="s3",
        connection_options={"path": out.as_uri(), "partitionKeys": ["year"]},
        format=fmt,
        format_options={"compression": "gzip"} if fmt in ("csv", "json") else {},
    )
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(("_", "."))) == ["year=2026", "year=2027"]
    if fmt in ("csv", "json"):
        assert all(f.name.endswith(".gz") for f in (out / "year=2026").iterdir() if not f.name.startswith("."))
    reader = spark.read.option("header", "true") if fmt == "csv" else spark.read
    back = reader.format("parquet" if fmt == "glueparquet" else fmt).load(str(out))
    assert sorted((str(r["id"]), r["v"], str(r["year"])) for r in back.collect()) == [
        ("1", "a", "2026"), ("2", "b", "2026"), ("3", "c", "2027"),
    ]  # fmt: skip


def test_writes_append_as_glue_sinks_do(tmp_path: Path, spark: SparkSession, glue_context: GlueContext) -> None:
    frame = DynamicFrame.fromDF(spark.createDataFrame([(1,)], "id int"), glue_context, "f")
    for _ in range(2):
        glue_context.write_dynamic_frame_from_options(
            frame=frame, connection_type="s3", connection_options={"path": tmp_path.as_uri()}, format="parquet"
        )
    assert sorted(tuple(r) for r in spark.read.parquet(str(tmp_path)).collect()) == [(1,), (1,)]


def test_partition_key_must_be_a_field(tmp_path: Path, spark: SparkSession, glue_context: GlueContext) -> None:
    frame = DynamicFrame.fromDF(spark.createDataFrame([(1,)], "id int"), glue_context, "f")
    with pytest.raises(GlueRuntimeError, match=r"partitionKeys \['year'\]"):
        glue_context.write_dynamic_frame.from_options(
            frame=frame,
            connection_type="s3",
            connection_options={"path": tmp_path.as_uri(), "partitionKeys": ["year"]},
            format="parquet",
        )


def test_get_source_and_get_sink(tmp_path: Path, spark: SparkSession, glue_context: GlueContext) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.csv").write_text("id,day\n1,2026-11-26\n2,2026-11-27\n")
    source = glue_context.getSource("s3", paths=[(tmp_path / "in").as_uri()], transformation_ctx="src")
    source.setFormat("csv", withHeader=True)
    frame = source.getFrame()
    sink = glue_context.getSink(
        connection_type="s3",
        path=(tmp_path / "out").as_uri(),
        partitionKeys=["day"],
        compression="snappy",
        transformation_ctx="sink",
    )
    sink.setFormat("glueparquet")
    sink.writeFrame(frame)
    back = spark.read.parquet(str(tmp_path / "out"))
    expected = spark.createDataFrame([("1", "2026-11-26"), ("2", "2026-11-27")], "id string, day string")
    assert_df_equality(
        back.selectExpr("id", "cast(day as string) day"), expected, ignore_row_order=True, ignore_nullable=True
    )


def test_data_frames_from_options(tmp_path: Path, spark: SparkSession, glue_context: GlueContext) -> None:
    spark.createDataFrame([(1, "x")], "id int, v string").write.orc(str(tmp_path / "orc"))
    df = glue_context.create_data_frame.from_options(
        connection_type="s3", connection_options={"paths": [(tmp_path / "orc").as_uri()]}, format="orc"
    )
    assert sorted(tuple(r) for r in df.collect()) == [(1, "x")]


def test_purge_s3_path_deletes_only_files_older_than_the_retention(tmp_path: Path, glue_context: GlueContext) -> None:
    old, new = tmp_path / "p" / "old.csv", tmp_path / "p" / "sub" / "new.csv"
    new.parent.mkdir(parents=True)
    old.write_text("1\n")
    new.write_text("2\n")
    two_days_ago = time.time() - 48 * 3600
    os.utime(old, (two_days_ago, two_days_ago))
    glue_context.purge_s3_path((tmp_path / "p").as_uri(), options={"retentionPeriod": 24})
    assert sorted(p.name for p in (tmp_path / "p").rglob("*.csv")) == ["new.csv"]
    glue_context.purge_s3_path((tmp_path / "p").as_uri(), options={"retentionPeriod": 0})
    assert list((tmp_path / "p").rglob("*.csv")) == []


def test_avro_without_spark_avro_is_refused_with_a_clear_message(tmp_path: Path, glue_context: GlueContext) -> None:
    # spark-avro is not provisioned (no hash-pinned PyPI artifact carries it): reading Avro must say so.
    (tmp_path / "a.avro").write_bytes(b"Obj\x01")
    with pytest.raises(GlueUnsupportedError, match="Spark's avro data source is not on the classpath"):
        _read(glue_context, [tmp_path], "avro")
