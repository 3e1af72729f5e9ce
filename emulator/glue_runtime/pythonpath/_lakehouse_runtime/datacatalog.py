"""``--enable-glue-datacatalog``: Spark SQL's ``spark_catalog`` shows the Glue Data Catalog's tables.

On Glue the Data Catalog is the Hive metastore behind ``spark_catalog``. Locally ``spark_catalog``
is Spark's in-memory catalog; when the session starts, every database of the run's region and its
non-Iceberg tables (location, format, columns, partition keys as the Data Catalog declares them)
are registered in it as external tables, so ``spark.sql("SELECT … FROM db.table")`` reads them as on
Glue. It is a view taken at session start: tables created later through the Glue API, or by the
script with ``saveAsTable``, are not written back to the Data Catalog (the README lists this).
Iceberg tables are read through an Iceberg catalog (``--conf``), as on Glue.
"""

from __future__ import annotations

import sys
from typing import Any

from awsglue.catalog import catalog_table, glue_client, is_iceberg
from awsglue.formats import READ_FORMATS, read_options, spark_format

_PAGE = 100


def _pages(client: Any, operation: str, key: str, **kwargs: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for page in client.get_paginator(operation).paginate(**kwargs, PaginationConfig={"PageSize": _PAGE}):
        items.extend(page[key])
    return items


def _quoted(*parts: str) -> str:
    return ".".join("`" + part.replace("`", "``") + "`" for part in parts)


def register_glue_tables(spark: Any) -> list[str]:
    """Mirror the Data Catalog into ``spark_catalog``; returns the tables registered."""
    client = glue_client()
    registered = []
    for database in _pages(client, "get_databases", "DatabaseList"):
        name = database["Name"]
        spark.sql(f"CREATE DATABASE IF NOT EXISTS spark_catalog.{_quoted(name)}")
        for table in _pages(client, "get_tables", "TableList", DatabaseName=name):
            if is_iceberg(table) or not (table.get("StorageDescriptor") or {}).get("Location"):
                continue
            described = catalog_table(table, name)
            fmt = spark_format(described.format, READ_FORMATS)
            columns = ", ".join(f"{_quoted(c)} {t}" for c, t in [*described.columns, *described.partition_keys])
            options = read_options(described.format, described.format_options)
            partitioned = ", ".join(_quoted(c) for c, _ in described.partition_keys)
            spark.sql(
                f"CREATE TABLE IF NOT EXISTS spark_catalog.{_quoted(name, described.name)} ({columns}) USING {fmt} "
                + (f"PARTITIONED BY ({partitioned}) " if partitioned else "")
                + (f"OPTIONS ({', '.join(f'{_sql(k)} {_sql(v)}' for k, v in options.items())}) " if options else "")
                + f"LOCATION {_sql(described.location)}"
            )
            if partitioned:
                spark.sql(f"MSCK REPAIR TABLE spark_catalog.{_quoted(name, described.name)}")
            registered.append(f"{name}.{described.name}")
    if registered:
        sys.stderr.write(f"[lakehouse] Glue Data Catalog tables in spark_catalog: {', '.join(registered)}\n")
    return registered


def _sql(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
