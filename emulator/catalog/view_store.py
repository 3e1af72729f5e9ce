"""Where the catalog keeps its views' pointers: rows of pyiceberg's ``iceberg_tables`` with ``iceberg_type`` 'VIEW'.

This is the layout of Java's ``JdbcCatalog`` (schema V1), which pyiceberg 0.12's ``SqlCatalog`` creates and
already respects: its table lookups, listings, drops and renames see only ``TABLE`` rows. Sharing the table
means the primary key (catalog, namespace, name) is the rule that a table and a view never share a name,
enforced by SQLite for every writer, including a table created or renamed while a view is: pyiceberg then
meets the key and answers ``TableAlreadyExistsError`` (409).

Every function takes the ``SqlCatalog`` (its engine and its name) and an identifier already validated.
"""

from __future__ import annotations

from typing import Any, cast

from pyiceberg.catalog import Catalog
from pyiceberg.catalog.sql import IcebergTables, SqlCatalog
from pyiceberg.typedef import Identifier
from sqlalchemy import CursorResult, Result, delete, insert, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from emulator.catalog.errors import AlreadyExistsError
from emulator.catalog.pointers import pointer_row

VIEW = "VIEW"
TABLE = "TABLE"


def require_view_support(catalog: SqlCatalog) -> None:
    """A catalog database from before pyiceberg 0.12 has no ``iceberg_type`` column: say so at start-up."""
    with Session(catalog.engine) as session:
        try:
            session.execute(text("SELECT iceberg_type FROM iceberg_tables LIMIT 0"))
        except OperationalError as e:
            raise RuntimeError(
                "the catalog database has no iceberg_tables.iceberg_type column (a pyiceberg < 0.12 schema); "
                "open it once with SqlCatalog(..., schema_version='v1') to migrate it"
            ) from e


def kind_of(catalog: SqlCatalog, identifier: Identifier) -> str | None:
    """``VIEW``, ``TABLE`` or None: what holds this name (rows without a type are pyiceberg's tables)."""
    with Session(catalog.engine) as session:
        row = session.execute(select(IcebergTables.iceberg_type).where(*pointer_row(catalog, identifier))).first()
    if row is None:
        return None
    return VIEW if row[0] == VIEW else TABLE


def view_names(catalog: SqlCatalog, namespace: Identifier) -> list[str]:
    query = select(IcebergTables.table_name).where(
        IcebergTables.catalog_name == catalog.name,
        IcebergTables.table_namespace == Catalog.namespace_to_string(namespace),
        IcebergTables.iceberg_type == VIEW,
    )
    with Session(catalog.engine) as session:
        return [row[0] for row in session.execute(query)]


def metadata_location(catalog: SqlCatalog, identifier: Identifier) -> str | None:
    """The view's current metadata file, or None when no view has this name."""
    query = select(IcebergTables.metadata_location).where(
        *pointer_row(catalog, identifier), IcebergTables.iceberg_type == VIEW
    )
    with Session(catalog.engine) as session:
        row = session.execute(query).first()
    return None if row is None else row[0]


def _changed(result: Result[Any]) -> bool:
    """Whether the UPDATE or DELETE hit the one row (SQLite reports exact row counts)."""
    return cast(CursorResult[Any], result).rowcount == 1


def _taken(catalog: SqlCatalog, identifier: Identifier) -> AlreadyExistsError:
    kind = (kind_of(catalog, identifier) or "object").lower()
    return AlreadyExistsError(f"a {kind} named {'.'.join(identifier)} already exists")


def insert_view(catalog: SqlCatalog, identifier: Identifier, location: str) -> None:
    """AlreadyExistsError when a table or a view holds the name."""
    row = {
        "catalog_name": catalog.name,
        "table_namespace": Catalog.namespace_to_string(identifier[:-1]),
        "table_name": identifier[-1],
        "metadata_location": location,
        "previous_metadata_location": None,
        "iceberg_type": VIEW,
    }
    with Session(catalog.engine) as session:
        try:
            session.execute(insert(IcebergTables).values(**row))
            session.commit()
        except IntegrityError as e:
            session.rollback()  # release the write lock before looking up who holds the name
            raise _taken(catalog, identifier) from e


def swap_view(catalog: SqlCatalog, identifier: Identifier, expected: str, new: str) -> bool:
    """Compare-and-swap of the pointer: False when another writer moved it first (or the view is gone)."""
    statement = (
        update(IcebergTables)
        .where(*pointer_row(catalog, identifier), IcebergTables.iceberg_type == VIEW)
        .where(IcebergTables.metadata_location == expected)
        .values(metadata_location=new, previous_metadata_location=expected)
    )
    with Session(catalog.engine) as session:
        swapped = _changed(session.execute(statement))
        session.commit()
    return swapped


def delete_view(catalog: SqlCatalog, identifier: Identifier) -> bool:
    statement = delete(IcebergTables).where(*pointer_row(catalog, identifier), IcebergTables.iceberg_type == VIEW)
    with Session(catalog.engine) as session:
        deleted = _changed(session.execute(statement))
        session.commit()
    return deleted


def rename_view(catalog: SqlCatalog, source: Identifier, destination: Identifier) -> bool:
    """False when ``source`` is no view; AlreadyExistsError when a table or view holds ``destination``."""
    statement = (
        update(IcebergTables)
        .where(*pointer_row(catalog, source), IcebergTables.iceberg_type == VIEW)
        .values(table_namespace=Catalog.namespace_to_string(destination[:-1]), table_name=destination[-1])
    )
    with Session(catalog.engine) as session:
        try:
            renamed = _changed(session.execute(statement))
            session.commit()
        except IntegrityError as e:
            session.rollback()
            raise _taken(catalog, destination) from e
    return renamed
