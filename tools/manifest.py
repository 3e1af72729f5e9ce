"""Job manifests (``jobs/<domain>/jobs.yaml``): load them, and validate them against the scripts.

One manifest per domain lists its Glue jobs (script, workers, timeout, retries, execution
class, concurrency, default arguments, what each reads and writes) and its Step Functions
pipelines (stages of jobs; jobs in a stage run in parallel), and optionally its table
maintenance (``maintenance``: one more job running the shared ``jobs/_shared`` script, on a
schedule). Terraform, ``just run``, the emulator and ``just graph`` all read the same files
through here (Terraform via yamldecode).

``python -m tools.manifest validate`` (``just validate``) reports every problem with the file
and the entry it is in; ``python -m tools.manifest list`` prints the jobs.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from core import maintenance_policy
from core.args import GLUE_PASSED_NAMES
from core.exceptions import MaintenancePolicyError

REPO_ROOT = Path(__file__).resolve().parents[1]
JOBS_ROOT = REPO_ROOT / "jobs"
MANIFEST_NAME = "jobs.yaml"

WORKER_TYPES = ("G.1X", "G.2X", "G.4X", "G.8X", "G.12X", "G.16X", "R.1X", "R.2X", "R.4X", "R.8X")
FLEX_WORKER_TYPES = ("G.1X", "G.2X")
EXECUTION_CLASSES = ("STANDARD", "FLEX")
# Glue passes these itself; terraform/modules/glue_job sets --conf and --extra-py-files from the manifest.
RESERVED_ARGUMENTS = GLUE_PASSED_NAMES | {"JOB_NAME", "conf", "extra-py-files"}
JOB_DEFAULTS: Mapping[str, Any] = {
    "worker_type": "G.1X",
    "number_of_workers": 2,
    "timeout_minutes": 60,
    "max_retries": 0,
    "execution_class": "STANDARD",
    "max_concurrent_runs": 1,
}
_JOB_KEYS = {*JOB_DEFAULTS, "script", "description", "arguments", "reads", "writes"}
_PIPELINE_KEYS = {"description", "schedule", "stages"}
_TOP_KEYS = {"domain", "defaults", "jobs", "pipelines", "maintenance"}
# Table maintenance: one job per domain running one shared script (jobs/_shared/), its policy as an argument.
SHARED_DIR = "_shared"  # never a domain: domain names start with a letter
MAINTENANCE_JOB = "table_maintenance"
MAINTENANCE_SCRIPT = "job_table_maintenance.py"
MAINTENANCE_ARGUMENT = "maintenance_policy"
MAX_MAINTENANCE_ARGUMENT_BYTES = 64 * 1024  # Glue caps a run's arguments at 128 KiB in all
DEFAULT_MAINTENANCE_DESCRIPTION = "Iceberg maintenance of the {domain} domain's tables (compaction, expiry, orphans)"
_MAINTENANCE_KEYS = {"description", "schedule", "defaults", "tables", *JOB_DEFAULTS}
_GLUE_CRON_RE = re.compile(r"^cron\([^)]+\)$")  # Glue triggers take cron(...) only, no rate(...)
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_TABLE_RE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
_SCHEDULE_RE = re.compile(r"^(cron\([^)]+\)|rate\(\d+ (minute|minutes|hour|hours|day|days)\))$")


class ManifestError(Exception):
    """A manifest cannot be loaded; ``problems`` lists every issue found."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class JobSpec:
    """One Glue job as its manifest declares it."""

    domain: str
    name: str
    script: str
    description: str
    worker_type: str
    number_of_workers: int
    timeout_minutes: int
    max_retries: int
    execution_class: str
    max_concurrent_runs: int
    arguments: Mapping[str, str] = field(default_factory=dict)
    reads_raw: tuple[str, ...] = ()
    reads_tables: tuple[str, ...] = ()
    writes_tables: tuple[str, ...] = ()
    script_dir: str = ""  # the folder under jobs/ holding the script: the domain's unless shared (SHARED_DIR)
    jobs_root: Path = field(default=JOBS_ROOT, compare=False, repr=False)

    @property
    def glue_name(self) -> str:
        """The Glue job name, the same locally and in every AWS account: ``<domain>_<name>``."""
        return f"{self.domain}_{self.name}"

    @property
    def script_path(self) -> Path:
        return self.jobs_root / (self.script_dir or self.domain) / self.script

    @property
    def script_key(self) -> str:
        """Where the script lives in the artifacts bucket."""
        return f"jobs/{self.script_dir or self.domain}/{self.script}"


