"""Read the lakehouse's Iceberg tables from the host without Spark (pyiceberg over the REST catalog)."""

from __future__ import annotations

from typing import Any

from pyiceberg.catalog.rest import RestCatalog

from emulator.catalog.file_io import s3_properties
from emulator.settings import Settings


def rest_catalog(settings: Settings) -> RestCatalog:
    """A pyiceberg client of the stack's catalog, reading data files from the stack's S3."""
    return RestCatalog("lakehouse", uri=settings.catalog_uri, **s3_properties(settings, settings.aws_endpoint))


def rows_of(catalog: RestCatalog, table: str) -> list[dict[str, Any]]:
    return list(catalog.load_table(table).scan().to_arrow().to_pylist())


def show(catalog: RestCatalog, table: str, *, limit: int = 100) -> None:
    """Print a table the way a SQL shell would (DuckDB renders the Arrow data)."""
    import duckdb

    data = catalog.load_table(table).scan().to_arrow()
    order = ", ".join(f'"{c}"' for c in data.column_names[:3])
    duckdb.sql(f"SELECT * FROM data ORDER BY {order} LIMIT {limit}").show(
        max_width=200, max_rows=limit, max_col_width=40
    )
