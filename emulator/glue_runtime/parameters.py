"""Glue's special job parameters ("Using job parameters in AWS Glue jobs"), declared once.

Each parameter the lakehouse knows is listed with what it does here: honoured, accepted (it
changes nothing a local run can show: metrics, Spark UI, insights, continuous logging), or refused
with a message. Unknown ``--names`` are the script's own arguments and pass through untouched.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from core.args import DEFAULT_BOOKMARK_OPTION, SPECIAL_PARAMETER_NAMES
from emulator.glue_runtime.exceptions import RunSetupError


class Support(Enum):
    HONOURED = "honoured"
    ACCEPTED = "accepted"  # valid on Glue; nothing to do locally


_HONOURED = frozenset(
    {"conf", "datalake-formats", "enable-glue-datacatalog", "extra-py-files", "extra-files", "extra-jars"}
    | {"additional-python-modules", "python-modules-installer-option", "job-bookmark-option", "TempDir"}
)
# Every special parameter Glue documents (core.args) is honoured here or accepted as a no-op.
SPECIAL_PARAMETERS: Mapping[str, Support] = {
    f"--{name}": Support.HONOURED if name in _HONOURED else Support.ACCEPTED for name in sorted(SPECIAL_PARAMETER_NAMES)
}
DATALAKE_FORMATS = {"iceberg": None, "hudi": "its jars are not on PyPI", "delta": "its jars are not on PyPI"}
BOOKMARK_OPTIONS = ("job-bookmark-enable", "job-bookmark-disable", "job-bookmark-pause")


@dataclass(frozen=True)
class GlueParameters:
    """The special parameters of one run, parsed and checked."""

    spark_conf: dict[str, str]
    datalake_formats: frozenset[str]
    glue_datacatalog: bool
    extra_py_files: list[str]
    extra_files: list[str]
    extra_jars: list[str]
    python_modules: list[str]
    installer_options: list[str]


def parse_conf(value: str) -> dict[str, str]:
    """Glue's one ``--conf`` key: ``k=v --conf k2=v2 …`` (the console's way of passing several)."""
    conf: dict[str, str] = {}
    for part in (" " + value).split(" --conf "):
        part = part.strip()
        if not part:
            continue
        key, sep, setting = part.partition("=")
        if not sep or not key.strip():
            raise RunSetupError(f"--conf {part!r} is not key=value (Glue's form: k=v --conf k2=v2)")
        conf[key.strip()] = setting.strip()
    return conf


def _csv(value: str | None) -> list[str]:
    return [item.strip() for item in (value or "").split(",") if item.strip()]


def _datalake_formats(value: str | None) -> frozenset[str]:
    formats = frozenset(f.lower() for f in _csv(value))
    for name in sorted(formats):
        if name not in DATALAKE_FORMATS:
            raise RunSetupError(f"--datalake-formats {name!r}: Glue 5.1 knows {', '.join(DATALAKE_FORMATS)}")
        if reason := DATALAKE_FORMATS[name]:
            raise RunSetupError(f"--datalake-formats {name} is not supported by the local lakehouse ({reason})")
    return formats


def parse(arguments: Mapping[str, str]) -> GlueParameters:
    """The run's merged arguments → its special parameters (a bad value is a RunSetupError)."""
    bookmark = arguments.get("--job-bookmark-option", DEFAULT_BOOKMARK_OPTION)
    if bookmark not in BOOKMARK_OPTIONS:
        raise RunSetupError(f"--job-bookmark-option {bookmark!r} is not one of {', '.join(BOOKMARK_OPTIONS)}")
    datacatalog = arguments.get("--enable-glue-datacatalog", "false").strip().lower()
    return GlueParameters(
        spark_conf=parse_conf(arguments.get("--conf", "")),
        datalake_formats=_datalake_formats(arguments.get("--datalake-formats")),
        glue_datacatalog=datacatalog in {"", "true"},
        extra_py_files=_csv(arguments.get("--extra-py-files")),
        extra_files=_csv(arguments.get("--extra-files")),
        extra_jars=_csv(arguments.get("--extra-jars")),
        python_modules=_csv(arguments.get("--additional-python-modules")),
        installer_options=shlex.split(arguments.get("--python-modules-installer-option", "")),
    )
