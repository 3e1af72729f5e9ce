"""Access delegation (``X-Iceberg-Access-Delegation``): what a client that asks for ``vended-credentials`` gets.

This catalog has one set of storage credentials, the stack's static S3 keys, so "vending" hands those out,
as the Iceberg reference fixture (apache/iceberg-rest-fixture, ``include-credentials``) does: in the
load-table result's ``config`` (``s3.access-key-id``, ``s3.secret-access-key``, ``s3.endpoint``, ...)
and, since clients must look there first (spec, LoadTableResult "Storage Credentials"), as one
``storage-credentials`` entry whose prefix covers the table. ``remote-signing`` is not offered; the spec
lets a server answer any subset of the requested mechanisms, including none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from emulator.catalog.protocol import VENDED_CREDENTIALS


def requested(header: str | None) -> frozenset[str]:
    """The mechanisms a client asked for (the header is a comma-separated list, case as sent)."""
    return frozenset(m.strip() for m in (header or "").split(",") if m.strip())


@dataclass(frozen=True)
class AccessDelegation:
    """``credentials``: the storage properties a client that asks for vended credentials receives;
    empty means the catalog has none to vend, and the header changes nothing."""

    warehouse: str
    credentials: Mapping[str, str] = field(default_factory=dict)

    def table_result_fields(self, header: str | None, table_location: str) -> dict[str, Any]:
        """The ``config`` additions and ``storage-credentials`` for one load-table style result."""
        if not self.credentials or VENDED_CREDENTIALS not in requested(header):
            return {}
        # The most specific prefix that covers all the table's files (locations are confined to the warehouse
        # or to an allowed root, and the table's own location is under its root).
        prefix = self.warehouse if table_location.startswith(self.warehouse) else table_location
        return {
            "config": dict(self.credentials),
            "storage-credentials": [{"prefix": prefix, "config": dict(self.credentials)}],
        }
