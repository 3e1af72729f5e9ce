"""Catalog operations over pyiceberg's SqlCatalog, with the REST protocol's commit semantics.

A commit validates the request's requirements against the current metadata (failure:
409 CommitFailedException), applies the updates (pyiceberg's ``update_table_metadata``
inside ``SqlCatalog.commit_table``), writes the new metadata file and compare-and-swaps the
metadata location in SQLite. A race lost between validation and the swap is retried here
on the server; a failure after the metadata file was written is reported as 500
CommitStateUnknownException, because the client cannot know whether it took effect.

Every location a request can steer passes the ``LocationPolicy`` (emulator.catalog.locations); a table
created without a location gets a fresh directory under its namespace (``<name>-<uuid>``), so a table
re-created after a drop without purge never picks up the old table's files.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter
from pydantic import ValidationError as PydanticValidationError
from pyiceberg.catalog import Catalog
from pyiceberg.exceptions import CommitFailedException, NoSuchTableError, TableAlreadyExistsError
from pyiceberg.exceptions import ValidationError as IcebergValidationError
from pyiceberg.io import load_file_io
from pyiceberg.partitioning import UNPARTITIONED_PARTITION_SPEC, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.serializers import FromInputFile
from pyiceberg.table import CommitTableResponse
from pyiceberg.table.metadata import TableMetadata
from pyiceberg.table.sorting import UNSORTED_SORT_ORDER, SortOrder
from pyiceberg.table.update import (
    AddSnapshotUpdate,
    AssertCreate,
    SetLocationUpdate,
    SetPropertiesUpdate,
    TableRequirement,
    TableUpdate,
)
from pyiceberg.typedef import Identifier
from sqlalchemy import event
from sqlalchemy.exc import SQLAlchemyError

from emulator.catalog import models, view_store
from emulator.catalog.errors import (
    BadRequestError,
    CommitFailedError,
    CommitStateUnknownError,
    InternalServerError,
    NamespaceNotEmptyError,
    ServiceUnavailableError,
    UnsupportedOperationError,
)
from emulator.catalog.locations import NAMESPACE_LOCATION, LocationPolicy
from emulator.catalog.paging import page_of
from emulator.catalog.protocol import NAMESPACE_SEPARATOR
from emulator.catalog.purge import purge_table
from emulator.catalog.sql_catalog import FormatV3SqlCatalog

_REQUIREMENTS: TypeAdapter[Any] = TypeAdapter(TableRequirement)
_UPDATES: TypeAdapter[Any] = TypeAdapter(TableUpdate)
COMMIT_ATTEMPTS = 5


@dataclass(frozen=True)
class LoadedTable:
    metadata_location: str | None
    metadata: TableMetadata


@dataclass(frozen=True)
class _Named:
    """What ``SqlCatalog.commit_table`` needs of its ``table`` argument: the identifier."""

    identifier: Identifier

    def name(self) -> Identifier:
        return self.identifier


def _parse(adapter: TypeAdapter[Any], items: Iterable[Mapping[str, Any]], what: str) -> tuple[Any, ...]:
    parsed = []
    for item in items:
        try:
            parsed.append(adapter.validate_python(item))
        except PydanticValidationError as e:
            kind = item.get("type") or item.get("action") or "?"
            raise BadRequestError(f"unsupported or malformed {what} {kind!r}: {e.errors()[0]['msg']}") from e
    return tuple(parsed)


def parse_requirements(items: Iterable[Mapping[str, Any]]) -> tuple[TableRequirement, ...]:
    """A commit's requirements as pyiceberg's models (BadRequestError for an unknown or malformed one)."""
    return _parse(_REQUIREMENTS, items, "requirement")


def parse_updates(items: Iterable[Mapping[str, Any]]) -> tuple[TableUpdate, ...]:
    return _parse(_UPDATES, items, "update")


class CommitLocks:
    """One lock per identifier, made on first use: commits to one table (or view) are serialised in this
    process; across processes the pointer's compare-and-swap decides."""

    def __init__(self) -> None:
        self._locks: dict[Identifier, threading.Lock] = {}
        self._guard = threading.Lock()

    def __call__(self, identifier: Identifier) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(identifier, threading.Lock())


