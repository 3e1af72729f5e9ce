"""One job or pipeline entry of a manifest → its spec, every problem reported with where it is."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tools.manifest.model import (
    EXECUTION_CLASSES,
    FLEX_WORKER_TYPES,
    JOB_DEFAULTS,
    RESERVED_ARGUMENTS,
    WORKER_TYPES,
    JobSpec,
    PipelineSpec,
)

_JOB_KEYS = {*JOB_DEFAULTS, "script", "description", "arguments", "reads", "writes"}
_PIPELINE_KEYS = {"description", "schedule", "stages"}
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_TABLE_RE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
_SCHEDULE_RE = re.compile(r"^(cron\([^)]+\)|rate\(\d+ (minute|minutes|hour|hours|day|days)\))$")


def _string_list(value: Any, where: str, problems: list[str]) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(f"{where}: expected a list of strings")
        return ()
    return tuple(value)


def _int_in(value: Any, low: int, high: int, where: str, problems: list[str]) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        problems.append(f"{where}: {value!r} must be an integer from {low} to {high}")
        return low
    return value


def job_entry(
    root: Path,
    domain: str,
    name: str,
    entry: Any,
    defaults: Mapping[str, Any],
    where: str,
    problems: list[str],
    script_dir: str = "",
) -> JobSpec:
    if not isinstance(entry, dict):
        problems.append(f"{where}: expected a mapping")
        entry = {}
    if unknown := set(entry) - _JOB_KEYS:
        problems.append(f"{where}: unknown key(s) {sorted(unknown)}; allowed: {sorted(_JOB_KEYS)}")
    if not _NAME_RE.match(name):
        problems.append(f"{where}: job name must be lower_snake_case (a-z, 0-9, _)")
    values = {**JOB_DEFAULTS, **defaults, **entry}
    script = values.get("script")
    if not isinstance(script, str) or not re.match(r"^job_[a-z0-9_]+\.py$", script):
        problems.append(f"{where}: script {script!r} must be a file name like job_<name>.py")
        script = "job_missing.py"
    elif not (root / (script_dir or domain) / script).is_file():
        problems.append(f"{where}: script jobs/{script_dir or domain}/{script} does not exist")
    worker_type, execution_class = values["worker_type"], values["execution_class"]
    if worker_type not in WORKER_TYPES:
        problems.append(f"{where}: unknown worker_type {worker_type!r}; use one of {', '.join(WORKER_TYPES)}")
    if execution_class not in EXECUTION_CLASSES:
        problems.append(f"{where}: execution_class {execution_class!r} must be STANDARD or FLEX")
    elif execution_class == "FLEX" and worker_type not in FLEX_WORKER_TYPES:
        problems.append(f"{where}: FLEX runs only on {' or '.join(FLEX_WORKER_TYPES)}, not {worker_type}")
    arguments = values.get("arguments") or {}
    if not isinstance(arguments, dict):
        problems.append(f"{where}.arguments: expected a mapping of name to value")
        arguments = {}
    for key, value in arguments.items():
        if str(key).startswith("-") or str(key) in RESERVED_ARGUMENTS or not re.match(r"^[A-Za-z_][\w.-]*$", str(key)):
            problems.append(f"{where}.arguments: {key!r} must be a plain name (no leading --) and not reserved by Glue")
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            problems.append(f"{where}.arguments.{key}: value must be a string or number, got {value!r}")
    reads = values.get("reads") or {}
    writes = values.get("writes") or {}
    for section, allowed in (("reads", {"raw", "tables"}), ("writes", {"tables"})):
        block = values.get(section) or {}
        if not isinstance(block, dict) or set(block) - allowed:
            problems.append(f"{where}.{section}: expected a mapping with keys {sorted(allowed)}")
    spec = JobSpec(
        domain=domain,
        name=name,
        script=script,
        description=str(values.get("description") or ""),
        worker_type=str(worker_type),
        number_of_workers=_int_in(values["number_of_workers"], 2, 299, f"{where}.number_of_workers", problems),
        timeout_minutes=_int_in(values["timeout_minutes"], 1, 2880, f"{where}.timeout_minutes", problems),
        max_retries=_int_in(values["max_retries"], 0, 10, f"{where}.max_retries", problems),
        execution_class=str(execution_class),
        max_concurrent_runs=_int_in(values["max_concurrent_runs"], 1, 1000, f"{where}.max_concurrent_runs", problems),
        arguments={str(k): str(v) for k, v in arguments.items()},
        reads_raw=_string_list(reads.get("raw") if isinstance(reads, dict) else None, f"{where}.reads.raw", problems),
        reads_tables=_string_list(
            reads.get("tables") if isinstance(reads, dict) else None, f"{where}.reads.tables", problems
        ),
        writes_tables=_string_list(
            writes.get("tables") if isinstance(writes, dict) else None, f"{where}.writes.tables", problems
        ),
        script_dir=script_dir,
        jobs_root=root,
    )
    for table in (*spec.reads_tables, *spec.writes_tables):
        if not _TABLE_RE.match(table):
            problems.append(f"{where}: table {table!r} must be a two-part name namespace.table")
    if not spec.description:
        problems.append(f"{where}: description is required (it becomes the Glue job's description)")
    return spec


def pipeline_entry(domain: str, name: str, entry: Any, where: str, problems: list[str]) -> PipelineSpec:
    if not isinstance(entry, dict):
        problems.append(f"{where}: expected a mapping")
        entry = {}
    if unknown := set(entry) - _PIPELINE_KEYS:
        problems.append(f"{where}: unknown key(s) {sorted(unknown)}; allowed: {sorted(_PIPELINE_KEYS)}")
    schedule = entry.get("schedule")
    if schedule is not None and (not isinstance(schedule, str) or not _SCHEDULE_RE.match(schedule)):
        problems.append(f"{where}.schedule: {schedule!r} must be an EventBridge cron(...) or rate(...) expression")
    stages_raw = entry.get("stages")
    stages: list[tuple[str, ...]] = []
    if not isinstance(stages_raw, list) or not stages_raw:
        problems.append(f"{where}.stages: expected a non-empty list of stages (each a list of jobs)")
    else:
        for i, stage in enumerate(stages_raw):
            if not isinstance(stage, list) or not stage or not all(isinstance(j, str) for j in stage):
                problems.append(f"{where}.stages[{i}]: expected a non-empty list of job references")
                continue
            stages.append(tuple(j if "." in j else f"{domain}.{j}" for j in stage))
    return PipelineSpec(
        domain=domain,
        name=name,
        description=str(entry.get("description") or ""),
        schedule=schedule if isinstance(schedule, str) else None,
        stages=tuple(tuple(ref.replace(".", "_", 1) for ref in stage) for stage in stages),
    )
