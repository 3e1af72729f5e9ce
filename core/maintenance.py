"""Table maintenance runs: a plan of Iceberg procedures per table, run with bounded retries on conflict.

Per table, in this order (each step makes the next cheaper or possible):

1. ``rewrite_data_files`` (binpack to the policy's target size) — small files become few;
2. ``rewrite_manifests`` (if the policy says so);
3. ``expire_snapshots`` older than ``snapshot_max_age_hours``, keeping ``retain_last`` — this
   is what deletes the replaced small files;
4. ``remove_orphan_files`` older than ``orphan_min_age_hours`` (never under 24 h).

Safe while writers commit: every step is an ordinary Iceberg commit (optimistic concurrency,
nothing forced), so a writer's commit that lands first is kept and the step is re-planned on
the new state. Iceberg retries a commit itself (``commit.retry.*``); when it still loses, or a
rewrite finds its input changed (``ValidationException``), the step is retried here up to
``MAX_ATTEMPTS`` times with exponential backoff. A table that fails is reported and the others
still run; the job then fails naming it.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from core.exceptions import MaintenanceConflictError, MaintenanceError, TableNotFoundError
from core.iceberg import (
    expire_snapshots,
    remove_orphan_files,
    rewrite_data_files,
    rewrite_manifests,
    table_exists,
)
from core.maintenance_policy import TablePolicy

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

Procedure = Literal["rewrite_data_files", "rewrite_manifests", "expire_snapshots", "remove_orphan_files"]
MAX_ATTEMPTS = 5
FIRST_BACKOFF_SECONDS = 2.0
MAX_BACKOFF_SECONDS = 30.0
T = TypeVar("T")


@dataclass(frozen=True)
class Step:
    """One procedure call on one table, with every argument already decided."""

    table: str
    procedure: Procedure
    options: Mapping[str, str] = field(default_factory=dict)
    older_than: dt.datetime | None = None
    retain_last: int | None = None


@dataclass(frozen=True)
class StepResult:
    step: Step
    attempts: int
    values: Mapping[str, Any]


@dataclass
class Report:
    """What a maintenance run did, table by table."""

    done: list[StepResult] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # declared in the manifest, not created yet
    failed: dict[str, str] = field(default_factory=dict)  # table → why

    @property
    def summary(self) -> dict[str, object]:
        return {
            "steps": [
                {"table": r.step.table, "procedure": r.step.procedure, "attempts": r.attempts, **r.values}
                for r in self.done
            ],
            "missing_tables": self.missing,
            "failed_tables": self.failed,
        }

    def raise_for_failures(self) -> None:
        if self.failed:
            reasons = "; ".join(f"{table}: {why}" for table, why in sorted(self.failed.items()))
            raise MaintenanceError(f"maintenance failed for {len(self.failed)} table(s): {reasons}")


def plan_table(policy: TablePolicy, now: dt.datetime) -> list[Step]:
    """The steps the policy asks for, with cut-off times taken from ``now`` (pure)."""
    steps = [
        Step(
            policy.table,
            "rewrite_data_files",
            options={
                "target-file-size-bytes": str(policy.target_file_size_bytes),
                "min-input-files": str(policy.min_input_files),
            },
        )
    ]
    if policy.rewrite_manifests:
        steps.append(Step(policy.table, "rewrite_manifests"))
    steps.append(
        Step(
            policy.table,
            "expire_snapshots",
            older_than=now - dt.timedelta(hours=policy.snapshot_max_age_hours),
            retain_last=policy.retain_last,
        )
    )
    steps.append(
        Step(policy.table, "remove_orphan_files", older_than=now - dt.timedelta(hours=policy.orphan_min_age_hours))
    )
    return steps


def plan(policies: Sequence[TablePolicy], now: dt.datetime) -> dict[str, list[Step]]:
    """Every table's steps, by table (pure)."""
    return {policy.table: plan_table(policy, now) for policy in policies}


def backoff_seconds(attempt: int) -> float:
    """Wait after failed attempt ``attempt`` (1-based): 2 s, 4 s, 8 s, … capped at 30 s."""
    return float(min(FIRST_BACKOFF_SECONDS * 2 ** (attempt - 1), MAX_BACKOFF_SECONDS))


def with_retries(
    action: Callable[[], T],
    *,
    what: str,
    log: logging.Logger,
    attempts: int = MAX_ATTEMPTS,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[T, int]:
    """Run ``action``; on a commit conflict wait and run it again, at most ``attempts`` times in all.
    Returns the result and the number of attempts it took; any other error propagates at once."""
    for attempt in range(1, attempts + 1):
        try:
            return action(), attempt
        except MaintenanceConflictError as e:
            if attempt == attempts:
                raise MaintenanceConflictError(f"{what}: still conflicting after {attempts} attempts: {e}") from e
            wait = backoff_seconds(attempt)
            log.warning("maintenance step conflicted, retrying", extra={"step": what, "attempt": attempt,
                                                                         "wait_s": wait, "error": str(e)})  # fmt: skip
            sleep(wait)
    raise AssertionError("unreachable: the loop returns or raises")


def run_step(spark: SparkSession, step: Step) -> Mapping[str, Any]:
    """Call the step's procedure; returns what it reports (counts; the orphan paths removed)."""
    if step.procedure == "rewrite_data_files":
        return rewrite_data_files(spark, step.table, options=step.options).values
    if step.procedure == "rewrite_manifests":
        return rewrite_manifests(spark, step.table).values
    if step.procedure == "expire_snapshots":
        return expire_snapshots(spark, step.table, older_than=step.older_than, retain_last=step.retain_last or 1).values
    return {"orphan_file_locations": remove_orphan_files(spark, step.table, older_than=step.older_than)}


def run(
    spark: SparkSession,
    steps_by_table: Mapping[str, Sequence[Step]],
    *,
    log: logging.Logger,
    sleep: Callable[[float], None] = time.sleep,
) -> Report:
    """Run every table's steps in order; a table that fails stops only its own remaining steps."""
    report = Report()
    for table, steps in steps_by_table.items():
        if not table_exists(spark, table):
            log.warning("table not maintained: it does not exist yet", extra={"table": table})
            report.missing.append(table)
            continue
        for step in steps:
            what = f"{step.procedure} on {table}"
            try:
                values, attempts = with_retries(partial(run_step, spark, step), what=what, log=log, sleep=sleep)
            except (MaintenanceError, TableNotFoundError) as e:
                log.error("maintenance step failed", extra={"step": what, "error": str(e)})
                report.failed[table] = str(e)
                break
            log.info("maintenance step done", extra={"step": what, "attempts": attempts, "result": dict(values)})
            report.done.append(StepResult(step, attempts, values))
    return report
