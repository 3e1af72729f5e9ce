"""Iceberg format v3 table metadata: what pyiceberg 0.12 models but will not write or upgrade to.

pyiceberg parses v3 metadata (``TableMetadataV3``, snapshot ``first-row-id``/``added-rows``,
``next-row-id``) and applies most updates to it, but refuses three things this server needs:

- writing it: ``TableMetadataV3.model_dump_json`` raises (apache/iceberg-python#1551), because its
  own *writers* do not yet maintain row lineage. Here the server is not a writer: clients write the
  data and send the row-lineage fields, and the rules below check them, so the JSON is sound.
  ``WritableTableMetadataV3`` is the same model with serialisation;
- ``upgrade-format-version`` to 3: refused (``SUPPORTED_TABLE_FORMAT_VERSION`` is 2). The upgrade
  here starts row lineage at ``next-row-id`` 0, as a new v3 table does (spec, "Row Lineage");
- a new v3 table: ``new_table_metadata`` leaves ``next-row-id`` unset, which the spec requires, and
  drops the columns' ``initial-default``/``write-default`` (its fresh-id assignment rebuilds the fields
  without them); ``new_table`` restores both. Defaults in a v1/v2 table are refused, as Java does.

Row-lineage rules for ``add-snapshot`` on a v3 table, besides pyiceberg's (``first-row-id``
present and not behind ``next-row-id``; ``next-row-id`` advanced by ``added-rows``):

- ``added-rows`` is required: pyiceberg would otherwise silently drop ``next-row-id``;
- the sequence number must be above the table's last one (pyiceberg checks this for v2 only);
- a ``first-row-id`` behind ``next-row-id`` means another commit took those row ids since the
  client read the table: 409 ``CommitFailedException`` (retry on fresh metadata), not 400.

The rules are attached to pyiceberg's update dispatch through subclasses of its update models
(``v3_updates`` swaps them in), so pyiceberg's own clients in the same process are unaffected.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pyiceberg.schema import Schema, index_by_id
from pyiceberg.table.metadata import TableMetadata, TableMetadataV3
from pyiceberg.table.update import (
    AddSnapshotUpdate,
    TableUpdate,
    UpgradeFormatVersionUpdate,
    _apply_table_update,
    _TableMetadataUpdateContext,
)
from pyiceberg.typedef import IcebergBaseModel
from pyiceberg.types import IcebergType, ListType, MapType, NestedField, StructType

from emulator.catalog.errors import CommitFailedError

FORMAT_V3 = 3  # row lineage, deletion vectors, column defaults, nanosecond timestamps
MAX_FORMAT_VERSION = FORMAT_V3
INITIAL_ROW_ID = 0


class WritableTableMetadataV3(TableMetadataV3):
    """pyiceberg's v3 model, serialised like v1/v2 metadata (pydantic's own dump, by alias)."""

    # The signature is pyiceberg's (IcebergBaseModel's defaults), which narrows pydantic's.
    def model_dump_json(  # type: ignore[override]
        self, exclude_none: bool = True, exclude: Any | None = None, by_alias: bool = True, **kwargs: Any
    ) -> str:
        return IcebergBaseModel.model_dump_json(
            self, exclude_none=exclude_none, exclude=exclude, by_alias=by_alias, **kwargs
        )


def writable(metadata: TableMetadata) -> TableMetadata:
    """The metadata, as a model that can be written (v3 as ``WritableTableMetadataV3``; v1/v2 unchanged)."""
    if isinstance(metadata, TableMetadataV3) and not isinstance(metadata, WritableTableMetadataV3):
        # Already validated (read or updated by pyiceberg): copy the fields, do not re-validate.
        return WritableTableMetadataV3.model_construct(**dict(metadata))
    return metadata


def check_defaults_supported(schema: Schema, format_version: int) -> None:
    """Column default values are a v3 feature: refuse them for older tables rather than drop them."""
    if format_version >= FORMAT_V3:
        return
    for field in index_by_id(schema).values():
        for kind, default in (("initial", field.initial_default), ("write", field.write_default)):
            if default is not None:
                raise ValueError(
                    f"Invalid {kind} default for {schema.find_column_name(field.field_id)}: non-null default "
                    f"({default!r}) is not supported until v3, the table is v{format_version}"
                )


def new_table(metadata: TableMetadata, requested: Schema) -> TableMetadata:
    """pyiceberg's ``new_table_metadata`` result made a valid new v3 table: ``next-row-id`` 0, and the
    column defaults of the ``requested`` schema (lost in pyiceberg's fresh-id assignment) put back."""
    check_defaults_supported(requested, metadata.format_version)
    if not isinstance(metadata, TableMetadataV3):
        return metadata
    [fresh] = metadata.schemas
    schema = Schema(
        *_with_defaults(fresh.as_struct(), requested.as_struct()).fields,  # type: ignore[attr-defined]
        schema_id=fresh.schema_id,
        identifier_field_ids=fresh.identifier_field_ids,
    )
    next_row_id = INITIAL_ROW_ID if metadata.next_row_id is None else metadata.next_row_id
    return writable(metadata.model_copy(update={"next_row_id": next_row_id, "schemas": [schema]}))


def _with_defaults(fresh: IcebergType, requested: IcebergType) -> IcebergType:
    """``fresh`` (same shape as ``requested``, fields in the same order, new ids) with requested's defaults."""
    if isinstance(fresh, StructType) and isinstance(requested, StructType):
        return StructType(
            *(
                NestedField(
                    field_id=f.field_id,
                    name=f.name,
                    field_type=_with_defaults(f.field_type, r.field_type),
                    required=f.required,
                    doc=f.doc,
                    initial_default=r.initial_default,
                    write_default=r.write_default,
                )
                for f, r in zip(fresh.fields, requested.fields, strict=True)
            )
        )
    if isinstance(fresh, ListType) and isinstance(requested, ListType):
        element = _with_defaults(fresh.element_type, requested.element_type)
        return ListType(element_id=fresh.element_id, element=element, element_required=fresh.element_required)
    if isinstance(fresh, MapType) and isinstance(requested, MapType):
        return MapType(
            key_id=fresh.key_id, key_type=_with_defaults(fresh.key_type, requested.key_type),
            value_id=fresh.value_id, value_type=_with_defaults(fresh.value_type, requested.value_type),
            value_required=fresh.value_required,
        )  # fmt: skip
    return fresh


class _UpgradeFormatVersion(UpgradeFormatVersionUpdate):
    """``upgrade-format-version`` that can reach v3."""


class _AddSnapshot(AddSnapshotUpdate):
    """``add-snapshot`` with the v3 row-lineage rules checked first."""


_SWAPPED: dict[type[Any], type[Any]] = {
    UpgradeFormatVersionUpdate: _UpgradeFormatVersion,
    AddSnapshotUpdate: _AddSnapshot,
}


def v3_updates(updates: Iterable[TableUpdate]) -> tuple[TableUpdate, ...]:
    """The updates, with the ones v3 changes swapped for the subclasses that carry its rules."""
    return tuple(_SWAPPED[type(u)].model_construct(**dict(u)) if type(u) in _SWAPPED else u for u in updates)


@_apply_table_update.register(_UpgradeFormatVersion)
def _upgrade(update: _UpgradeFormatVersion, base: TableMetadata, context: _TableMetadataUpdateContext) -> TableMetadata:
    target = update.format_version
    if target > MAX_FORMAT_VERSION:
        raise ValueError(
            f"Unsupported table format version: {target} (this catalog supports 1 to {MAX_FORMAT_VERSION})"
        )
    if target == base.format_version:
        return base  # nothing to do, and nothing to record (pyiceberg would refuse 3 here)
    if target < FORMAT_V3 or base.format_version > target:
        # Downgrades and v1 → v2: pyiceberg's own rules and messages.
        return _apply_table_update.dispatch(UpgradeFormatVersionUpdate)(update, base, context)
    if base.format_version < 2:  # v1 → v3 goes through v2 (sequence numbers), as Java's upgrade does
        base = _apply_table_update.dispatch(UpgradeFormatVersionUpdate)(
            UpgradeFormatVersionUpdate.model_validate({"format-version": 2}), base, context
        )
    context.add_update(update)
    fields = {**dict(base), "format_version": target, "next_row_id": INITIAL_ROW_ID}
    return WritableTableMetadataV3.model_construct(**fields)


@_apply_table_update.register(_AddSnapshot)
def _add_snapshot(update: _AddSnapshot, base: TableMetadata, context: _TableMetadataUpdateContext) -> TableMetadata:
    if isinstance(base, TableMetadataV3):
        snapshot = update.snapshot
        if snapshot.added_rows is None:
            raise ValueError(f"Cannot add snapshot {snapshot.snapshot_id} to a v3 table without added-rows")
        if (
            snapshot.parent_snapshot_id is not None
            and snapshot.sequence_number is not None
            and snapshot.sequence_number <= base.last_sequence_number
        ):
            raise ValueError(
                f"Cannot add snapshot with sequence number {snapshot.sequence_number} "
                f"older than last sequence number {base.last_sequence_number}"
            )
        if (
            snapshot.first_row_id is not None
            and base.next_row_id is not None
            and snapshot.first_row_id < base.next_row_id
        ):
            raise CommitFailedError(
                f"snapshot {snapshot.snapshot_id} starts at row id {snapshot.first_row_id}, but rows up to "
                f"{base.next_row_id - 1} were assigned by another commit: refresh the table and retry"
            )
    return writable(_apply_table_update.dispatch(AddSnapshotUpdate)(update, base, context))
