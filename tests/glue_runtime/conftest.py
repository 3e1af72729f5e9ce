"""Fixtures for the clean-room awsglue: a GlueContext on the session-wide SparkSession."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from awsglue.context import GlueContext
from pyspark.sql import SparkSession

from emulator.catalog.app import create_app
from emulator.catalog.backend import CatalogBackend
from tests.emulator.servers import AwsThread, UvicornThread


@pytest.fixture
def glue_context(spark: SparkSession) -> GlueContext:
    return GlueContext(spark.sparkContext)


@pytest.fixture(scope="session")
def aws_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AwsThread]:
    """The real AWS endpoint (moto + our Glue) on a free port: the Data Catalog from_catalog reads."""
    with AwsThread(tmp_path_factory.mktemp("glue-runtime-aws")) as server:
        yield server


@pytest.fixture(scope="session")
def rest_catalog_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UvicornThread]:
    """The real Iceberg REST catalog on a free port, with a file:// warehouse."""
    root = tmp_path_factory.mktemp("glue-runtime-rest")
    backend = CatalogBackend(str(root / "catalog.db"), (root / "warehouse").as_uri())
    with UvicornThread(create_app(backend)) as server:
        yield server


@pytest.fixture
def lakehouse_env(
    monkeypatch: pytest.MonkeyPatch, aws_endpoint: AwsThread, rest_catalog_server: UvicornThread
) -> dict[str, str]:
    """The environment a job run gets from the emulator (endpoint, region, credentials, REST URI)."""
    env = {
        **aws_endpoint.settings.client_environment(),
        "AWS_ENDPOINT_URL": aws_endpoint.settings.aws_endpoint,
        "AWS_REGION": aws_endpoint.settings.client_environment()["AWS_DEFAULT_REGION"],
        "LAKEHOUSE_ICEBERG_REST_URI": rest_catalog_server.url,
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env
