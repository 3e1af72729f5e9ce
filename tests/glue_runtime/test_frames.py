"""The DynamicFrame and DynamicFrameCollection plumbing: fromDF/toDF, inspection, unbox, collections, logger."""

from __future__ import annotations

import pytest
from awsglue.context import GlueContext
from awsglue.dynamicframe import DynamicFrame, DynamicFrameCollection
from awsglue.errors import GlueRuntimeError, GlueUnsupportedError
from chispa import assert_df_equality
from pyspark.sql import SparkSession


def test_from_awsglue_import_dynamicframe_as_glue_studio_scripts_do() -> None:
    from awsglue import DynamicFrame as Lazy

    assert Lazy is DynamicFrame


def test_from_df_to_df_round_trip_and_inspection(
    spark: SparkSession, glue_context: GlueContext, capsys: pytest.CaptureFixture[str]
) -> None:
    df = spark.createDataFrame([(1, "a"), (2, "b")], "id int, v string")
    frame = DynamicFrame.fromDF(df, glue_context, "f")
    assert frame.toDF() is df
    assert frame.count() == 2
    assert frame.schema() == df.schema
    assert frame.errorsCount() == 0
    frame.printSchema()
    frame.show(1)
    out = capsys.readouterr().out
    assert "|-- id: integer" in out
    assert "only showing top 1 row" in out
    assert frame.repartition(3).getNumPartitions() == 3
    assert frame.repartition(3).coalesce(1).getNumPartitions() == 1
    assert sorted(tuple(r) for r in frame.repartition(3).coalesce(1).toDF().collect()) == [(1, "a"), (2, "b")]


def test_dynamic_frame_wraps_only_data_frames(glue_context: GlueContext) -> None:
    with pytest.raises(GlueRuntimeError, match="wraps a pyspark DataFrame, not list"):
        DynamicFrame([], glue_context, "x")  # type: ignore[arg-type]


def test_unbox_json_strings(spark: SparkSession, glue_context: GlueContext) -> None:
    df = spark.createDataFrame([(1, '{"a": 1, "b": "x"}'), (2, None)], "id int, payload string")
    unboxed = DynamicFrame.fromDF(df, glue_context, "f").unbox("payload", "json").toDF()
    expected = spark.createDataFrame([(1, (1, "x")), (2, None)], "id int, payload struct<a:bigint,b:string>")
    assert_df_equality(unboxed, expected, ignore_row_order=True, ignore_nullable=True)
    with pytest.raises(GlueUnsupportedError, match="only json"):
        DynamicFrame.fromDF(df, glue_context, "f").unbox("payload", "csv")


def test_collection_select_map_flat_map(spark: SparkSession, glue_context: GlueContext) -> None:
    a = DynamicFrame.fromDF(spark.createDataFrame([(1,)], "id int"), glue_context, "a")
    b = DynamicFrame.fromDF(spark.createDataFrame([(2,)], "id int"), glue_context, "b")
    dfc = DynamicFrameCollection({"a": a, "b": b}, glue_context)
    assert list(dfc) == ["a", "b"]
    assert len(dfc) == 2
    assert dfc.select("b") is b
    doubled = dfc.map(
        lambda frame, _key: DynamicFrame.fromDF(frame.toDF().selectExpr("id * 2 AS id"), glue_context, "")
    )
    assert [doubled[k].toDF().collect()[0]["id"] for k in doubled] == [2, 4]
    nested = dfc.flatMap(lambda frame, _key: DynamicFrameCollection({"x": frame}, glue_context))
    assert nested.keys() == ["a_x", "b_x"]
    assert nested["b_x"] is b
    with pytest.raises(KeyError, match="has no frame 'c'"):
        dfc.select("c")


def test_logger_writes_lines(glue_context: GlueContext, capsys: pytest.CaptureFixture[str]) -> None:
    logger = glue_context.get_logger()
    logger.info("reading orders")
    logger.warn("late file")
    logger.error("bad row")
    captured = capsys.readouterr()
    assert "INFO [glue] reading orders" in captured.out
    assert "WARN [glue] late file" in captured.err
    assert "ERROR [glue] bad row" in captured.err


def test_glue_context_is_a_sql_context(spark: SparkSession, glue_context: GlueContext) -> None:
    assert glue_context.spark_session is spark
    assert [tuple(r) for r in glue_context.sql("SELECT 1 AS one").collect()] == [(1,)]
