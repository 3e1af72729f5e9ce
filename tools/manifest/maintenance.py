"""A manifest's ``maintenance`` block → the domain's table-maintenance job and its resolved policy.

The policy travels as the job's ``--maintenance_policy`` argument; Terraform renders the same job
from the same manifest (tests/terraform/test_maintenance_jobs.py compares the two).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from core import maintenance_policy
from core.exceptions import MaintenancePolicyError
from tools.manifest.entries import job_entry
from tools.manifest.model import (
    JOB_DEFAULTS,
    MAINTENANCE_ARGUMENT,
    MAINTENANCE_JOB,
    MAINTENANCE_SCRIPT,
    SHARED_DIR,
    JobSpec,
    MaintenanceSpec,
)

MAX_MAINTENANCE_ARGUMENT_BYTES = 64 * 1024  # Glue caps a run's arguments at 128 KiB in all
DEFAULT_MAINTENANCE_DESCRIPTION = "Iceberg maintenance of the {domain} domain's tables (compaction, expiry, orphans)"
_MAINTENANCE_KEYS = {"description", "schedule", "defaults", "tables", *JOB_DEFAULTS}
_GLUE_CRON_RE = re.compile(r"^cron\([^)]+\)$")  # Glue triggers take cron(...) only, no rate(...)


def _override(overrides: Mapping[str, Any], table: str) -> dict[str, Any]:
    """A table's entry under maintenance.tables ({} when absent, or when malformed and already reported)."""
    entry = overrides.get(table)
    return dict(entry) if isinstance(entry, dict) else {}


def maintenance_entry(
    root: Path, domain: str, entry: Any, defaults: Mapping[str, Any], written: set[str], where: str,
    problems: list[str],
) -> tuple[JobSpec, MaintenanceSpec]:  # fmt: skip
    """The maintenance block → its Glue job (the shared script, the policy as its argument) and schedule.

    It maintains every table the domain's jobs write (``writes.tables``); ``tables`` overrides the
    ``defaults`` per table, and ``enabled: false`` leaves a table out.
    """
    if not isinstance(entry, dict):
        problems.append(f"{where}: expected a mapping with schedule, defaults and tables")
        entry = {}
    if unknown := set(entry) - _MAINTENANCE_KEYS:
        problems.append(f"{where}: unknown key(s) {sorted(unknown)}; allowed: {sorted(_MAINTENANCE_KEYS)}")
    schedule = entry.get("schedule")
    if not isinstance(schedule, str) or not _GLUE_CRON_RE.match(schedule):
        problems.append(f"{where}.schedule: {schedule!r} must be a cron(...) expression (a Glue trigger's schedule)")
    policy_defaults = entry.get("defaults") or {}
    problems += maintenance_policy.check_settings(policy_defaults, f"{where}.defaults")
    overrides = entry.get("tables") or {}
    if not isinstance(overrides, dict):
        problems.append(f"{where}.tables: expected a mapping of table name to its settings")
        overrides = {}
    for table, override in overrides.items():
        if table not in written:
            problems.append(f"{where}.tables.{table}: no job of this domain writes it (writes.tables), so it is "
                            f"not maintained here; maintained: {', '.join(sorted(written)) or 'none'}")  # fmt: skip
        if override is not None and not isinstance(override, dict):
            problems.append(f"{where}.tables.{table}: expected a mapping of setting to value")
        elif isinstance(override, dict) and not isinstance(override.get("enabled", True), bool):
            problems.append(f"{where}.tables.{table}.enabled: {override['enabled']!r} must be true or false")
    chosen = {table: _override(overrides, table) for table in sorted(written)}
    settings = {
        table: {k: v for k, v in override.items() if k != "enabled"}
        for table, override in chosen.items()
        if override.get("enabled", True) is not False
    }
    if not isinstance(policy_defaults, dict):
        policy_defaults = {}  # reported by check_settings
    document = maintenance_policy.policy_document(policy_defaults, settings)
    policies: tuple[maintenance_policy.TablePolicy, ...] = ()
    try:
        policies = maintenance_policy.resolve(document, where)
    except MaintenancePolicyError as e:  # the same checks as above, per table: report only the new ones
        problems += [p for p in e.problems if p not in problems]
    argument = maintenance_policy.encode(document)
    if len(argument.encode()) > MAX_MAINTENANCE_ARGUMENT_BYTES:
        problems.append(f"{where}: the policy of {len(settings)} tables is {len(argument.encode())} bytes as the "
                        f"--{MAINTENANCE_ARGUMENT} argument; at most {MAX_MAINTENANCE_ARGUMENT_BYTES}")  # fmt: skip
    maintenance_job = {
        **{key: entry[key] for key in JOB_DEFAULTS if key in entry},
        "script": MAINTENANCE_SCRIPT,
        "description": entry.get("description") or DEFAULT_MAINTENANCE_DESCRIPTION.format(domain=domain),
        "arguments": {MAINTENANCE_ARGUMENT: argument},
        "writes": {"tables": sorted(settings)},
    }
    spec = job_entry(root, domain, MAINTENANCE_JOB, maintenance_job, defaults, where, problems, script_dir=SHARED_DIR)
    return spec, MaintenanceSpec(domain, spec.glue_name, str(schedule), policies)