@dataclass(frozen=True)
class PipelineSpec:
    """A Step Functions pipeline: stages run in order, jobs within a stage in parallel."""

    domain: str
    name: str
    description: str
    schedule: str | None
    stages: tuple[tuple[str, ...], ...]  # Glue job names

    @property
    def state_machine_name(self) -> str:
        return f"{self.domain}_{self.name}"


@dataclass(frozen=True)
class MaintenanceSpec:
    """A domain's table maintenance: its Glue job (also in ``Manifests.jobs``), schedule and policies."""

    domain: str
    job: str  # Glue name
    schedule: str
    policies: tuple[maintenance_policy.TablePolicy, ...]

    @property
    def trigger_name(self) -> str:
        return f"{self.job}_schedule"


@dataclass(frozen=True)
class Manifests:
    jobs: Mapping[str, JobSpec]  # by Glue name
    pipelines: Mapping[str, PipelineSpec]  # by state machine name
    maintenance: Mapping[str, MaintenanceSpec] = field(default_factory=dict)  # by domain

    def job(self, reference: str) -> JobSpec:
        """Find a job by Glue name (``sales_daily_sales``), ``sales/daily_sales`` or ``sales/job_daily_sales``."""
        ref = reference.removesuffix(".py").removeprefix("jobs/")
        for spec in self.jobs.values():
            if ref in {
                spec.glue_name,
                f"{spec.domain}/{spec.name}",
                f"{spec.domain}/{spec.script.removesuffix('.py')}",
            }:
                return spec
        known = ", ".join(sorted(self.jobs))
        raise ManifestError([f"no job {reference!r} in any jobs/*/{MANIFEST_NAME} (known: {known})"])


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


def _relative(path: Path) -> str:
    return str(path.relative_to(REPO_ROOT)) if path.is_relative_to(REPO_ROOT) else str(path)


def manifest_paths(root: Path = JOBS_ROOT) -> list[Path]:
    return sorted(root.glob(f"*/{MANIFEST_NAME}"))


def _read(path: Path, problems: list[str]) -> dict[str, Any] | None:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)  # noqa: S506 - safe loader subclass
    except yaml.YAMLError as e:
        problems.append(f"{_relative(path)}: not valid YAML: {e}")
        return None
    if not isinstance(data, dict):
        problems.append(f"{_relative(path)}: expected a mapping with domain, jobs and pipelines")
        return None
    return data


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


