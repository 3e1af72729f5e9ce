"""Shared fixtures: one SparkSession for the whole run, on a Hadoop Iceberg catalog in a temp dir."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyspark.sql import SparkSession
from pyspark.sql import types as T

from core.config import Config, load_config
from core.spark_session import get_spark

REPO_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("warehouse")


@pytest.fixture(scope="session")
def test_config(warehouse: Path) -> Config:
    # environ={} keeps the developer's shell and .env out of the tests.
    return load_config(
        {"catalog_type": "hadoop", "warehouse": warehouse.as_uri(), "spark_shuffle_partitions": 2}, environ={}
    )


@pytest.fixture(scope="session")
def spark(test_config: Config) -> Iterator[SparkSession]:
    session = get_spark(test_config, app_name="domain-project-tests")
    yield session
    session.stop()


@pytest.fixture
def namespace(spark: SparkSession, request: pytest.FixtureRequest) -> str:
    """A fresh Iceberg namespace per test, so tests never see each other's tables."""
    name = "t_" + re.sub(r"[^a-z0-9]+", "_", request.node.name.lower())[:50]
    spark.sql(f"CREATE NAMESPACE IF NOT EXISTS {name}")
    for row in spark.sql(f"SHOW TABLES IN {name}").collect():
        spark.sql(f"DROP TABLE {name}.{row['tableName']} PURGE")
    return name


def nullable(schema: T.StructType) -> T.StructType:
    """The schema with every column nullable: what Spark reports for parsed/cast columns."""
    return T.StructType([T.StructField(f.name, f.dataType, True, f.metadata) for f in schema])


# A session fixture shared by tests/terraform and tests/test_stack_e2e.py (registered here, so once).
from tests.deployed_lakehouse import deployed_lakehouse  # noqa: E402, F401

# Session end: no `emulator serve`, warm driver or job process of this session still runs.
from tests.leftover_processes import no_leftover_processes  # noqa: E402, F401
