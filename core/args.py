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
# Names Glue itself passes or reserves; a job cannot declare them (JOB_NAME is always resolved).
RESERVED_NAMES = frozenset(
    {"JOB_ID", "JOB_RUN_ID", "SECURITY_CONFIGURATION", "TempDir", "RedshiftTempDir", "encryption-type"}
    | {"job-bookmark-option", "job-bookmark-from", "job-bookmark-to", "continuation-option", "enable-data-lineage"}
)


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


def _given(argv: Sequence[str], name: str) -> str | None:
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
    if missing := [n for n in names if _given(argv[1:], n) is None]:
        raise JobArgumentError("missing required job argument(s): " + ", ".join(f"--{n}" for n in missing))
    values: dict[str, str | None] = dict(glue_resolved_options(argv, names))
    for name, default in optional.items():
        given = _given(argv[1:], name)
        values[name] = default if given is None else given
    run_id = _given(argv[1:], "JOB_RUN_ID")
    values["JOB_RUN_ID"] = run_id or f"local-{uuid.uuid4().hex[:12]}"
    environment = {name: value for name in _environment_names(argv) if (value := _given(argv[1:], name)) is not None}
    return JobArgs(values=values, environment=environment)


def _environment_names(argv: Sequence[str]) -> list[str]:
    names = list(_ENVIRONMENT_NAMES)
    for token in argv[1:]:
        if token.startswith("--" + ENV_VAR_PREFIX):
            names.append(token[2:].split("=", 1)[0])
    return names
