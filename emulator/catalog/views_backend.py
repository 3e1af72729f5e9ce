"""Catalog operations on views, beside the tables' ``CatalogBackend`` and sharing its database and warehouse.

A view is a metadata file (view spec, format version 1) under the view's location, ``<location>/metadata/
<NNNNN>-<uuid>.metadata.json``, and a pointer to it in SQLite (``emulator.catalog.view_store``). A commit
checks the requirements (``assert-view-uuid``; failure: 409 CommitFailedException), applies the updates
(``emulator.catalog.view_metadata``), writes the next metadata file and compare-and-swaps the pointer; a race
lost to another writer is retried here, and the losing file is removed. A failure of the swap itself is 500
CommitStateUnknownException. A view created without a location gets a fresh directory under its namespace,
``<name>-<uuid>``; every location passes the ``LocationPolicy``.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError as PydanticValidationError
from pyiceberg.io import FileIO, load_file_io
from pyiceberg.typedef import Identifier
from pyiceberg.view.metadata import ViewMetadata
from sqlalchemy.exc import SQLAlchemyError

from emulator.catalog import models, view_store
from emulator.catalog.backend import COMMIT_ATTEMPTS, CatalogBackend, CommitLocks
from emulator.catalog.errors import (
    AlreadyExistsError,
    BadRequestError,
    CommitFailedError,
    CommitStateUnknownError,
    InternalServerError,
    NoSuchNamespaceError,
    NoSuchViewError,
    ServiceUnavailableError,
)
from emulator.catalog.locations import NAMESPACE_LOCATION
from emulator.catalog.paging import page_of
from emulator.catalog.view_metadata import (
    SetLocation,
    apply_updates,
    creation_updates,
    parse_requirements,
    parse_updates,
)

_log = logging.getLogger("emulator.catalog")


@dataclass(frozen=True)
class LoadedView:
    metadata_location: str
    metadata: ViewMetadata


def _name(identifier: Identifier) -> str:
    return ".".join(identifier)


def _next_metadata_file(location: str, previous: str | None) -> str:
    """``NNNNN-<uuid>.metadata.json``: one more than the previous file's number, as tables name theirs."""
    number = 0
    if previous:
        stem = previous.rsplit("/", 1)[-1].split("-", 1)[0]
        number = int(stem) + 1 if stem.isdigit() else 0
    return f"{location}/metadata/{number:05d}-{uuid.uuid4()}.metadata.json"