def _job(
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


def _pipeline(domain: str, name: str, entry: Any, where: str, problems: list[str]) -> PipelineSpec:
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


def _override(overrides: Mapping[str, Any], table: str) -> dict[str, Any]:
    """A table's entry under maintenance.tables ({} when absent, or when malformed and already reported)."""
    entry = overrides.get(table)
    return dict(entry) if isinstance(entry, dict) else {}


def _maintenance(
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
    job_entry = {
        **{key: entry[key] for key in JOB_DEFAULTS if key in entry},
        "script": MAINTENANCE_SCRIPT,
        "description": entry.get("description") or DEFAULT_MAINTENANCE_DESCRIPTION.format(domain=domain),
        "arguments": {MAINTENANCE_ARGUMENT: argument},
        "writes": {"tables": sorted(settings)},
    }
    spec = _job(root, domain, MAINTENANCE_JOB, job_entry, defaults, where, problems, script_dir=SHARED_DIR)
    return spec, MaintenanceSpec(domain, spec.glue_name, str(schedule), policies)


def _load(root: Path, problems: list[str]) -> Manifests:
    jobs: dict[str, JobSpec] = {}
    pipelines: dict[str, PipelineSpec] = {}
    maintenance: dict[str, MaintenanceSpec] = {}
    origin: dict[str, str] = {}
    for path in manifest_paths(root):
        rel = _relative(path)
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
            spec = _job(root, domain, str(name), entry, defaults, f"{rel}: jobs.{name}", problems)
            if spec.glue_name in jobs:
                problems.append(
                    f"{rel}: jobs.{name}: Glue name {spec.glue_name} is also defined in {origin[spec.glue_name]}"
                )
            jobs[spec.glue_name], origin[spec.glue_name] = spec, rel
        if "maintenance" in data:
            written = {t for job in jobs.values() if job.domain == domain for t in job.writes_tables}
            spec, maintenance[domain] = _maintenance(root, domain, data["maintenance"], defaults, written,
                                                     f"{rel}: maintenance", problems)  # fmt: skip
            if spec.glue_name in jobs:
                problems.append(f"{rel}: maintenance: its Glue job {spec.glue_name} is also a job in "
                                f"{origin[spec.glue_name]}; rename that job")  # fmt: skip
            jobs[spec.glue_name], origin[spec.glue_name] = spec, rel
        for name, entry in (data.get("pipelines") or {}).items():
            pipeline = _pipeline(domain, str(name), entry, f"{rel}: pipelines.{name}", problems)
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
    manifests = _load(root, problems)
    if problems:
        raise ManifestError(problems)
    return manifests


# ---------------------------------------------------------------- checks against the scripts


def declared_tables(script: Path) -> dict[str, tuple[str, ...]]:
    """``TABLES_READ`` / ``TABLES_WRITTEN`` of a job script, read from its source (never imported)."""
    tree = ast.parse(script.read_text(encoding="utf-8"), filename=str(script))
    constants: dict[str, Any] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and node.value is not None:
                    try:
                        constants[target.id] = ast.literal_eval(_substitute(node.value, constants))
                    except ValueError:
                        continue
    return {k: tuple(constants[k]) for k in ("TABLES_READ", "TABLES_WRITTEN") if k in constants}


def is_scaffold_stub(script: Path) -> bool:
    """True while the script's ``transform`` is what ``just new-job`` wrote: only ``raise NotImplementedError``."""
    tree = ast.parse(script.read_text(encoding="utf-8"), filename=str(script))
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == "transform":
            body = node.body[1:] if ast.get_docstring(node) is not None else node.body
            if len(body) == 1 and isinstance(body[0], ast.Raise) and body[0].exc is not None:
                raised = body[0].exc.func if isinstance(body[0].exc, ast.Call) else body[0].exc
                return isinstance(raised, ast.Name) and raised.id == "NotImplementedError"
    return False


def _substitute(node: ast.expr, constants: Mapping[str, Any]) -> ast.expr:
    """Replace names of earlier module constants by their values so literal_eval can read tuples of them."""

    class Inline(ast.NodeTransformer):
        def visit_Name(self, name: ast.Name) -> ast.AST:  # ast's visitor naming
            return ast.Constant(constants[name.id]) if name.id in constants else name

    inlined: ast.expr = Inline().visit(ast.parse(ast.unparse(node), mode="eval").body)
    return ast.fix_missing_locations(inlined)


def _script_checks(manifests: Manifests, root: Path, problems: list[str]) -> None:
    by_script = {spec.script_path: spec for spec in manifests.jobs.values()}
    for script in sorted(root.glob("*/job_*.py")):
        if script not in by_script and script.parent.name != SHARED_DIR:
            problems.append(f"{_relative(script)}: no entry in {_relative(script.parent / MANIFEST_NAME)}")
    for spec in manifests.jobs.values():
        if not spec.script_path.is_file() or spec.script_dir == SHARED_DIR:
            continue  # a shared script takes its tables from its arguments (the maintenance policy)
        where = f"{_relative(spec.script_path.parent / MANIFEST_NAME)}: jobs.{spec.name}"
        if is_scaffold_stub(spec.script_path):
            problems.append(
                f"{where}: transform() in {spec.script} is still the `just new-job` stub (it raises "
                "NotImplementedError): write it and its test before the job is deployed"
            )
        declared = declared_tables(spec.script_path)
        for key, listed in (("TABLES_WRITTEN", spec.writes_tables), ("TABLES_READ", spec.reads_tables)):
            if key not in declared:
                problems.append(f"{where}: {spec.script} does not declare {key}, so its tables cannot be checked")
            elif set(declared[key]) != set(listed):
                section = "writes" if key == "TABLES_WRITTEN" else "reads"
                problems.append(
                    f"{where}: {section}.tables {sorted(listed)} does not match {key} {sorted(declared[key])} "
                    f"in {spec.script}"
                )


def validate(root: Path = JOBS_ROOT) -> list[str]:
    """Every problem in every manifest, and between the manifests and the scripts on disk."""
    problems: list[str] = []
    manifests = _load(root, problems)
    _script_checks(manifests, root, problems)
    return problems


def iter_jobs(manifests: Manifests) -> Iterator[JobSpec]:
    return iter(sorted(manifests.jobs.values(), key=lambda s: s.glue_name))


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.manifest", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["validate", "list"])
    options = parser.parse_args(argv)
    if options.command == "validate":
        problems = validate()
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        if problems:
            return 1
        manifests = load_manifests()
        counts = f"{len(manifests.jobs)} jobs and {len(manifests.pipelines)} pipelines"
        print(f"ok: {counts} in {len(manifest_paths())} manifests")
        return 0
    for spec in iter_jobs(load_manifests()):
        workers = f"{spec.worker_type} x{spec.number_of_workers}"
        print(f"{spec.glue_name:40} {spec.script_key:45} {workers} {spec.execution_class}")
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
