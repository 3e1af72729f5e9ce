"""Iceberg as AWS documents it for Glue: --datalake-formats iceberg plus the GlueCatalog/S3FileIO
settings, given as Glue's one --conf parameter or in the script's session builder. The tables are
checked from the host through the stack's Iceberg REST catalog (pyiceberg)."""

from __future__ import annotations

import pytest
from pyiceberg.catalog.rest import RestCatalog

from tests.glue_compat.conftest import GlueUser, data_uri
from tests.glue_compat.s3data import as_tuples, parquet_rows

pytestmark = pytest.mark.glue_compat

WAREHOUSE = data_uri("warehouse") + "/"
GLUE_ICEBERG_CONF = {  # the settings of AWS's "Using the Iceberg framework in AWS Glue" page
    "spark.sql.extensions": "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions",
    "spark.sql.catalog.glue_catalog": "org.apache.iceberg.spark.SparkCatalog",
    "spark.sql.catalog.glue_catalog.warehouse": WAREHOUSE,
    "spark.sql.catalog.glue_catalog.catalog-impl": "org.apache.iceberg.aws.glue.GlueCatalog",
    "spark.sql.catalog.glue_catalog.io-impl": "org.apache.iceberg.aws.s3.S3FileIO",
}


def glue_conf_parameter(conf: dict[str, str]) -> str:
    """Glue takes one --conf key: its value is ``k=v --conf k2=v2 ...``."""
    return " --conf ".join(f"{key}={value}" for key, value in conf.items())


def test_glue_conf_parameter_form() -> None:
    assert glue_conf_parameter({"a.b": "1", "c.d": "x=y"}) == "a.b=1 --conf c.d=x=y"


def test_iceberg_through_datalake_formats_and_conf_with_merge_into(user: GlueUser, iceberg: RestCatalog) -> None:
    job = user.deploy("compat_iceberg_conf", "iceberg_conf.py", {
        "--datalake-formats": "iceberg",
        "--conf": glue_conf_parameter(GLUE_ICEBERG_CONF),
    })  # fmt: skip
    user.run_ok(job, {"--database": "compat_iceberg_conf", "--table": "customers"})
    table = iceberg.load_table("compat_iceberg_conf.customers")
    assert [f.name for f in table.schema().fields] == ["id", "name", "tier"]
    rows = table.scan().to_arrow().to_pylist()
    assert as_tuples(rows, "id", "name", "tier") == [
        (1, "Ana", "gold"),
        (2, "Ben", "gold"),  # updated by MERGE
        (3, "Cy", "bronze"),
        (4, "Di", "silver"),  # inserted by MERGE
    ]


def test_iceberg_catalog_configured_in_the_scripts_builder(user: GlueUser, iceberg: RestCatalog) -> None:
    job = user.deploy("compat_iceberg_builder", "iceberg_builder.py", {"--datalake-formats": "iceberg"})
    user.run_ok(job, {"--warehouse": WAREHOUSE, "--database": "compat_iceberg_builder", "--table": "readings"})
    rows = iceberg.load_table("compat_iceberg_builder.readings").scan().to_arrow().to_pylist()
    assert as_tuples(rows, "sensor", "day", "celsius") == [("s1", "2026-11-25", 20), ("s1", "2026-11-26", 19)]


def test_an_iceberg_table_through_glue_context_from_catalog(user: GlueUser, iceberg: RestCatalog) -> None:
    job = user.deploy("compat_iceberg_from_catalog", "iceberg_from_catalog.py", {
        "--datalake-formats": "iceberg",
        "--conf": glue_conf_parameter(GLUE_ICEBERG_CONF),
    })  # fmt: skip
    output = data_uri("iceberg-from-catalog", "out")
    user.run_ok(job, {"--database": "compat_iceberg_dyf", "--table": "cities", "--output": output})
    expected = [(1, "Lisbon"), (2, "Porto"), (3, "Faro")]
    assert as_tuples(parquet_rows(user.s3, output), "id", "city") == expected  # what from_catalog read
    assert as_tuples(iceberg.load_table("compat_iceberg_dyf.cities").scan().to_arrow().to_pylist(), "id", "city") == (
        expected
    )
