"""Fixtures for the emulator: a catalog server (file:// warehouse) and an AWS endpoint with small job scripts."""

from __future__ import annotations

import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from pyiceberg.catalog.rest import RestCatalog
from pyspark.sql import SparkSession

from emulator.catalog.app import create_app
from emulator.catalog.backend import CatalogBackend
from emulator.clients import aws_client
from tests.emulator.rest_clients import attach_duckdb, attach_spark_catalog
from tests.emulator.servers import AwsThread, UvicornThread
from tools.local.glue_run import wait_for_job_run

SPARK_REST_CATALOG = "rest"


@pytest.fixture(scope="session")
def catalog_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("rest-catalog")


@pytest.fixture(scope="session")
def catalog_server(catalog_dir: Path) -> Iterator[UvicornThread]:
    backend = CatalogBackend(str(catalog_dir / "catalog.db"), (catalog_dir / "warehouse").as_uri())
    with UvicornThread(create_app(backend)) as server:
        yield server


@pytest.fixture
def rest(catalog_server: UvicornThread) -> RestCatalog:
    return RestCatalog("conformance", uri=catalog_server.url)


@pytest.fixture
def ns(rest: RestCatalog) -> str:
    """A fresh namespace per test in the shared catalog."""
    name = f"ns_{uuid.uuid4().hex[:10]}"
    rest.create_namespace(name)
    return name


@pytest.fixture(scope="session")
def spark_rest(spark: SparkSession, catalog_server: UvicornThread) -> str:
    """Spark's Iceberg RESTCatalog (Java, Iceberg 1.10) on the shared session, as a second catalog."""
    return attach_spark_catalog(spark, SPARK_REST_CATALOG, catalog_server.url)


@pytest.fixture(scope="session")
def duck(catalog_server: UvicornThread) -> duckdb.DuckDBPyConnection:
    """DuckDB's iceberg extension on the shared catalog, attached as ``lake``: a third client."""
    return attach_duckdb(catalog_server.url)


BUCKET = "artifacts"
SCRIPTS = {
    "ok.py": "import json, sys\nprint(json.dumps(sys.argv[1:]))\n",
    "fail.py": "import sys\nprint('about to fail', file=sys.stderr)\nraise ValueError('boom: the input is bad')\n",
    "sleep.py": (
        "import sys, time\nprint('sleeping', flush=True)\n"
        "time.sleep(float(sys.argv[sys.argv.index('--seconds') + 1]))\n"
    ),
    "uses_libs.py": "import marker, zipped\nprint(marker.VALUE, zipped.VALUE)\n",
}


@pytest.fixture(scope="session")
def aws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AwsThread]:
    with AwsThread(tmp_path_factory.mktemp("aws-state"), seconds_per_timeout_minute=1.0) as server:
        s3 = aws_client(server.settings, "s3")
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        for name, code in SCRIPTS.items():
            s3.put_object(Bucket=BUCKET, Key=f"scripts/{name}", Body=code.encode())
        s3.put_object(Bucket=BUCKET, Key="libs/marker.py", Body=b"VALUE = 'deployed-marker'\n")
        archive = tmp_path_factory.mktemp("zip") / "zipped.zip"
        with zipfile.ZipFile(archive, "w") as z:
            z.writestr("zipped.py", "VALUE = 'from-the-zip'\n")
        s3.upload_file(str(archive), BUCKET, "libs/zipped.zip")
        yield server


@pytest.fixture
def glue(aws: AwsThread) -> Any:
    return aws_client(aws.settings, "glue")


def create_glue_job(glue: Any, name: str, script: str, **extra: Any) -> str:
    glue.create_job(
        Name=name, Role="arn:aws:iam::123456789012:role/glue",
        Command={"Name": "glueetl", "ScriptLocation": f"s3://{BUCKET}/scripts/{script}", "PythonVersion": "3"},
        GlueVersion="5.1", **extra,
    )  # fmt: skip
    return name


def run_glue_job(glue: Any, job: str, **arguments: str) -> dict[str, Any]:
    run_id = glue.start_job_run(JobName=job, Arguments={f"--{k}": v for k, v in arguments.items()})["JobRunId"]
    return wait_for_job_run(glue, job, run_id, say=lambda _: None, poll=0.1)