class ViewCatalog:
    """Thread-safe like ``CatalogBackend``: commits to one view are serialised in this process, and the
    pointer swap is a compare-and-swap across processes."""

    def __init__(self, tables: CatalogBackend) -> None:
        self.catalog = tables.catalog
        self.locations = tables.locations
        view_store.require_view_support(self.catalog)
        self._lock = CommitLocks()

    def _require_namespace(self, namespace: Identifier) -> dict[str, str]:
        if not self.catalog.namespace_exists(namespace):
            raise NoSuchNamespaceError(f"Namespace does not exist: {_name(namespace)}")
        return dict(self.catalog.load_namespace_properties(namespace))

    # ------------------------------------------------------------ files

    def _io(self, location: str) -> FileIO:
        return load_file_io(self.catalog.properties, location)

    def _write(self, identifier: Identifier, metadata: ViewMetadata, previous: str | None) -> str:
        location = _next_metadata_file(metadata.location, previous)
        try:
            with self._io(location).new_output(location).create(overwrite=False) as out:
                out.write(metadata.model_dump_json().encode())
        except OSError as e:
            raise ServiceUnavailableError(f"cannot write the metadata of view {_name(identifier)}: {e}") from e
        return location

    def _discard(self, location: str) -> None:
        """A metadata file no pointer will ever name (a lost race, a refused create): remove it."""
        try:
            self._io(location).delete(location)
        except OSError:
            _log.warning("could not remove the unused view metadata file %s", location, exc_info=True)

    def _read(self, location: str) -> ViewMetadata:
        """FileNotFoundError, OSError or ValueError (not view metadata) are the caller's to translate."""
        with self._io(location).new_input(location).open() as stream:
            text = stream.read()
        try:
            return ViewMetadata.model_validate_json(text)
        except PydanticValidationError as e:
            raise ValueError(f"not Iceberg view metadata: {e.errors()[0]['msg']}") from e

    # ------------------------------------------------------------ operations

    def list_views(
        self, namespace: Identifier, token: str | None, size: int | None
    ) -> tuple[list[Identifier], str | None]:
        self._require_namespace(namespace)
        names = view_store.view_names(self.catalog, namespace)
        page, next_token = page_of(names, lambda name: name, token, size)
        return [(*namespace, name) for name in page], next_token

    def load_view(self, identifier: Identifier) -> LoadedView:
        location = view_store.metadata_location(self.catalog, identifier)
        if location is None:
            raise NoSuchViewError(f"View does not exist: {_name(identifier)}")
        try:
            return LoadedView(location, self._read(location))
        except (OSError, ValueError) as e:
            # The pointer exists but its file is gone or damaged: the catalog's fault, not the request's.
            raise InternalServerError(f"the metadata of view {_name(identifier)} cannot be read: {e}") from e

    def view_exists(self, identifier: Identifier) -> bool:
        return view_store.metadata_location(self.catalog, identifier) is not None

    def _refuse_taken(self, identifier: Identifier) -> None:
        if kind := view_store.kind_of(self.catalog, identifier):
            raise AlreadyExistsError(f"a {kind.lower()} named {_name(identifier)} already exists")

    def _view_location(self, identifier: Identifier, requested: str | None, namespace: dict[str, str]) -> str:
        what = f"location of view {_name(identifier)}"
        if requested:
            return self.locations.check(requested, what)
        base = namespace.get(NAMESPACE_LOCATION) or f"{self.locations.warehouse}/{_name(identifier[:-1])}"
        # A fresh directory per view, as for tables: a view re-created after a drop never meets the old files.
        return self.locations.check(f"{base.rstrip('/')}/{identifier[-1]}-{uuid.uuid4().hex}", what)

    def create_view(self, identifier: Identifier, request: models.CreateView) -> LoadedView:
        namespace = self._require_namespace(identifier[:-1])
        self._refuse_taken(identifier)
        location = self._view_location(identifier, request.location, namespace)
        updates = creation_updates(request.view_schema, request.view_version, location, request.properties)
        metadata = apply_updates(None, updates)
        return self._insert(identifier, metadata, self._write(identifier, metadata, None))

    def _insert(self, identifier: Identifier, metadata: ViewMetadata, location: str) -> LoadedView:
        try:
            view_store.insert_view(self.catalog, identifier, location)
        except AlreadyExistsError:
            self._discard(location)  # a table or view took the name since the check
            raise
        return LoadedView(location, metadata)

    def register_view(self, identifier: Identifier, metadata_location: str) -> LoadedView:
        self._require_namespace(identifier[:-1])
        location = self.locations.check(metadata_location, "metadata-location")
        try:
            metadata = self._read(location)
        except FileNotFoundError as e:
            raise BadRequestError(f"metadata-location {location!r} does not exist") from e
        except ValueError as e:
            raise BadRequestError(f"metadata-location {location!r} is not Iceberg view metadata: {e}") from e
        except OSError as e:
            raise ServiceUnavailableError(f"cannot read metadata-location {location!r}: {e}") from e
        self.locations.check(metadata.location, f"location of the view in {location}")
        self._refuse_taken(identifier)
        view_store.insert_view(self.catalog, identifier, location)  # the file is the caller's: never discarded
        return LoadedView(location, metadata)

    def commit(
        self, identifier: Identifier, requirements: Sequence[dict[str, Any]], updates: Sequence[dict[str, Any]]
    ) -> LoadedView:
        parsed_requirements = parse_requirements(requirements)
        parsed_updates = parse_updates(updates)
        for update in parsed_updates:
            if isinstance(update, SetLocation):
                self.locations.check(update.location, f"set-location of view {_name(identifier)}")
        with self._lock(identifier):
            for _ in range(COMMIT_ATTEMPTS):
                current = self.load_view(identifier)
                for requirement in parsed_requirements:
                    requirement.validate_against(current.metadata)  # 409, nothing written
                metadata = apply_updates(current.metadata, parsed_updates)
                if metadata == current.metadata:
                    return current  # nothing changes: no new file
                location = self._write(identifier, metadata, current.metadata_location)
                try:
                    swapped = view_store.swap_view(self.catalog, identifier, current.metadata_location, location)
                except SQLAlchemyError as e:
                    raise CommitStateUnknownError(
                        f"commit to view {_name(identifier)} may or may not have applied: {e}"
                    ) from e
                if swapped:
                    return LoadedView(location, metadata)
                self._discard(location)  # another writer swapped first: re-validate on its metadata
        raise CommitFailedError(
            f"commit to view {_name(identifier)} lost {COMMIT_ATTEMPTS} races to concurrent writers"
        )

    def drop_view(self, identifier: Identifier) -> None:
        if not view_store.delete_view(self.catalog, identifier):
            raise NoSuchViewError(f"View does not exist: {_name(identifier)}")

    def rename_view(self, source: Identifier, destination: Identifier) -> None:
        if not self.view_exists(source):
            raise NoSuchViewError(f"View does not exist: {_name(source)}")
        self._require_namespace(destination[:-1])
        self._refuse_taken(destination)
        if not view_store.rename_view(self.catalog, source, destination):
            raise NoSuchViewError(f"View does not exist: {_name(source)}")  # dropped since the check
