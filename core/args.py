"""Glue job arguments with exactly Glue's semantics, plus optional arguments with defaults.

Glue calls a script as ``script.py --JOB_NAME x --JOB_RUN_ID jr_… --run_date 2026-11-26 …``
(plus reserved arguments such as ``--job-bookmark-option`` and ``--TempDir``). Required
arguments are resolved by ``awsglue.utils.getResolvedOptions`` (the runtime's on AWS, the
lakehouse's clean-room one locally), so a script that parses here parses there. Glue has no
optional arguments; :func:`resolve_job_args` adds them with the same ``--name value`` syntax.

Glue cannot set environment variables, so ``ENV``, ``CONFIG_PATH`` and ``DOMAIN_PROJECT_*``
passed as job parameters are treated as the environment (see :attr:`JobArgs.environment`).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from core.config import ENV_VAR_PREFIX
from core.exceptions import JobArgumentError
from core.spark_session import glue_resolved_options

_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ENVIRONMENT_NAMES = ("ENV", "CONFIG_PATH")
# Names Glue itself passes to every run (JOB_NAME is always resolved, never declared).
GLUE_PASSED_NAMES = frozenset(
    {"JOB_ID", "JOB_RUN_ID", "SECURITY_CONFIGURATION", "TempDir", "RedshiftTempDir", "encryption-type"}
    | {"job-bookmark-option", "job-bookmark-from", "job-bookmark-to", "continuation-option", "enable-data-lineage"}
)
# Glue's special job parameters ("Using job parameters in AWS Glue jobs"): they configure the run, not the script.
# emulator/glue_runtime/parameters.py says what each does locally; it is built from this list.
SPECIAL_PARAMETER_NAMES = frozenset(
    {"conf", "datalake-formats", "enable-glue-datacatalog", "extra-py-files", "extra-files", "extra-jars"}
    | {"additional-python-modules", "python-modules-installer-option", "job-bookmark-option", "TempDir"}
    | {"job-language", "enable-metrics", "enable-observability-metrics", "enable-spark-ui", "spark-event-logs-path"}
    | {"enable-job-insights", "enable-continuous-cloudwatch-log", "enable-continuous-log-filter"}
    | {"continuous-log-logGroup", "continuous-log-logStreamPrefix", "continuous-log-conversionPattern"}
    | {"enable-auto-scaling", "enable-s3-parquet-optimized-committer", "enable-rename-algorithm-v2"}
    | {"user-jars-first", "executor-cores", "write-shuffle-files-to-s3", "write-shuffle-spills-to-s3"}
    | {"enable-data-lineage", "encryption-type"}
)
# A job cannot declare these as its own arguments.
RESERVED_NAMES = GLUE_PASSED_NAMES | SPECIAL_PARAMETER_NAMES
DEFAULT_BOOKMARK_OPTION = "job-bookmark-disable"


def merge_arguments(
    default_arguments: Mapping[str, str] | None,
    run_arguments: Mapping[str, str] | None,
    non_overridable: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Glue's precedence: the run's Arguments override DefaultArguments key by key;
    NonOverridableArguments override both."""
    return {**(default_arguments or {}), **(run_arguments or {}), **(non_overridable or {})}


def glue_argv(
    script: str,
    *,
    job_name: str,
    run_id: str,
    default_arguments: Mapping[str, str],
    run_arguments: Mapping[str, str],
) -> list[str]:
    """sys.argv as Glue passes it: its own arguments, then defaults overridden by run arguments."""
    merged = merge_arguments(default_arguments, run_arguments)
    bookmark = merged.pop("--job-bookmark-option", DEFAULT_BOOKMARK_OPTION)
    argv = [script, "--JOB_ID", f"j_{job_name}", "--JOB_RUN_ID", run_id, "--job-bookmark-option", bookmark]
    argv += ["--JOB_NAME", job_name]
    for key, value in merged.items():
        argv += [key, value]
    return argv


@dataclass(frozen=True)
class JobArgs:
    """Resolved arguments of one job run."""

    values: Mapping[str, str | None]
    environment: Mapping[str, str] = field(default_factory=dict)

    @property
    def job_name(self) -> str:
        return str(self.values["JOB_NAME"])

    @property
    def run_id(self) -> str:
        return str(self.values["JOB_RUN_ID"])

    def __getitem__(self, name: str) -> str:
        value = self.values.get(name)
        if value is None:
            raise JobArgumentError(f"job argument --{name} was not given and has no default")
        return value

    def get(self, name: str, default: str | None = None) -> str | None:
        value = self.values.get(name)
        return default if value is None else value

    def date(self, name: str) -> dt.date:
        """An argument as an ISO date (``--run_date 2026-11-26``)."""
        text = self[name]
        try:
            return dt.date.fromisoformat(text)
        except ValueError as e:
            raise JobArgumentError(f"job argument --{name}={text!r} is not a date (YYYY-MM-DD)") from e

    def integer(self, name: str) -> int:
        text = self[name]
        try:
            return int(text)
        except ValueError as e:
            raise JobArgumentError(f"job argument --{name}={text!r} is not an integer") from e


def argument_value(argv: Sequence[str], name: str) -> str | None:
    """Value of ``--name value`` or ``--name=value`` in argv (last one wins, as in argparse)."""
    value = None
    flag = f"--{name}"
    for i, token in enumerate(argv):
        if token == flag and i + 1 < len(argv):
            value = argv[i + 1]
        elif token.startswith(flag + "="):
            value = token[len(flag) + 1 :]
    return value


def resolve_job_args(
    argv: Sequence[str],
    required: Sequence[str] = (),
    optional: Mapping[str, str | None] | None = None,
) -> JobArgs:
    """Resolve ``argv`` (``sys.argv``: script path first) the way Glue does.

    ``JOB_NAME`` is always required (Glue always passes it). ``JOB_RUN_ID`` is taken from
    Glue when present, otherwise a local run id is generated.
    """
    optional = dict(optional or {})
    names = list(dict.fromkeys(["JOB_NAME", *required]))
    for name in [*names, *optional]:
        if name in RESERVED_NAMES:
            raise JobArgumentError(f"--{name} is reserved by Glue and cannot be declared by a job")
        if not _NAME_RE.match(name):
            raise JobArgumentError(f"{name!r} is not a valid job argument name")
    if overlap := set(names) & set(optional):
        raise JobArgumentError(f"arguments {sorted(overlap)} are declared both required and optional")
    if missing := [n for n in names if argument_value(argv[1:], n) is None]:
        raise JobArgumentError("missing required job argument(s): " + ", ".join(f"--{n}" for n in missing))
    values: dict[str, str | None] = dict(glue_resolved_options(argv, names))
    for name, default in optional.items():
        given = argument_value(argv[1:], name)
        values[name] = default if given is None else given
    run_id = argument_value(argv[1:], "JOB_RUN_ID")
    values["JOB_RUN_ID"] = run_id or f"local-{uuid.uuid4().hex[:12]}"
    passed = {name: argument_value(argv[1:], name) for name in _environment_names(argv)}
    environment = {name: value for name, value in passed.items() if value is not None}
    return JobArgs(values=values, environment=environment)


def _environment_names(argv: Sequence[str]) -> list[str]:
    names = list(_ENVIRONMENT_NAMES)
    for token in argv[1:]:
        if token.startswith("--" + ENV_VAR_PREFIX):
            names.append(token[2:].split("=", 1)[0])
    return names
