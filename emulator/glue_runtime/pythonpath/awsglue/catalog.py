"""Tables of the Glue Data Catalog (boto3 against the emulator) and of the Iceberg REST catalog.

The job process gets ``AWS_ENDPOINT_URL``/``AWS_REGION`` from the emulator, so a plain
``boto3.client("glue")`` reaches the emulator's Data Catalog. A table whose parameters say
``table_type=ICEBERG``, or that the Data Catalog does not have, is read and written through the
Iceberg REST catalog at ``LAKEHOUSE_ICEBERG_REST_URI``, registered in Spark at run time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from pyspark.sql import SparkSession
from pyspark.sql import types as T

from awsglue.errors import GlueRuntimeError
from awsglue.gluetypes import spark_type

REST_URI_ENV = "LAKEHOUSE_ICEBERG_REST_URI"
REST_CATALOG_NAME = "lakehouse_glue_rest"
_SERDE_FORMATS = (
    ("parquet", "parquet"),
    ("orc", "orc"),
    ("avro", "avro"),
    ("json", "json"),
    ("opencsv", "csv"),
    ("lazysimple", "csv"),
    ("csv", "csv"),
)


@dataclass(frozen=True)
class CatalogTable:
    """What reading or writing a non-Iceberg Data Catalog table needs."""

    database: str
    name: str
    location: str
    format: str
    format_options: dict[str, str]
    columns: list[tuple[str, str]]
    partition_keys: list[tuple[str, str]]

    def schema(self) -> T.StructType:
        return T.StructType([T.StructField(n, spark_type(t)) for n, t in [*self.columns, *self.partition_keys]])


def glue_client() -> Any:
    import boto3

    return boto3.client("glue")


def get_table(client: Any, database: str, table_name: str, catalog_id: str | None) -> dict[str, Any] | None:
    """The Data Catalog's table, or None if it has none of that name."""
    kwargs = {"DatabaseName": database, "Name": table_name, **({"CatalogId": catalog_id} if catalog_id else {})}
    try:
        table: dict[str, Any] = client.get_table(**kwargs)["Table"]
    except client.exceptions.EntityNotFoundException:
        return None
    return table


def is_iceberg(table: dict[str, Any]) -> bool:
    return str(table.get("Parameters", {}).get("table_type", "")).upper() == "ICEBERG"


def catalog_table(table: dict[str, Any], database: str) -> CatalogTable:
    descriptor = table.get("StorageDescriptor") or {}
    location = descriptor.get("Location")
    if not location:
        raise GlueRuntimeError(f"Data Catalog table {database}.{table['Name']} has no StorageDescriptor.Location")
    fmt, options = _format(table, descriptor)
    return CatalogTable(
        database=database,
        name=table["Name"],
        location=location,
        format=fmt,
        format_options=options,
        columns=[(c["Name"], c["Type"]) for c in descriptor.get("Columns", [])],
        partition_keys=[(c["Name"], c["Type"]) for c in table.get("PartitionKeys", [])],
    )


def _format(table: dict[str, Any], descriptor: dict[str, Any]) -> tuple[str, dict[str, str]]:
    params = {**descriptor.get("Parameters", {}), **table.get("Parameters", {})}
    serde = descriptor.get("SerdeInfo") or {}
    clues = " ".join(
        [params.get("classification", ""), serde.get("SerializationLibrary", ""), descriptor.get("InputFormat", "")]
    ).lower()
    fmt = next((f for clue, f in _SERDE_FORMATS if clue in clues), None)
    if fmt is None:
        raise GlueRuntimeError(
            f"Data Catalog table {table['Name']}: cannot tell its format from classification/SerDe/InputFormat "
            f"({clues.strip()!r}); set Parameters.classification to csv, json, parquet, orc or avro"
        )
    options: dict[str, str] = {}
    if fmt == "csv":
        serde_params = serde.get("Parameters", {})
        options["separator"] = serde_params.get("field.delim") or serde_params.get("separatorChar") or ","
        if serde_params.get("quoteChar"):
            options["quoteChar"] = serde_params["quoteChar"]
        options["withHeader"] = "true" if params.get("skip.header.line.count") == "1" else "false"
    return fmt, options


def column_types(table: dict[str, Any]) -> dict[str, str]:
    descriptor = table.get("StorageDescriptor") or {}
    return {c["Name"].lower(): c["Type"] for c in [*descriptor.get("Columns", []), *table.get("PartitionKeys", [])]}


def rest_catalog(spark: SparkSession) -> str:
    """Register (once) and name the Spark catalog over the lakehouse's Iceberg REST catalog."""
    prefix = f"spark.sql.catalog.{REST_CATALOG_NAME}"
    if spark.conf.get(prefix, None):
        return REST_CATALOG_NAME
    uri = os.environ.get(REST_URI_ENV)
    if not uri:
        raise GlueRuntimeError(
            f"this table is an Iceberg table (or not in the Glue Data Catalog) and {REST_URI_ENV} is not set: "
            "Iceberg tables are read through the local lakehouse's Iceberg REST catalog"
        )
    for key, value in {
        "": "org.apache.iceberg.spark.SparkCatalog",
        ".type": "rest",
        ".uri": uri,
        ".io-impl": "org.apache.iceberg.hadoop.HadoopFileIO",
        ".cache-enabled": "false",
    }.items():
        spark.conf.set(prefix + key, value)
    return REST_CATALOG_NAME


def iceberg_name(spark: SparkSession, database: str, table_name: str) -> str:
    return f"{rest_catalog(spark)}.`{database}`.`{table_name}`"
