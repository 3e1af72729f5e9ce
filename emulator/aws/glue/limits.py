"""Glue's documented limits on what a job run is started with, checked before anything runs.

Sources (AWS Glue API reference, "StartJobRun", "Jobs" data types, and the service model the AWS
SDKs are generated from):

* ``JobName``: 1-255 characters of Glue's single-line string pattern (no control characters but tab).
* ``Timeout``: whole minutes, at least 1 and less than 7 days (10,080 minutes).
* ``WorkerType``: one of the listed worker types; ``NumberOfWorkers`` a positive integer, given together
  with a worker type. ``ExecutionClass``: ``STANDARD`` or ``FLEX``. ``MaxResults`` of GetJobRuns: 1-200.
* ``Arguments``: a map of strings to strings. Glue documents no per-argument limit, but it refuses a
  StartJobRun request of about 180 kB and more with ``InvalidInputException: Request size limit
  exceeded`` (awsdocs/aws-glue-developer-guide#55), and a process cannot be given an argument over
  128 KiB (Linux's MAX_ARG_STRLEN). So the arguments a run gets, keys and values together, are
  limited to 128 KiB (UTF-8), and none may contain a NUL character (it cannot be put on a command line).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from emulator.aws.glue.exceptions import invalid_input

NAME_LENGTH = (1, 255)
# Glue's "single-line string pattern": printable Unicode and tab (the SDK model's NameString).
_SINGLE_LINE = re.compile("[\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff\t]*")
TIMEOUT_MINUTES = (1, 10_080)
WORKER_TYPES = frozenset({"Standard", "G.025X", "G.1X", "G.2X", "G.4X", "G.8X", "G.12X", "G.16X", "Z.2X",
                          "R.1X", "R.2X", "R.4X", "R.8X"})  # fmt: skip
EXECUTION_CLASSES = frozenset({"STANDARD", "FLEX"})
MAX_ARGUMENTS_BYTES = 128 * 1024
PAGE_SIZE = (1, 200)


@dataclass(frozen=True)
class RunRequest:
    """A StartJobRun request that passed the checks; ``None`` means "the job's own value"."""

    job_name: str
    arguments: dict[str, str]
    timeout: int | None
    worker_type: str | None
    number_of_workers: int | None
    execution_class: str | None


def job_name(value: Any, field: str = "JobName") -> str:
    if not isinstance(value, str) or not value:
        raise invalid_input(f"{field} is required")
    if len(value) > NAME_LENGTH[1]:
        raise invalid_input(f"{field} is {len(value)} characters long; at most {NAME_LENGTH[1]} are allowed")
    if not _SINGLE_LINE.fullmatch(value):
        raise invalid_input(f"{field} {value!r} contains a character outside Glue's single-line string pattern")
    return value


def _integer(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid_input(f"{field} must be an integer, got {value!r}")
    return value


def timeout(value: Any, field: str = "Timeout") -> int | None:
    if value is None:
        return None
    minutes = _integer(value, field)
    low, high = TIMEOUT_MINUTES
    if not low <= minutes <= high:
        raise invalid_input(f"{field} is {minutes} minute(s); it must be between {low} and {high} (7 days)")
    return minutes


def workers(worker_type: Any, number_of_workers: Any) -> tuple[str | None, int | None]:
    if worker_type is not None and worker_type not in WORKER_TYPES:
        raise invalid_input(f"WorkerType {worker_type!r} is not one of {', '.join(sorted(WORKER_TYPES))}")
    if number_of_workers is None:
        return worker_type, None
    count = _integer(number_of_workers, "NumberOfWorkers")
    if count < 1:
        raise invalid_input(f"NumberOfWorkers must be at least 1, got {count}")
    return worker_type, count


def execution_class(value: Any) -> str | None:
    if value is not None and value not in EXECUTION_CLASSES:
        raise invalid_input(f"ExecutionClass {value!r} is not one of {', '.join(sorted(EXECUTION_CLASSES))}")
    return value if value is None else str(value)


def arguments(value: Any, field: str = "Arguments") -> dict[str, str]:
    """A map of strings within the size limit (see the module docstring)."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise invalid_input(f"{field} must be a map of strings to strings")
    size = 0
    for key, item in value.items():
        if not isinstance(key, str) or not key or not isinstance(item, str):
            raise invalid_input(f"{field} must map non-empty strings to strings; {key!r}: {item!r} does not")
        if "\x00" in key or "\x00" in item:
            raise invalid_input(f"{field} {key!r} contains a NUL character")
        size += len(key.encode()) + len(item.encode())
    if size > MAX_ARGUMENTS_BYTES:
        raise invalid_input(
            f"{field} total {size} bytes; a job run's arguments are limited to {MAX_ARGUMENTS_BYTES} bytes"
        )
    return dict(value)


def start_job_run(body: Mapping[str, Any]) -> RunRequest:
    """Check a StartJobRun request as Glue does, before any job is looked up."""
    worker_type, number_of_workers = workers(body.get("WorkerType"), body.get("NumberOfWorkers"))
    return RunRequest(
        job_name=job_name(body.get("JobName")),
        arguments=arguments(body.get("Arguments")),
        timeout=timeout(body.get("Timeout")),
        worker_type=worker_type,
        number_of_workers=number_of_workers,
        execution_class=execution_class(body.get("ExecutionClass")),
    )


def page_size(value: Any, default: int = 100) -> int:
    if value is None:
        return default
    size = _integer(value, "MaxResults")
    low, high = PAGE_SIZE
    if not low <= size <= high:
        raise invalid_input(f"MaxResults is {size}; it must be between {low} and {high}")
    return size
