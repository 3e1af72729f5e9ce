"""Glue job runs: their state and the rules Glue applies when starting and stopping them.

A run is STARTING while its artifacts are fetched, RUNNING while the script's process
lives, then SUCCEEDED, FAILED, TIMEOUT or STOPPED (via STOPPING). ``MaxConcurrentRuns``
is enforced at start; ``MaxRetries`` starts a new attempt (a new run id whose
``PreviousRunId`` is the failed one) as Glue does.
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

ACTIVE_STATES = frozenset({"STARTING", "RUNNING", "STOPPING", "WAITING"})
TERMINAL_STATES = frozenset({"SUCCEEDED", "FAILED", "TIMEOUT", "STOPPED", "ERROR"})
DEFAULT_TIMEOUT_MINUTES = 2880  # Glue's default for Spark jobs


class GlueError(Exception):
    """An error Glue's API returns: ``code`` is the exception name clients see."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class JobRun:
    """One attempt of one job; mutated only by its runner thread (and stop requests)."""

    id: str
    job_name: str
    arguments: dict[str, str]
    timeout_minutes: int
    attempt: int = 0
    previous_run_id: str | None = None
    worker_type: str | None = None
    number_of_workers: int | None = None
    execution_class: str = "STANDARD"
    glue_version: str | None = None
    state: str = "STARTING"
    error_message: str | None = None
    started_on: dt.datetime = field(default_factory=_now)
    modified_on: dt.datetime = field(default_factory=_now)
    completed_on: dt.datetime | None = None
    stop_requested: threading.Event = field(default_factory=threading.Event, repr=False)

    def transition(self, state: str, error_message: str | None = None) -> None:
        self.state = state
        self.modified_on = _now()
        if error_message:
            self.error_message = error_message
        if state in TERMINAL_STATES:
            self.completed_on = self.modified_on

    @property
    def execution_seconds(self) -> int:
        end = self.completed_on or _now()
        return int((end - self.started_on).total_seconds())

    def as_dict(self) -> dict[str, Any]:
        """The JobRun shape of GetJobRun (timestamps as epoch seconds, as the JSON protocol sends them)."""
        payload: dict[str, Any] = {
            "Id": self.id,
            "Attempt": self.attempt,
            "JobName": self.job_name,
            "JobMode": "SCRIPT",
            "StartedOn": self.started_on.timestamp(),
            "LastModifiedOn": self.modified_on.timestamp(),
            "JobRunState": self.state,
            "Arguments": self.arguments,
            "PredecessorRuns": [],
            "ExecutionTime": self.execution_seconds,
            "Timeout": self.timeout_minutes,
            "ExecutionClass": self.execution_class,
            "LogGroupName": "/aws-glue/jobs",
        }
        optional = {
            "CompletedOn": self.completed_on.timestamp() if self.completed_on else None,
            "ErrorMessage": self.error_message,
            "PreviousRunId": self.previous_run_id,
            "WorkerType": self.worker_type,
            "NumberOfWorkers": self.number_of_workers,
            "GlueVersion": self.glue_version,
        }
        payload.update({k: v for k, v in optional.items() if v is not None})
        return payload


class JobRuns:
    """Every run of every job in one region, and the Glue rules for starting and stopping them."""

    def __init__(self, execute: Callable[[JobRun, Mapping[str, Any]], None]) -> None:
        self._execute = execute  # runs in a thread: fetches artifacts, runs the process, sets the state
        self._runs: dict[str, list[JobRun]] = {}
        self._lock = threading.Lock()

    def start(self, job: Mapping[str, Any], arguments: Mapping[str, str], *, timeout: int | None = None,
              attempt: int = 0, previous_run_id: str | None = None) -> JobRun:  # fmt: skip
        """Start a run of ``job`` (GetJob's shape) with Glue's argument merging and concurrency limit."""
        from emulator.aws.glue.arguments import merge_arguments

        name = job["Name"]
        limit = int((job.get("ExecutionProperty") or {}).get("MaxConcurrentRuns") or 1)
        with self._lock:
            active = [r for r in self._runs.get(name, []) if r.state in ACTIVE_STATES]
            if len(active) >= limit:
                raise GlueError(
                    "ConcurrentRunsExceededException",
                    f"Job {name} already has {len(active)} active run(s); MaxConcurrentRuns is {limit}",
                )
            run = JobRun(
                id=f"jr_{secrets.token_hex(32)}",
                job_name=name,
                arguments=merge_arguments(job.get("DefaultArguments"), arguments, job.get("NonOverridableArguments")),
                timeout_minutes=int(timeout or job.get("Timeout") or DEFAULT_TIMEOUT_MINUTES),
                attempt=attempt,
                previous_run_id=previous_run_id,
                worker_type=job.get("WorkerType"),
                number_of_workers=job.get("NumberOfWorkers"),
                execution_class=job.get("ExecutionClass") or "STANDARD",
                glue_version=job.get("GlueVersion"),
            )
            self._runs.setdefault(name, []).append(run)
        threading.Thread(target=self._run_and_retry, args=(run, job), name=f"glue-{run.id[:12]}", daemon=True).start()
        return run

    def _run_and_retry(self, run: JobRun, job: Mapping[str, Any]) -> None:
        self._execute(run, job)
        retries = int(job.get("MaxRetries") or 0)
        if run.state in {"FAILED", "TIMEOUT"} and run.attempt < retries:
            self.start(job, run.arguments, timeout=run.timeout_minutes, attempt=run.attempt + 1, previous_run_id=run.id)

    def get(self, job_name: str, run_id: str) -> JobRun:
        for run in self._runs.get(job_name, []):
            if run.id == run_id:
                return run
        raise GlueError("EntityNotFoundException", f"Job run {run_id} of job {job_name} not found")

    def of_job(self, job_name: str) -> list[JobRun]:
        return sorted(self._runs.get(job_name, []), key=lambda r: r.started_on, reverse=True)

    def stop(self, job_name: str, run_ids: list[str]) -> tuple[list[dict[str, str]], list[dict[str, Any]]]:
        stopped, errors = [], []
        for run_id in run_ids:
            try:
                run = self.get(job_name, run_id)
            except GlueError as e:
                errors.append({"JobName": job_name, "JobRunId": run_id,
                               "ErrorDetail": {"ErrorCode": e.code, "ErrorMessage": e.message}})  # fmt: skip
                continue
            if run.state in TERMINAL_STATES:
                detail = {"ErrorCode": "InvalidInputException", "ErrorMessage": f"Job run is already {run.state}"}
                errors.append({"JobName": job_name, "JobRunId": run_id, "ErrorDetail": detail})
                continue
            run.transition("STOPPING")
            run.stop_requested.set()
            stopped.append({"JobName": job_name, "JobRunId": run_id})
        return stopped, errors

    def active(self) -> list[JobRun]:
        return [r for runs in self._runs.values() for r in runs if r.state in ACTIVE_STATES]
