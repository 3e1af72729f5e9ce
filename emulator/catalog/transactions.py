"""``POST /v1/{prefix}/transactions/commit``: one commit across several tables, all or nothing.

In order:
1. every change is parsed and its locations checked (400 for an unknown or malformed requirement or
   update, nothing read or written); a table named twice is refused (400): its two changes would have no
   defined order;
2. the tables' commit locks (the same ones single-table commits take) are taken in a fixed order, so two
   transactions over the same tables cannot deadlock;
3. every table's current metadata is loaded and *all* requirements are checked before any update is
   applied: one failure is 409 ``CommitFailedException`` (404 for a missing table without
   ``assert-create``) and nothing is written;
4. the updates are applied and each changed table's new metadata file written (a table whose metadata
   does not change is left alone). Failing here writes only unreferenced files: nothing is committed;
5. all pointers are swapped in one SQLite transaction, each a compare-and-swap on the metadata location
   loaded in step 3. If another writer moved any of them, the transaction is rolled back and the whole
   commit retried from step 3 (up to ``COMMIT_ATTEMPTS``); a failure before the database commit rolls
   everything back (503, nothing committed); only a failure of the commit itself is 500
   ``CommitStateUnknownException``.

Either every table's metadata location changes or none does.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

from pyiceberg.catalog import Catalog
from pyiceberg.catalog.sql import IcebergTables
from pyiceberg.exceptions import CommitFailedException, NoSuchTableError
from pyiceberg.exceptions import ValidationError as IcebergValidationError
from pyiceberg.table import StagedTable, Table
from pyiceberg.table.update import AssertCreate
from pyiceberg.typedef import Identifier
from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from emulator.catalog import models
from emulator.catalog.backend import COMMIT_ATTEMPTS, CatalogBackend, parse_requirements, parse_updates
from emulator.catalog.errors import (
    BadRequestError,
    CommitFailedError,
    CommitStateUnknownError,
    InternalServerError,
    ServiceUnavailableError,
)
from emulator.catalog.pointers import pointer_row
from emulator.catalog.validation import check_table_identifier


@dataclass(frozen=True)
class _Change:
    identifier: Identifier
    requirements: tuple[Any, ...]
    updates: tuple[Any, ...]

    @property
    def name(self) -> str:
        return ".".join(self.identifier)

    @property
    def creates(self) -> bool:
        return any(isinstance(r, AssertCreate) for r in self.requirements)


@dataclass(frozen=True)
class _Staged:
    change: _Change
    current: Table | None
    staged: StagedTable


class _LostRaceError(Exception):
    """Another writer moved a pointer between our load and our swap: retry the whole transaction."""


def commit_transaction(backend: CatalogBackend, table_changes: Sequence[models.TableChange]) -> None:
    changes = [_parsed(backend, change) for change in table_changes]
    names = [c.identifier for c in changes]
    if duplicated := sorted({".".join(i) for i in names if names.count(i) > 1}):
        raise BadRequestError(f"a transaction may change each table once; named more than once: {duplicated}")
    with ExitStack() as locks:
        for identifier in sorted(names):
            locks.enter_context(backend.commit_lock(identifier))
        for _ in range(COMMIT_ATTEMPTS):
            staged = _stage(backend, changes)
            try:
                _swap(backend, staged)
            except _LostRaceError:
                continue
            return
    raise CommitFailedError(
        f"transaction over {len(changes)} tables lost {COMMIT_ATTEMPTS} races to concurrent writers"
    )


def _parsed(backend: CatalogBackend, change: models.TableChange) -> _Change:
    identifier = check_table_identifier(change.identifier.namespace, change.identifier.name)
    updates = parse_updates(change.updates)
    backend.check_update_locations(identifier, updates)
    return _Change(identifier, parse_requirements(change.requirements), updates)


def _load(backend: CatalogBackend, change: _Change) -> Table | None:
    try:
        return backend.catalog.load_table(change.identifier)
    except NoSuchTableError:
        if change.creates:
            backend.catalog.load_namespace_properties(change.identifier[:-1])  # 404 for a missing namespace
            return None
        raise
    except (OSError, ValueError, IcebergValidationError) as e:
        raise InternalServerError(f"the metadata of table {change.name} cannot be read: {e}") from e


def _stage(backend: CatalogBackend, changes: list[_Change]) -> list[_Staged]:
    """Steps 3 and 4: check every requirement, then apply the updates and write the new metadata files."""
    current = [_load(backend, change) for change in changes]
    for change, table in zip(changes, current, strict=True):
        for requirement in change.requirements:
            try:
                requirement.validate(table.metadata if table else None)
            except CommitFailedException as e:
                raise CommitFailedError(f"transaction refused, nothing was committed: table {change.name}: {e}") from e
    staged = []
    for change, table in zip(changes, current, strict=True):
        try:
            new = backend.catalog._update_and_stage_table(table, change.identifier, change.requirements, change.updates)
        except ValueError as e:
            raise BadRequestError(f"cannot apply updates to {change.name}, nothing was committed: {e}") from e
        if table is None or new.metadata != table.metadata:
            staged.append(_Staged(change, table, new))
    for item in staged:
        try:
            backend.catalog._write_metadata(item.staged.metadata, item.staged.io, item.staged.metadata_location)
        except OSError as e:
            raise ServiceUnavailableError(
                f"cannot write the new metadata of table {item.change.name}, nothing was committed: {e}"
            ) from e
    return staged


def _swap(backend: CatalogBackend, staged: list[_Staged]) -> None:
    """Step 5: every pointer in one database transaction."""
    catalog = backend.catalog
    with Session(catalog.engine) as session:
        try:
            for item in staged:
                if item.current is None:
                    namespace = Catalog.namespace_to_string(item.change.identifier[:-1])
                    row = catalog._create_table_row(
                        namespace, item.change.identifier[-1], item.staged.metadata_location
                    )
                    session.execute(insert(IcebergTables).values(**row))
                    continue
                swapped = session.execute(
                    update(IcebergTables)
                    .where(
                        *pointer_row(catalog, item.change.identifier),
                        IcebergTables.metadata_location == item.current.metadata_location,
                    )
                    .values(
                        metadata_location=item.staged.metadata_location,
                        previous_metadata_location=item.current.metadata_location,
                    )
                )
                if swapped.rowcount != 1:  # type: ignore[attr-defined]
                    raise _LostRaceError()
        except (
            _LostRaceError,
            IntegrityError,
        ):  # a created table appeared meanwhile: its assert-create fails next round
            session.rollback()
            raise _LostRaceError() from None
        except (SQLAlchemyError, OSError) as e:
            session.rollback()
            raise ServiceUnavailableError(f"the transaction could not be applied, nothing was committed: {e}") from e
        try:
            session.commit()
        except (SQLAlchemyError, OSError) as e:
            tables = ", ".join(item.change.name for item in staged)
            raise CommitStateUnknownError(f"transaction over {tables} may or may not have applied: {e}") from e