class CatalogBackend:
    """Thread-safe catalog: endpoints are synchronous; commits to one table are serialised."""

    def __init__(
        self,
        db_path: str,
        warehouse: str,
        io_properties: Mapping[str, str] | None = None,
        *,
        allowed_locations: Sequence[str] = (),
    ) -> None:
        """``allowed_locations``: prefixes besides the warehouse where tables may live (absolute URIs)."""
        self.locations = LocationPolicy(warehouse, allowed_locations)
        # SqlCatalog that also creates, loads, commits and upgrades format v3 tables (emulator.catalog.sql_catalog).
        self.catalog = FormatV3SqlCatalog(
            "lakehouse", uri=f"sqlite:///{db_path}", warehouse=warehouse, **dict(io_properties or {})
        )
        # SQLite: wait for a lock held by another catalog process instead of failing at once.
        event.listen(self.catalog.engine, "connect", lambda conn, _: conn.execute("PRAGMA busy_timeout = 10000"))
        self.commit_lock = CommitLocks()  # also taken by multi-table transactions (emulator.catalog.transactions)

    # ------------------------------------------------------------ namespaces

    def list_namespaces(
        self, parent: Identifier, token: str | None, size: int | None
    ) -> tuple[list[Identifier], str | None]:
        if parent:
            self.catalog.load_namespace_properties(parent)  # 404 for a missing parent
        return page_of(self.catalog.list_namespaces(parent), lambda ns: NAMESPACE_SEPARATOR.join(ns), token, size)

    def create_namespace(self, namespace: Identifier, properties: Mapping[str, str]) -> dict[str, str]:
        self.catalog.create_namespace(namespace, self._namespace_properties(namespace, properties))
        return dict(self.catalog.load_namespace_properties(namespace))

    def load_namespace(self, namespace: Identifier) -> dict[str, str]:
        return dict(self.catalog.load_namespace_properties(namespace))

    def drop_namespace(self, namespace: Identifier) -> None:
        # SqlCatalog counts only its tables; the views share its rows (emulator.catalog.view_store).
        if views := view_store.view_names(self.catalog, namespace):
            raise NamespaceNotEmptyError(f"Namespace {'.'.join(namespace)} is not empty: {len(views)} views exist")
        self.catalog.drop_namespace(namespace)

    def update_namespace_properties(
        self, namespace: Identifier, removals: list[str], updates: Mapping[str, str]
    ) -> dict[str, list[str]]:
        if overlap := set(removals) & set(updates):
            raise BadRequestError(f"properties both updated and removed: {sorted(overlap)}")
        updates = self._namespace_properties(namespace, updates)
        summary = self.catalog.update_namespace_properties(namespace, set(removals), updates)
        return {"updated": summary.updated, "removed": summary.removed, "missing": summary.missing}

    def _namespace_properties(self, namespace: Identifier, properties: Mapping[str, str]) -> dict[str, str]:
        """The properties with a ``location`` normalised and confined: tables default to it."""
        checked = dict(properties)
        if NAMESPACE_LOCATION in checked:
            what = f"location of namespace {'.'.join(namespace)}"
            checked[NAMESPACE_LOCATION] = self.locations.check(checked[NAMESPACE_LOCATION], what)
        return checked

    # ------------------------------------------------------------ tables

    def _table_location(self, identifier: Identifier, requested: str | None) -> str:
        what = f"location of table {'.'.join(identifier)}"
        if requested:
            return self.locations.check(requested, what)
        namespace, name = identifier[:-1], identifier[-1]
        base = self.catalog.load_namespace_properties(namespace).get(NAMESPACE_LOCATION)
        base = (base or f"{self.locations.warehouse}/{'.'.join(namespace)}").rstrip("/")
        # A fresh directory per table: a table re-created after a drop without purge must not see the old files.
        return self.locations.check(f"{base}/{name}-{uuid.uuid4().hex}", what)

    def list_tables(
        self, namespace: Identifier, token: str | None, size: int | None
    ) -> tuple[list[Identifier], str | None]:
        self.catalog.load_namespace_properties(namespace)
        return page_of(self.catalog.list_tables(namespace), lambda ident: ident[-1], token, size)

    def create_table(self, namespace: Identifier, request: models.CreateTable) -> LoadedTable:
        identifier = (*namespace, request.name)
        try:
            schema = Schema.model_validate(request.table_schema)
            spec = PartitionSpec.model_validate(request.partition_spec) if request.partition_spec else None
            order = SortOrder.model_validate(request.write_order) if request.write_order else None
        except PydanticValidationError as e:
            raise BadRequestError(f"malformed schema, partition spec or sort order: {e.errors()[0]['msg']}") from e
        self.catalog.load_namespace_properties(namespace)
        if self.catalog.table_exists(identifier):
            raise TableAlreadyExistsError(f"Table already exists: {Catalog.identifier_to_tuple(identifier)}")
        self.locations.check_properties(request.properties, f"table {'.'.join(identifier)}")
        arguments: dict[str, Any] = {
            "location": self._table_location(identifier, request.location),
            "partition_spec": spec or UNPARTITIONED_PARTITION_SPEC,
            "sort_order": order or UNSORTED_SORT_ORDER,
            "properties": request.properties,
        }
        try:
            if request.stage_create:
                # Nothing is persisted: the client commits the table (assert-create) when its write is done.
                staged = self.catalog._create_staged_table(identifier, schema, **arguments)
                return LoadedTable(None, staged.metadata)
            table = self.catalog.create_table(identifier, schema, **arguments)
        except (ValueError, NotImplementedError) as e:  # pyiceberg refusing the spec/order/format-version asked for
            raise BadRequestError(f"cannot create table {'.'.join(identifier)}: {e}") from e
        except OSError as e:
            raise ServiceUnavailableError(
                f"cannot write the metadata of table {'.'.join(identifier)} under {arguments['location']}: {e}"
            ) from e
        return LoadedTable(table.metadata_location, table.metadata)

    def load_table(self, identifier: Identifier) -> LoadedTable:
        try:
            table = self.catalog.load_table(identifier)
        except (OSError, ValueError, IcebergValidationError) as e:
            # The pointer exists but its file is gone or damaged: the catalog's fault, not the request's.
            raise InternalServerError(f"the metadata of table {'.'.join(identifier)} cannot be read: {e}") from e
        return LoadedTable(table.metadata_location, table.metadata)

    def table_exists(self, identifier: Identifier) -> bool:
        return bool(self.catalog.table_exists(identifier))

    def commit(
        self, identifier: Identifier, requirements: list[dict[str, Any]], updates: list[dict[str, Any]]
    ) -> CommitTableResponse:
        parsed_requirements = parse_requirements(requirements)
        parsed_updates = parse_updates(updates)
        self.check_update_locations(identifier, parsed_updates)
        creating = any(isinstance(r, AssertCreate) for r in parsed_requirements)
        with self.commit_lock(identifier):
            for _ in range(COMMIT_ATTEMPTS):
                try:
                    current: TableMetadata | None = self.load_table(identifier).metadata
                except NoSuchTableError:
                    if not creating:
                        raise
                    current = None
                for requirement in parsed_requirements:
                    requirement.validate(current)  # CommitFailedException → 409, nothing written
                try:
                    response: CommitTableResponse = self.catalog.commit_table(
                        _Named(identifier),  # type: ignore[arg-type]
                        parsed_requirements,
                        parsed_updates,
                    )
                except CommitFailedException:
                    continue  # another writer swapped the pointer after our check: re-validate and retry
                except (SQLAlchemyError, OSError) as e:
                    raise CommitStateUnknownError(
                        f"commit to {'.'.join(identifier)} may or may not have applied: {e}"
                    ) from e
                except ValueError as e:  # an update that cannot apply to this metadata: nothing written
                    raise BadRequestError(f"cannot apply updates to {'.'.join(identifier)}: {e}") from e
                return response
        raise CommitFailedError(f"commit to {'.'.join(identifier)} lost {COMMIT_ATTEMPTS} races to concurrent writers")

    def check_update_locations(self, identifier: Identifier, updates: Sequence[TableUpdate]) -> None:
        for update in updates:
            if isinstance(update, SetLocationUpdate):
                self.locations.check(update.location, f"set-location of table {'.'.join(identifier)}")
            elif isinstance(update, SetPropertiesUpdate):
                self.locations.check_properties(update.updates, f"table {'.'.join(identifier)}")
            elif isinstance(update, AddSnapshotUpdate):
                what = f"manifest list of a snapshot of table {'.'.join(identifier)}"
                self.locations.check(update.snapshot.manifest_list, what)

    def drop_table(self, identifier: Identifier, *, purge: bool) -> None:
        if purge:
            purge_table(self.catalog, self.locations, identifier)
        else:
            self.catalog.drop_table(identifier)

    def rename_table(self, source: Identifier, destination: Identifier) -> None:
        if not self.catalog.table_exists(source):
            raise NoSuchTableError(f"Table does not exist: {'.'.join(source)}")
        self.catalog.rename_table(source, destination)

    def register_table(self, identifier: Identifier, metadata_location: str, *, overwrite: bool) -> LoadedTable:
        if overwrite:
            raise UnsupportedOperationError("register with overwrite is not supported by this catalog")
        location = self.locations.check(metadata_location, "metadata-location")
        metadata = self._read_metadata(location)
        self.locations.check(metadata.location, f"location of the table in {location}")
        self.locations.check_properties(metadata.properties, f"table in {location}")
        table = self.catalog.register_table(identifier, location)
        return LoadedTable(table.metadata_location, table.metadata)

    def _read_metadata(self, location: str) -> TableMetadata:
        """Read before registering: SqlCatalog would store the pointer first and fail on the load after."""
        io = load_file_io(self.catalog.properties, location)
        try:
            return FromInputFile.table_metadata(io.new_input(location))
        except FileNotFoundError as e:
            raise BadRequestError(f"metadata-location {location!r} does not exist") from e
        except (ValueError, IcebergValidationError) as e:  # JSON or schema errors: not a metadata file
            raise BadRequestError(f"metadata-location {location!r} is not Iceberg table metadata: {e}") from e
        except OSError as e:
            raise ServiceUnavailableError(f"cannot read metadata-location {location!r}: {e}") from e
