"""Scripts that build Spark the ways AWS's examples do (plain builder, SparkContext + GlueContext,
Spark SQL on the Data Catalog), a run in another region, and the job's Python environment."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from emulator.settings import Settings
from tests.glue_compat.conftest import GlueUser, data_uri
from tests.glue_compat.s3data import as_tuples, csv_rows, json_rows, parquet_rows, put_json_lines, put_text

pytestmark = pytest.mark.glue_compat

ORDERS_CSV = "order_id,customer,qty\n1,alice,2\n2,bob,5\n3,alice,4\n4,carol,1\n"


def test_plain_pyspark_reads_and_writes_s3(user: GlueUser) -> None:
    put_text(user.s3, data_uri("plain", "in", "orders.csv"), ORDERS_CSV)
    job = user.deploy("compat_plain_pyspark", "plain_pyspark.py")
    user.run_ok(job, {"--input": data_uri("plain", "in") + "/", "--output": data_uri("plain", "out") + "/"})
    written = parquet_rows(user.s3, data_uri("plain", "out"))
    assert as_tuples(written, "customer", "total_qty", "orders") == [("alice", 6, 2), ("bob", 5, 1), ("carol", 1, 1)]


def test_glue_context_boilerplate_with_dataframes(user: GlueUser) -> None:
    events = [
        {"day": "2026-11-25", "user": "u1", "clicks": 3, "status": "ok"},
        {"day": "2026-11-25", "user": "u2", "clicks": 1, "status": "ok"},
        {"day": "2026-11-25", "user": "u1", "clicks": 2, "status": "ok"},
        {"day": "2026-11-25", "user": "u3", "clicks": 9, "status": "bot"},
        {"day": "2026-11-26", "user": "u2", "clicks": 4, "status": "ok"},
    ]
    put_json_lines(user.s3, data_uri("boilerplate", "in", "events.json"), events)
    job = user.deploy("compat_glue_boilerplate", "glue_boilerplate.py")
    user.run_ok(job, {"--input": data_uri("boilerplate", "in") + "/", "--output": data_uri("boilerplate", "out")})
    written = csv_rows(user.s3, data_uri("boilerplate", "out"))
    assert as_tuples(written, "day", "users", "clicks", "job_name") == [
        ("2026-11-25", "2", "6", "compat_glue_boilerplate"),
        ("2026-11-26", "1", "4", "compat_glue_boilerplate"),
    ]


def test_spark_sql_reads_the_glue_data_catalog(user: GlueUser, products_table: tuple[str, str]) -> None:
    database, table = products_table
    job = user.deploy("compat_spark_sql_datacatalog", "spark_sql_datacatalog.py")
    output = data_uri("spark-sql", "out")
    user.run_ok(job, {"--database": database, "--table": table, "--output": output})
    assert as_tuples(parquet_rows(user.s3, output), "id", "name", "qty") == [(1, "widget", 7), (3, "gizmo", 12)]


US_EAST_BUCKET = "glue-compat-us-east-1"
US_EAST_DATABASE = "compat_region_stores"


def _json_table_in_us_east_1(east: GlueUser) -> str:
    east.s3.create_bucket(Bucket=US_EAST_BUCKET)  # us-east-1 takes no LocationConstraint
    put_json_lines(east.s3, f"s3://{US_EAST_BUCKET}/stores/stores.json",
                   [{"store_id": 1, "city": "Boston"}, {"store_id": 2, "city": "Miami"}])  # fmt: skip
    east.glue.create_database(DatabaseInput={"Name": US_EAST_DATABASE})
    east.glue.create_table(
        DatabaseName=US_EAST_DATABASE,
        TableInput={
            "Name": "stores",
            "TableType": "EXTERNAL_TABLE",
            "Parameters": {"classification": "json"},
            "StorageDescriptor": {
                "Columns": [{"Name": "store_id", "Type": "bigint"}, {"Name": "city", "Type": "string"}],
                "Location": f"s3://{US_EAST_BUCKET}/stores/",
                "InputFormat": "org.apache.hadoop.mapred.TextInputFormat",
                "OutputFormat": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
                "SerdeInfo": {"SerializationLibrary": "org.openx.data.jsonserde.JsonSerDe"},
            },
        },
    )
    return "stores"


def test_a_run_started_in_us_east_1_sees_that_regions_catalog(stack: Settings, user: GlueUser) -> None:
    east = GlueUser(stack, region="us-east-1")
    assert east.region != user.region  # the premise: not the stack's default region
    table = _json_table_in_us_east_1(east)
    with pytest.raises(ClientError, match="EntityNotFoundException"):
        user.glue.get_database(Name=US_EAST_DATABASE)  # the catalog is regional
    job = east.deploy("compat_region_catalog", "region_catalog.py", bucket=US_EAST_BUCKET)
    output = f"s3://{US_EAST_BUCKET}/out/"
    east.run_ok(job, {"--database": US_EAST_DATABASE, "--table": table, "--output": output})
    assert as_tuples(json_rows(east.s3, output), "store_id", "city", "job_region") == [
        (1, "Boston", "us-east-1"),
        (2, "Miami", "us-east-1"),
    ]


def test_a_job_gets_glues_python_environment_not_the_emulators(user: GlueUser) -> None:
    job = user.deploy("compat_environment_probe", "environment_probe.py")
    run = user.run_ok(job)
    found = json.loads(next(line for line in user.output(run) if line.startswith("{")))
    assert found == {
        "awsglue": True, "boto3": True, "pyspark": True,  # Glue 5.1 ships these
        "duckdb": False, "fastapi": False, "moto": False, "uvicorn": False,  # the emulator's own venv
    }  # fmt: skip
