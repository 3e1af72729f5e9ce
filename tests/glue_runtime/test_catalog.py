"""from_catalog / write from_catalog against the real AWS endpoint's Data Catalog and the REST catalog."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import boto3
import pytest
from awsglue._bookmarks import LakehouseBookmarkStore
from awsglue.catalog import REST_CATALOG_NAME
from awsglue.context import GlueContext
from awsglue.dynamicframe import DynamicFrame
from awsglue.errors import GlueRuntimeError, GlueUnsupportedError
from chispa import assert_df_equality
from pyspark.sql import SparkSession


def _glue(env: dict[str, str]) -> Any:
    return boto3.client("glue", endpoint_url=env["AWS_ENDPOINT_URL"], region_name=env["AWS_REGION"])


def _database(env: dict[str, str]) -> str:
    name = f"db_{uuid.uuid4().hex[:8]}"
    _glue(env).create_database(DatabaseInput={"Name": name})
    return name


def _csv_table(env: dict[str, str], database: str, location: Path) -> None:
    _glue(env).create_table(
        DatabaseName=database,
        TableInput={
            "Name": "people",
            "Parameters": {"classification": "csv", "skip.header.line.count": "1"},
            "PartitionKeys": [{"Name": "year", "Type": "string"}],
            "StorageDescriptor": {
                "Location": location.as_uri(),
                "Columns": [{"Name": "id", "Type": "bigint"}, {"Name": "name", "Type": "string"}],
                "SerdeInfo": {
                    "SerializationLibrary": "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
                    "Parameters": {"field.delim": ";"},
                },
            },
        },
    )


def test_from_catalog_reads_location_format_and_partitions(
    tmp_path: Path, spark: SparkSession, glue_context: GlueContext, lakehouse_env: dict[str, str]
) -> None:
    database = _database(lakehouse_env)
    for year, rows in {"2025": "id;name\n1;Ada\n", "2026": "id;name\n2;Alan\n3;Grace\n"}.items():
        (tmp_path / f"year={year}").mkdir()
        (tmp_path / f"year={year}" / "part.csv").write_text(rows)
    _csv_table(lakehouse_env, database, tmp_path)
    frame = glue_context.create_dynamic_frame.from_catalog(database=database, table_name="people")
    expected = spark.createDataFrame(
        [(1, "Ada", "2025"), (2, "Alan", "2026"), (3, "Grace", "2026")], "id long, name string, year string"
    )
    assert_df_equality(frame.toDF(), expected, ignore_row_order=True, ignore_nullable=True)
    pruned = glue_context.create_dynamic_frame.from_catalog(
        database=database, table_name="people", push_down_predicate="year = '2026'"
    )
    assert sorted(r["id"] for r in pruned.toDF().collect()) == [2, 3]


def test_write_from_catalog_appends_in_the_table_s_layout(
    tmp_path: Path, spark: SparkSession, glue_context: GlueContext, lakehouse_env: dict[str, str]
) -> None:
    database = _database(lakehouse_env)
    _csv_table(lakehouse_env, database, tmp_path)
    df = spark.createDataFrame([("Edsger", 4, "2027")], "name string, ID int, year string")  # order/case differ
    glue_context.write_dynamic_frame.from_catalog(
        frame=DynamicFrame.fromDF(df, glue_context, "new"), database=database, table_name="people"
    )
    assert [p.name for p in tmp_path.iterdir() if p.is_dir()] == ["year=2027"]
    back = glue_context.create_data_frame.from_catalog(database=database, table_name="people")
    assert [tuple(r) for r in back.collect()] == [(4, "Edsger", "2027")]


def test_resolve_choice_match_catalog(
    tmp_path: Path, spark: SparkSession, glue_context: GlueContext, lakehouse_env: dict[str, str]
) -> None:
    database = _database(lakehouse_env)
    _csv_table(lakehouse_env, database, tmp_path)
    frame = DynamicFrame.fromDF(spark.createDataFrame([("7", "x")], "id string, name string"), glue_context, "f")
    resolved = frame.resolveChoice(choice="match_catalog", database=database, table_name="people").toDF()
    assert_df_equality(resolved, spark.createDataFrame([(7, "x")], "id long, name string"), ignore_nullable=True)


def test_iceberg_tables_go_through_the_rest_catalog(
    spark: SparkSession, glue_context: GlueContext, lakehouse_env: dict[str, str]
) -> None:
    database = _database(lakehouse_env)
    frame = DynamicFrame.fromDF(spark.createDataFrame([(1, "a")], "id int, v string"), glue_context, "f")
    with pytest.raises(
        GlueRuntimeError, match=rf"{database}.events is in neither the Glue Data Catalog nor the Iceberg"
    ):
        glue_context.write_dynamic_frame.from_catalog(frame=frame, database=database, table_name="events")
    glue_context.spark_session.sql(f"CREATE NAMESPACE IF NOT EXISTS {REST_CATALOG_NAME}.{database}")
    spark.sql(f"CREATE TABLE {REST_CATALOG_NAME}.{database}.events (id int, v string) USING iceberg")
    glue_context.write_dynamic_frame.from_catalog(frame=frame, database=database, table_name="events")
    read = glue_context.create_dynamic_frame.from_catalog(database=database, table_name="events")
    assert [tuple(r) for r in read.toDF().collect()] == [(1, "a")]


def test_unknown_table_format_is_named(
    tmp_path: Path, glue_context: GlueContext, lakehouse_env: dict[str, str]
) -> None:
    database = _database(lakehouse_env)
    _glue(lakehouse_env).create_table(
        DatabaseName=database,
        TableInput={"Name": "odd", "StorageDescriptor": {"Location": tmp_path.as_uri(), "Columns": []}},
    )
    with pytest.raises(GlueRuntimeError, match="cannot tell its format"):
        glue_context.create_dynamic_frame.from_catalog(database=database, table_name="odd")


def test_bookmark_store_against_the_endpoint(lakehouse_env: dict[str, str]) -> None:
    store = LakehouseBookmarkStore(lakehouse_env["AWS_ENDPOINT_URL"], lakehouse_env["AWS_REGION"])
    assert store.load(f"no-such-job-{uuid.uuid4().hex[:6]}") is None
    with pytest.raises(GlueRuntimeError, match=r"committing the job bookmark of 'ghost' failed: HTTP 4\d\d"):
        store.save("ghost", "jr_missing", "{}")


def test_sink_with_enable_update_catalog_creates_the_table(
    tmp_path: Path, spark: SparkSession, glue_context: GlueContext, lakehouse_env: dict[str, str]
) -> None:
    database = _database(lakehouse_env)
    frame = DynamicFrame.fromDF(
        spark.createDataFrame([(1, "a", "2026")], "id int, v string, year string"), glue_context, "f"
    )
    sink = glue_context.getSink(
        connection_type="s3",
        path=tmp_path.as_uri(),
        enableUpdateCatalog=True,
        updateBehavior="UPDATE_IN_DATABASE",
        partitionKeys=["year"],
    )
    sink.setFormat("glueparquet")
    sink.setCatalogInfo(catalogDatabase=database, catalogTableName="made")
    sink.writeFrame(frame)
    table = _glue(lakehouse_env).get_table(DatabaseName=database, Name="made")["Table"]
    assert table["Parameters"]["classification"] == "parquet"
    assert table["StorageDescriptor"]["Location"] == tmp_path.as_uri()
    assert [(c["Name"], c["Type"]) for c in table["StorageDescriptor"]["Columns"]] == [("id", "int"), ("v", "string")]
    assert [(c["Name"], c["Type"]) for c in table["PartitionKeys"]] == [("year", "string")]
    back = glue_context.create_dynamic_frame.from_catalog(database=database, table_name="made")
    assert [tuple(r) for r in back.toDF().collect()] == [(1, "a", "2026")]


def test_csv_catalog_tables_may_hold_choices_so_choice_without_specs_fails(
    tmp_path: Path, glue_context: GlueContext, lakehouse_env: dict[str, str]
) -> None:
    database = _database(lakehouse_env)
    (tmp_path / "year=2026").mkdir()
    (tmp_path / "year=2026" / "part.csv").write_text("id;name\n1;Ada\n")
    _csv_table(lakehouse_env, database, tmp_path)
    frame = glue_context.create_dynamic_frame.from_catalog(database=database, table_name="people")
    with pytest.raises(GlueUnsupportedError, match="records read from csv/json"):
        frame.resolveChoice(choice="make_struct")
    cast = frame.resolveChoice(specs=[("id", "cast:string")]).toDF()
    assert [tuple(r) for r in cast.collect()] == [("1", "Ada", "2026")]
