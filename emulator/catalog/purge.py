"""Drop with purge that only ever deletes inside the warehouse.

pyiceberg's ``purge_table`` deletes every file the table's metadata references, wherever it is. A client
can reference files anywhere (``add_files`` registers existing Parquet files by path), so a purge could
delete another bucket's data with the catalog's credentials. Here every referenced file is listed first;
if any lies outside the ``LocationPolicy``'s roots the purge is refused (400, nothing dropped or deleted)
and the client may drop the table without purge instead.
"""

from __future__ import annotations

import logging

from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.io import FileIO, load_file_io
from pyiceberg.table.metadata import TableMetadata
from pyiceberg.typedef import Identifier

from emulator.catalog.errors import BadRequestError
from emulator.catalog.locations import LocationPolicy

_log = logging.getLogger("emulator.catalog")


def referenced_files(metadata: TableMetadata, metadata_location: str, io: FileIO) -> list[str]:
    """Every file a purge would delete: data files, manifests, manifest lists, metadata files."""
    files = {metadata_location, *(entry.metadata_file for entry in metadata.metadata_log)}
    for snapshot in metadata.snapshots:
        files.add(snapshot.manifest_list)
        for manifest in snapshot.manifests(io):
            files.add(manifest.manifest_path)
            files.update(e.data_file.file_path for e in manifest.fetch_manifest_entry(io, discard_deleted=False))
    return sorted(files)


def purge_table(catalog: SqlCatalog, policy: LocationPolicy, identifier: Identifier) -> None:
    table = catalog.load_table(identifier)
    io = load_file_io(catalog.properties, table.metadata_location)
    files = referenced_files(table.metadata, table.metadata_location, io)
    if outside := [f for f in files if not policy.contains(f)]:
        raise BadRequestError(
            f"purge of table {'.'.join(identifier)} refused: it references {len(outside)} file(s) outside the "
            f"warehouse, e.g. {outside[0]!r}; nothing was dropped (drop it without purge to keep those files)"
        )
    catalog.drop_table(identifier)
    for path in files:
        try:
            io.delete(path)
        except OSError as e:  # the table is already dropped: a leftover file is an orphan, not a failure
            _log.warning("purge of %s left %s behind: %s", ".".join(identifier), path, e)
