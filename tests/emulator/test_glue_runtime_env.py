"""The Glue runtime a job run gets from outside its script: parameters, catalog mapping, session,
Python and region, through real Glue job runs on the AWS endpoint."""

from __future__ import annotations

import json
from typing import Any

import pytest
from _lakehouse_runtime.catalogs import map_to_local

from emulator.clients import aws_client
from emulator.glue_runtime.exceptions import RunSetupError
from emulator.glue_runtime.parameters import parse, parse_conf
from tests.emulator.conftest import BUCKET, create_glue_job, run_glue_job
from tests.emulator.servers import AwsThread

REST = "http://127.0.0.1:8181"
WAREHOUSE = "s3://curated/warehouse"


def test_conf_is_parsed_in_glues_one_key_form() -> None:
    value = "spark.a=1 --conf spark.b=x=y --conf  spark.c = 3 "
    assert parse_conf(value) == {"spark.a": "1", "spark.b": "x=y", "spark.c": "3"}


def test_a_conf_without_a_value_names_the_bad_part() -> None:
    with pytest.raises(RunSetupError, match="'spark.b' is not key=value"):
        parse_conf("spark.a=1 --conf spark.b")


@pytest.mark.parametrize("fmt", ["hudi", "delta"])
def test_unsupported_datalake_formats_fail_naming_the_parameter(fmt: str) -> None:
    with pytest.raises(RunSetupError, match=f"--datalake-formats {fmt} is not supported"):
        parse({"--datalake-formats": f"iceberg,{fmt}"})


def test_bookmark_option_must_be_one_of_glues() -> None:
    with pytest.raises(RunSetupError, match="job-bookmark-enabled"):
        parse({"--job-bookmark-option": "job-bookmark-enabled"})


def test_glue_catalog_settings_become_the_local_rest_catalog() -> None:
    prefix = "spark.sql.catalog.glue_catalog"
    conf = {
        prefix: "org.apache.iceberg.spark.SparkCatalog",
        f"{prefix}.catalog-impl": "org.apache.iceberg.aws.glue.GlueCatalog",
        f"{prefix}.io-impl": "org.apache.iceberg.aws.s3.S3FileIO",
        f"{prefix}.warehouse": "s3://dev-bucket/warehouse/",
        f"{prefix}.glue.id": "111122223333",
        "spark.sql.extensions": "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions",
    }
    assert map_to_local(conf, rest_uri=REST, warehouse=WAREHOUSE) == {
        prefix: "org.apache.iceberg.spark.SparkCatalog",
        f"{prefix}.type": "rest",
        f"{prefix}.uri": REST,
        f"{prefix}.warehouse": WAREHOUSE,
        f"{prefix}.cache-enabled": "false",
        f"{prefix}.io-impl": "org.apache.iceberg.hadoop.HadoopFileIO",
        "spark.sql.extensions": "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions",
    }


def test_glue_rest_endpoint_with_sigv4_becomes_the_local_rest_catalog() -> None:
    prefix = "spark.sql.catalog.lakehouse"
    conf = {
        prefix: "org.apache.iceberg.spark.SparkCatalog",
        f"{prefix}.type": "rest",
        f"{prefix}.uri": "https://glue.eu-west-1.amazonaws.com/iceberg",
        f"{prefix}.rest.sigv4-enabled": "true",
        f"{prefix}.rest.signing-name": "glue",
        f"{prefix}.rest.signing-region": "eu-west-1",
        f"{prefix}.warehouse": "111122223333",
    }
    mapped = map_to_local(conf, rest_uri=REST, warehouse=WAREHOUSE)
    assert {k: v for k, v in mapped.items() if k.startswith(prefix + ".")} == {
        f"{prefix}.type": "rest",
        f"{prefix}.uri": REST,
        f"{prefix}.warehouse": WAREHOUSE,
        f"{prefix}.cache-enabled": "false",
        f"{prefix}.io-impl": "org.apache.iceberg.hadoop.HadoopFileIO",
    }


def test_a_non_aws_catalog_keeps_its_settings_but_gets_hadoop_file_io() -> None:
    prefix = "spark.sql.catalog.files"
    conf = {prefix: "org.apache.iceberg.spark.SparkCatalog", f"{prefix}.type": "hadoop", f"{prefix}.warehouse": "/w"}
    assert map_to_local(conf, rest_uri=REST, warehouse=WAREHOUSE) == {
        **conf,
        f"{prefix}.io-impl": "org.apache.iceberg.hadoop.HadoopFileIO",
    }


ENVIRONMENT_SCRIPT = """
import importlib.util, json, os, sys
from pyspark.sql import SparkSession
spark = SparkSession.builder.getOrCreate()
bucket = sys.argv[sys.argv.index("--bucket") + 1]
spark.createDataFrame([(1, "a"), (2, "b")], "id int, v string").write.mode("overwrite").parquet(f"s3://{bucket}/out/")
rows = sorted(tuple(r) for r in spark.read.parquet(f"s3a://{bucket}/out/").collect())
import awsglue
print("REPORT " + json.dumps({
    "rows": rows,
    "region": os.environ["AWS_REGION"],
    "awsglue": awsglue.__file__,
    "moto": importlib.util.find_spec("moto") is not None,
    "fastapi": importlib.util.find_spec("fastapi") is not None,
    "extensions": spark.conf.get("spark.sql.extensions"),
    "default_catalog": spark.conf.get("spark.sql.defaultCatalog"),
    "executable": sys.executable,
}))
"""


def _report(aws: AwsThread, run: dict[str, Any], region: str) -> dict[str, Any]:
    logs = aws_client(aws.settings, "logs", region=region)
    events = logs.get_log_events(logGroupName="/aws-glue/jobs/output", logStreamName=run["Id"])["events"]
    lines = [e["message"] for e in events if e["message"].startswith("REPORT ")]
    assert lines, events
    return dict(json.loads(lines[-1][len("REPORT ") :]))


@pytest.mark.parametrize("region", ["eu-west-1", "us-east-1"])
def test_a_plain_pyspark_script_gets_s3_iceberg_and_the_runs_region(aws: AwsThread, region: str) -> None:
    s3 = aws_client(aws.settings, "s3")
    s3.put_object(Bucket=BUCKET, Key="scripts/environment.py", Body=ENVIRONMENT_SCRIPT.encode())
    data_bucket = f"runtime-env-{region}"
    s3.create_bucket(Bucket=data_bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    glue = aws_client(aws.settings, "glue", region=region)
    job = create_glue_job(glue, f"runtime-env-{region}", "environment.py")
    run = run_glue_job(glue, job, bucket=data_bucket)
    assert run["JobRunState"] == "SUCCEEDED", run.get("ErrorMessage")
    report = _report(aws, run, region)
    assert report["rows"] == [[1, "a"], [2, "b"]]
    assert report["region"] == region
    assert report["awsglue"].endswith("emulator/glue_runtime/pythonpath/awsglue/__init__.py")
    assert (report["moto"], report["fastapi"]) == (False, False)
    assert report["extensions"] == "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions"
    assert report["default_catalog"] == "spark_catalog"
    assert "/glue-runtime/" in report["executable"]


def test_an_unsupported_datalake_format_fails_the_run_with_its_reason(aws: AwsThread, glue: Any) -> None:
    job = create_glue_job(glue, "runtime-hudi", "ok.py", DefaultArguments={"--datalake-formats": "hudi"})
    run = run_glue_job(glue, job)
    assert run["JobRunState"] == "FAILED"
    assert run["ErrorMessage"].startswith("--datalake-formats hudi is not supported by the local lakehouse")
