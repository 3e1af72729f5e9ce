"""pyiceberg's ``SqlCatalog`` (SQLite pointers, compare-and-swap commits) that also holds format v3 tables.

Only the points where metadata enters or leaves the catalog change; the commit's requirement checks,
the metadata file naming and the pointer swap stay pyiceberg's:

- metadata read (``load_table``) or produced by a commit is made writable (``metadata_v3.writable``);
- updates are applied with the v3 rules (``metadata_v3.v3_updates``);
- a new table's metadata is completed by ``metadata_v3.new_table`` (v3: ``next-row-id``, column defaults).
  A v3 table is therefore created as a staged table committed with ``assert-create`` (what pyiceberg's
  ``create_table_transaction`` does), because ``SqlCatalog.create_table`` writes its metadata unseen.
"""

from __future__ import annotations

from typing import Any

from pyiceberg.catalog import Catalog
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.exceptions import NoSuchNamespaceError
from pyiceberg.partitioning import UNPARTITIONED_PARTITION_SPEC, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.table import StagedTable, Table, TableProperties
from pyiceberg.table.sorting import UNSORTED_SORT_ORDER, SortOrder
from pyiceberg.table.update import TableRequirement, TableUpdate
from pyiceberg.typedef import EMPTY_DICT, Identifier, Properties

from emulator.catalog import metadata_v3


def _format_version(properties: Properties) -> int:
    return int(properties.get(TableProperties.FORMAT_VERSION, TableProperties.DEFAULT_FORMAT_VERSION))


class FormatV3SqlCatalog(SqlCatalog):
    def create_table(
        self,
        identifier: str | Identifier,
        schema: Schema | Any,  # or a pyarrow schema, which pyiceberg converts
        location: str | None = None,
        partition_spec: PartitionSpec = UNPARTITIONED_PARTITION_SPEC,
        sort_order: SortOrder = UNSORTED_SORT_ORDER,
        properties: Properties = EMPTY_DICT,
    ) -> Table:
        format_version = _format_version(properties)
        if isinstance(schema, Schema):
            metadata_v3.check_defaults_supported(schema, format_version)
        if format_version < metadata_v3.FORMAT_V3:
            return super().create_table(identifier, schema, location, partition_spec, sort_order, properties)
        namespace = Catalog.namespace_from(identifier)
        if not self.namespace_exists(namespace):
            raise NoSuchNamespaceError(f"Namespace does not exist: {namespace}")
        self.create_table_transaction(
            identifier, schema, location, partition_spec, sort_order, properties
        ).commit_transaction()
        return self.load_table(identifier)

    def _create_staged_table(
        self,
        identifier: str | Identifier,
        schema: Schema | Any,  # or a pyarrow schema, which pyiceberg converts
        location: str | None = None,
        partition_spec: PartitionSpec = UNPARTITIONED_PARTITION_SPEC,
        sort_order: SortOrder = UNSORTED_SORT_ORDER,
        properties: Properties = EMPTY_DICT,
    ) -> StagedTable:
        staged = super()._create_staged_table(identifier, schema, location, partition_spec, sort_order, properties)
        requested = schema if isinstance(schema, Schema) else staged.metadata.schema()  # pyarrow: no defaults
        staged.metadata = metadata_v3.new_table(staged.metadata, requested)
        return staged

    def load_table(self, identifier: str | Identifier) -> Table:
        table = super().load_table(identifier)
        table.metadata = metadata_v3.writable(table.metadata)
        return table

    def _update_and_stage_table(
        self,
        current_table: Table | None,
        table_identifier: Identifier,
        requirements: tuple[TableRequirement, ...],
        updates: tuple[TableUpdate, ...],
    ) -> StagedTable:
        staged = super()._update_and_stage_table(
            current_table, table_identifier, requirements, metadata_v3.v3_updates(updates)
        )
        staged.metadata = metadata_v3.writable(staged.metadata)
        return staged
