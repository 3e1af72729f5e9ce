"""Read every ``jobs/<domain>/jobs.yaml`` into :class:`Manifests`, checking them across domains."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tools.manifest.entries import job_entry, pipeline_entry
from tools.manifest.maintenance import maintenance_entry
from tools.manifest.model import (
    JOB_DEFAULTS,
    MANIFEST_NAME,
    JobSpec,
    MaintenanceSpec,
    ManifestError,
    Manifests,
    PipelineSpec,
)
from tools.repository import JOBS_ROOT, relative

_TOP_KEYS = {"domain", "defaults", "jobs", "pipelines", "maintenance"}


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML loader that rejects duplicate keys (plain YAML silently keeps the last one)."""


def _unique_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r} (first on line {seen[key] + 1})", key_node.start_mark
            )
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_mapping)


def manifest_paths(root: Path = JOBS_ROOT) -> list[Path]:
    return sorted(root.glob(f"*/{MANIFEST_NAME}"))


def _read(path: Path, problems: list[str]) -> dict[str, Any] | None:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)  # noqa: S506 - safe loader subclass
    except yaml.YAMLError as e:
        problems.append(f"{relative(path)}: not valid YAML: {e}")
        return None
    if not isinstance(data, dict):
        problems.append(f"{relative(path)}: expected a mapping with domain, jobs and pipelines")
        return None
    return data


def load_into(root: Path, problems: list[str]) -> Manifests:
    jobs: dict[str, JobSpec] = {}
    pipelines: dict[str, PipelineSpec] = {}
    maintenance: dict[str, MaintenanceSpec] = {}
    origin: dict[str, str] = {}
    for path in manifest_paths(root):
        rel = relative(path)
        data = _read(path, problems)
        if data is None:
            continue
        domain = path.parent.name
        if unknown := set(data) - _TOP_KEYS:
            problems.append(f"{rel}: unknown top-level key(s) {sorted(unknown)}; allowed: {sorted(_TOP_KEYS)}")
        if data.get("domain") != domain:
            problems.append(f"{rel}: domain {data.get('domain')!r} must equal the folder name {domain!r}")
        defaults = data.get("defaults") or {}
        if not isinstance(defaults, dict) or set(defaults) - set(JOB_DEFAULTS):
            problems.append(f"{rel}: defaults may only set {sorted(JOB_DEFAULTS)}")
            defaults = {}
        for name, entry in (data.get("jobs") or {}).items():
            spec = job_entry(root, domain, str(name), entry, defaults, f"{rel}: jobs.{name}", problems)
            if spec.glue_name in jobs:
                problems.append(
                    f"{rel}: jobs.{name}: Glue name {spec.glue_name} is also defined in {origin[spec.glue_name]}"
                )
            jobs[spec.glue_name], origin[spec.glue_name] = spec, rel
        if "maintenance" in data:
            written = {t for job in jobs.values() if job.domain == domain for t in job.writes_tables}
            spec, maintenance[domain] = maintenance_entry(root, domain, data["maintenance"], defaults, written,
                                                     f"{rel}: maintenance", problems)  # fmt: skip
            if spec.glue_name in jobs:
                problems.append(f"{rel}: maintenance: its Glue job {spec.glue_name} is also a job in "
                                f"{origin[spec.glue_name]}; rename that job")  # fmt: skip
            jobs[spec.glue_name], origin[spec.glue_name] = spec, rel
        for name, entry in (data.get("pipelines") or {}).items():
            pipeline = pipeline_entry(domain, str(name), entry, f"{rel}: pipelines.{name}", problems)
            pipelines[pipeline.state_machine_name] = pipeline
            origin[pipeline.state_machine_name] = rel
    for pipeline in pipelines.values():
        where = f"{origin[pipeline.state_machine_name]}: pipelines.{pipeline.name}"
        listed = [job for stage in pipeline.stages for job in stage]
        for job in listed:
            if job not in jobs:
                problems.append(f"{where}: job {job} is not defined in any manifest")
        if len(set(listed)) != len(listed):
            problems.append(f"{where}: a job appears more than once")
    maintained_by: dict[str, str] = {}
    for domain_maintenance in maintenance.values():
        rel = origin[domain_maintenance.job]
        for policy in domain_maintenance.policies:
            if policy.table in maintained_by:
                problems.append(f"{rel}: maintenance: {policy.table} is also maintained by "
                                f"{maintained_by[policy.table]}; set enabled: false in one of them")  # fmt: skip
            maintained_by.setdefault(policy.table, rel)
    return Manifests(jobs=jobs, pipelines=pipelines, maintenance=maintenance)


def load_manifests(root: Path = JOBS_ROOT) -> Manifests:
    """Load every manifest; raise :class:`ManifestError` listing every problem if any."""
    problems: list[str] = []
    manifests = load_into(root, problems)
    if problems:
        raise ManifestError(problems)
    return manifests
