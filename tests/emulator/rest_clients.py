"""The real clients of a catalog server besides pyiceberg, attached the one way every catalog test uses:
Spark's Java ``RESTCatalog`` (Iceberg 1.10) as a named catalog of the shared Spark session, and DuckDB's
iceberg extension as the attached catalog ``lake``."""

from __future__ import annotations

import duckdb
from pyspark.sql import SparkSession

DUCKDB_CATALOG = "lake"


def attach_spark_catalog(spark: SparkSession, name: str, url: str) -> str:
    """``name`` becomes a Spark catalog served by the catalog at ``url``; returns the name."""
    prefix = f"spark.sql.catalog.{name}"
    for key, value in {
        prefix: "org.apache.iceberg.spark.SparkCatalog",
        f"{prefix}.type": "rest",
        f"{prefix}.uri": url,
        f"{prefix}.io-impl": "org.apache.iceberg.hadoop.HadoopFileIO",
        # Every load goes to the server: the tests check what the server answers, not Spark's cache.
        f"{prefix}.cache-enabled": "false",
    }.items():
        spark.conf.set(key, value)
    return name


def attach_duckdb(url: str) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with the catalog at ``url`` attached as ``lake``."""
    from duckdb_extensions import import_extension  # imported late: it loads the extensions' wheels

    for extension in ("httpfs", "avro", "iceberg"):
        import_extension(extension)  # from the PyPI wheels: no download from extensions.duckdb.org
    connection = duckdb.connect()
    connection.sql("LOAD iceberg")
    options = f"TYPE iceberg, ENDPOINT '{url}', AUTHORIZATION_TYPE 'none'"
    connection.sql(f"ATTACH 'lakehouse' AS {DUCKDB_CATALOG} ({options})")
    return connection
