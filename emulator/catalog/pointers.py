"""The catalog's pointers: one row of pyiceberg's ``iceberg_tables`` per table or view, naming its current
metadata file.

A conditional load-table (``If-None-Match``) needs only the pointer to answer 304: the metadata file is read
(and the whole result serialised) only when the client's copy is stale.
"""

from __future__ import annotations

from pyiceberg.catalog import Catalog
from pyiceberg.catalog.sql import IcebergTables, SqlCatalog
from pyiceberg.typedef import Identifier
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session


def pointer_row(catalog: SqlCatalog, identifier: Identifier) -> tuple[ColumnElement[bool], ...]:
    """The WHERE clause of the row that holds ``identifier`` (a table's or a view's: they share the key)."""
    return (
        IcebergTables.catalog_name == catalog.name,
        IcebergTables.table_namespace == Catalog.namespace_to_string(identifier[:-1]),
        IcebergTables.table_name == identifier[-1],
    )


def table_metadata_location(catalog: SqlCatalog, identifier: Identifier) -> str | None:
    """None when no table has this name (views share the table of pointers: they are left out)."""
    query = select(IcebergTables.metadata_location).where(*pointer_row(catalog, identifier))
    if (type_filter := catalog._iceberg_type_filter()) is not None:
        query = query.where(type_filter)
    with Session(catalog.engine) as session:
        return session.execute(query).scalar_one_or_none()
