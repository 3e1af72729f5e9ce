"""Table maintenance policies: what the maintenance job does to each table, and their validation.

A domain's manifest (``jobs/<domain>/jobs.yaml``, block ``maintenance``) sets a domain default
and per-table overrides; ``tools.manifest`` turns it into the maintenance job's
``--maintenance_policy`` argument, a JSON document::

    {"defaults": {"retain_last": 5, ...}, "tables": {"sales.orders": {"target_file_size_mb": 256}, ...}}

Every table listed is maintained with ``BUILTIN`` ← ``defaults`` ← its own entry. The same
checks run in ``just validate`` (on the manifest) and in the job (on the argument), so a bad
value is refused before deployment and never half-applied at run time. No Spark here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.exceptions import MaintenancePolicyError

_TABLE_RE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
HOURS_PER_YEAR = 24 * 366


@dataclass(frozen=True)
class Field:
    """One policy setting: its type, its bounds (integers) and what it means."""

    kind: type
    default: int | bool
    low: int = 0
    high: int = 0
    meaning: str = ""


# Declared once: the validator, the defaults, the README and the job all read this table.
FIELDS: Mapping[str, Field] = {
    "target_file_size_mb": Field(int, 512, 1, 8192, "rewrite_data_files target file size (Iceberg's default 512)"),
    "min_input_files": Field(int, 5, 2, 100_000, "compact a file group only when it has at least this many files"),
    "snapshot_max_age_hours": Field(int, 168, 0, 10 * HOURS_PER_YEAR, "expire snapshots older than this"),
    "retain_last": Field(int, 5, 1, 10_000, "but always keep the newest N snapshots"),
    # Iceberg refuses less than 24 h: a file that young may belong to a write still committing.
    "orphan_min_age_hours": Field(int, 72, 24, 10 * HOURS_PER_YEAR, "delete unreferenced files older than this"),
    "rewrite_manifests": Field(bool, True, meaning="rewrite manifests to the partition layout"),
}
BUILTIN: Mapping[str, int | bool] = {name: spec.default for name, spec in FIELDS.items()}


@dataclass(frozen=True)
class TablePolicy:
    """The resolved policy of one table."""

    table: str
    target_file_size_mb: int
    min_input_files: int
    snapshot_max_age_hours: int
    retain_last: int
    orphan_min_age_hours: int
    rewrite_manifests: bool

    @property
    def target_file_size_bytes(self) -> int:
        return self.target_file_size_mb * 1024 * 1024


def check_settings(values: Any, where: str) -> list[str]:
    """Problems with one layer of settings (a domain default or a table's override), each naming the field."""
    if not isinstance(values, Mapping):
        return [f"{where}: expected a mapping of setting to value (settings: {', '.join(FIELDS)})"]
    problems = []
    for name, value in values.items():
        spec = FIELDS.get(name)
        if spec is None:
            problems.append(f"{where}.{name}: unknown setting; allowed: {', '.join(FIELDS)}")
        elif spec.kind is bool:
            if not isinstance(value, bool):
                problems.append(f"{where}.{name}: {value!r} must be true or false")
        elif isinstance(value, bool) or not isinstance(value, int) or not spec.low <= value <= spec.high:
            problems.append(f"{where}.{name}: {value!r} must be an integer from {spec.low} to {spec.high}")
    return problems


def check_table_name(table: Any, where: str) -> list[str]:
    if isinstance(table, str) and _TABLE_RE.match(table):
        return []
    return [f"{where}: table {table!r} must be a two-part name namespace.table"]


def policy_document(defaults: Mapping[str, Any], tables: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The maintenance job's argument as data (``encode`` writes it the way Terraform's jsonencode does)."""
    return {"defaults": dict(defaults), "tables": {table: dict(tables[table]) for table in sorted(tables)}}


def encode(document: Mapping[str, Any]) -> str:
    """Compact JSON with sorted keys: byte for byte what Terraform's ``jsonencode`` renders."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"))


def resolve(document: Any, where: str = "maintenance") -> tuple[TablePolicy, ...]:
    """Every table's policy, sorted by table; raises :class:`MaintenancePolicyError` listing every problem."""
    if not isinstance(document, Mapping) or set(document) - {"defaults", "tables"}:
        raise MaintenancePolicyError([f"{where}: expected a mapping with keys defaults and tables"])
    defaults = document.get("defaults") or {}
    tables = document.get("tables") or {}
    problems = check_settings(defaults, f"{where}.defaults")
    if not isinstance(tables, Mapping):
        problems.append(f"{where}.tables: expected a mapping of table name to its settings")
        tables = {}
    for table, override in tables.items():
        problems += check_table_name(table, f"{where}.tables")
        problems += check_settings(override or {}, f"{where}.tables.{table}")
    if problems:
        raise MaintenancePolicyError(problems)
    return tuple(
        TablePolicy(table=table, **{**BUILTIN, **defaults, **(tables[table] or {})}) for table in sorted(tables)
    )


def parse_argument(text: str) -> tuple[TablePolicy, ...]:
    """The ``--maintenance_policy`` job argument → the policies (a clear error if it is not valid)."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as e:
        raise MaintenancePolicyError([f"--maintenance_policy is not JSON: {e}"]) from e
    return resolve(document, "--maintenance_policy")
