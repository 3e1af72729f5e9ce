"""Glue job runs: their state and the rules Glue applies when starting and stopping them.

A run is STARTING while its artifacts are fetched, RUNNING while the script's process
lives, then SUCCEEDED, FAILED, TIMEOUT or STOPPED (via STOPPING). ``MaxConcurrentRuns``
is enforced at start; ``MaxRetries`` starts a new attempt (a new run id whose
``PreviousRunId`` is the failed one) as Glue does.

No run is ever stranded: whatever goes wrong in its thread (an artifact that cannot be fetched,
a process that cannot be launched, a bug), the run ends FAILED with the error as its message,
and its concurrency slot is free again. Every state change is written to the region's store
before anyone can observe it; runs that were active when the emulator stopped are FAILED on load.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import secrets
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from core.args import merge_arguments
from core.run_states import ACTIVE_STATES, FAILED, STARTING, STOPPED, STOPPING, TERMINAL_STATES, TIMEOUT
from emulator.aws.glue.exceptions import GlueError, invalid_input, not_found
from emulator.aws.glue.limits import RunRequest
from emulator.aws.glue.limits import arguments as checked_arguments
from emulator.aws.glue.orphans import end_orphan
from emulator.aws.glue.store import RegionStore

__all__ = ["ACTIVE_STATES", "TERMINAL_STATES", "GlueError", "JobRun", "JobRuns", "default_timeout"]

INTERRUPTED_MESSAGE = "the lakehouse stopped during this run"


def default_timeout(glue_version: str | None) -> int:
    """Glue's default Timeout: 480 minutes from Glue 5.0 on, 2,880 before (StartJobRun reference)."""
    try:
        major = int(str(glue_version or "5").split(".")[0])
    except ValueError:
        major = 5
    return 480 if major >= 5 else 2880


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _time(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


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
    state: str = STARTING
    error_message: str | None = None
    started_on: dt.datetime = field(default_factory=_now)
    modified_on: dt.datetime = field(default_factory=_now)
    completed_on: dt.datetime | None = None
    pid: int | None = None  # the job process (its process group's leader), once launched
    stop_requested: threading.Event = field(default_factory=threading.Event, repr=False, compare=False)
    # Called after every change (the store writes the run through); set by JobRuns.
    on_change: Callable[[JobRun], None] | None = field(default=None, repr=False, compare=False)
    _guard: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)

    def transition(self, state: str, error_message: str | None = None) -> None:
        with self._guard:
            self.state = state
            self.modified_on = _now()
            if error_message:
                self.error_message = error_message
            if state in TERMINAL_STATES:
                self.completed_on = self.modified_on
            if self.on_change is not None:
                self.on_change(self)

    def transition_if_active(self, state: str, error_message: str | None = None) -> bool:
        """Change the state unless the run has ended meanwhile (an ended run never becomes active again)."""
        with self._guard:
            if not self.active:
                return False
            self.transition(state, error_message)
            return True

    def transition_from(self, expected: str, state: str) -> bool:
        """Change the state only from ``expected`` (STARTING -> RUNNING must not undo a STOPPING)."""
        with self._guard:
            if self.state != expected:
                return False
            self.transition(state)
            return True

    @property
    def active(self) -> bool:
        return self.state in ACTIVE_STATES

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

    def to_record(self) -> dict[str, Any]:
        """What the store keeps (timestamps as ISO strings, exact to the microsecond)."""
        return {
            "id": self.id, "job_name": self.job_name, "arguments": self.arguments,
            "timeout_minutes": self.timeout_minutes, "attempt": self.attempt, "previous_run_id": self.previous_run_id,
            "worker_type": self.worker_type, "number_of_workers": self.number_of_workers,
            "execution_class": self.execution_class, "glue_version": self.glue_version, "state": self.state,
            "error_message": self.error_message, "started_on": self.started_on.isoformat(),
            "modified_on": self.modified_on.isoformat(),
            "completed_on": self.completed_on.isoformat() if self.completed_on else None, "pid": self.pid,
        }  # fmt: skip

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> JobRun:
        times = {k: _time(record.get(k)) for k in ("started_on", "modified_on", "completed_on")}
        fields = {k: v for k, v in record.items() if k not in times}
        return cls(**fields, started_on=times["started_on"] or _now(), modified_on=times["modified_on"] or _now(),
                   completed_on=times["completed_on"])  # fmt: skip


def _page_token(run_id: str) -> str:
    return base64.urlsafe_b64encode(run_id.encode()).decode()


def _run_id_of(token: str) -> str:
    try:
        return base64.urlsafe_b64decode(token.encode()).decode()
    except (binascii.Error, UnicodeError) as e:
        raise invalid_input(f"NextToken {token!r} was not returned by GetJobRuns") from e


class JobRuns:
    """Every run of every job in one region, and the Glue rules for starting and stopping them."""

    def __init__(self, execute: Callable[[JobRun, Mapping[str, Any]], None], store: RegionStore | None = None) -> None:
        self._execute = execute  # runs in a thread: fetches artifacts, runs the process, sets the state
        self._store = store
        self._runs: dict[str, list[JobRun]] = {}
        self._lock = threading.Lock()
        for record in store.runs() if store else []:
            self._restore(JobRun.from_record(record))

    def _restore(self, run: JobRun) -> None:
        run.on_change = self._save
        self._runs.setdefault(run.job_name, []).append(run)
        # Its process belonged to an emulator that is gone: nobody will finish it, and it must not go on.
        if run.active and run.pid is not None:
            end_orphan(run.pid, run.id)
        run.transition_if_active(FAILED, INTERRUPTED_MESSAGE)

    def _save(self, run: JobRun) -> None:
        if self._store is not None:
            self._store.save_run(run.id, run.to_record)

    def start(self, job: Mapping[str, Any], request: RunRequest, *, attempt: int = 0,
              previous_run_id: str | None = None) -> JobRun:  # fmt: skip
        """Start a run of ``job`` (GetJob's shape) with Glue's argument merging and concurrency limit."""
        name = job["Name"]
        merged = merge_arguments(job.get("DefaultArguments"), request.arguments, job.get("NonOverridableArguments"))
        # The job's own arguments count too: together they are what the process is given.
        checked_arguments(merged, "the job's DefaultArguments and the run's Arguments")
        limit = int((job.get("ExecutionProperty") or {}).get("MaxConcurrentRuns") or 1)
        with self._lock:
            active = [r for r in self._runs.get(name, []) if r.active]
            if len(active) >= limit:
                raise GlueError(
                    "ConcurrentRunsExceededException",
                    f"Job {name} already has {len(active)} active run(s); MaxConcurrentRuns is {limit}",
                )
            run = JobRun(
                id=f"jr_{secrets.token_hex(32)}",
                job_name=name,
                arguments=merged,
                timeout_minutes=request.timeout or int(job.get("Timeout") or default_timeout(job.get("GlueVersion"))),
                attempt=attempt,
                previous_run_id=previous_run_id,
                worker_type=request.worker_type or job.get("WorkerType"),
                number_of_workers=request.number_of_workers or job.get("NumberOfWorkers"),
                execution_class=request.execution_class or job.get("ExecutionClass") or "STANDARD",
                glue_version=job.get("GlueVersion"),
                on_change=self._save,
            )
            self._save(run)
            self._runs.setdefault(name, []).append(run)
        retry = RunRequest(name, request.arguments, run.timeout_minutes, run.worker_type, run.number_of_workers,
                           run.execution_class)  # fmt: skip
        thread = threading.Thread(target=self._run_and_retry, args=(run, job, retry), name=f"glue-{run.id[:12]}")
        thread.daemon = True
        try:
            thread.start()
        except RuntimeError as e:  # no thread to be had: the run must not stay STARTING
            run.transition(FAILED, f"the run could not be started: {e}")
            raise GlueError("InternalServiceException", f"job run {run.id} could not be started: {e}") from e
        return run

    def _run_and_retry(self, run: JobRun, job: Mapping[str, Any], retry: RunRequest) -> None:
        self._execute_safely(run, job)
        retries = int(job.get("MaxRetries") or 0)
        if run.state in {FAILED, TIMEOUT} and run.attempt < retries:
            try:
                self.start(job, retry, attempt=run.attempt + 1, previous_run_id=run.id)
            except GlueError as e:  # e.g. another run took the slot meanwhile: Glue does not retry then either
                print(f"[emulator] no retry of {run.id}: {e.code}: {e.message}", file=sys.stderr)  # noqa: T201

    def _execute_safely(self, run: JobRun, job: Mapping[str, Any]) -> None:
        """Run it; any error becomes the run's end, so no run stays STARTING, RUNNING or STOPPING."""
        try:
            self._execute(run, job)
        except Exception as e:  # noqa: BLE001 - the boundary: every failure must end the run, never the thread
            ended = STOPPED if run.stop_requested.is_set() else FAILED
            run.transition_if_active(ended, f"the run could not be launched: {type(e).__name__}: {e}")
        run.transition_if_active(FAILED, "the runner ended without recording how the run ended")

    def get(self, job_name: str, run_id: str) -> JobRun:
        for run in self._runs.get(job_name, []):
            if run.id == run_id:
                return run
        raise not_found(f"Job run {run_id} of job {job_name} not found")

    def of_job(self, job_name: str) -> list[JobRun]:
        """Newest first (by start time, then id, so the order is total and pages are stable)."""
        with self._lock:
            runs = list(self._runs.get(job_name, []))
        return sorted(runs, key=lambda r: (r.started_on, r.id), reverse=True)

    def page(self, job_name: str, token: str | None, size: int) -> tuple[list[JobRun], str | None]:
        """One page of GetJobRuns. The token names the last run returned, so runs started between two
        calls (they come first) never shift a later page: each run is returned once."""
        runs = self.of_job(job_name)
        start = 0
        if token:
            last = _run_id_of(token)
            ids = [r.id for r in runs]
            if last not in ids:
                raise invalid_input(f"NextToken {token!r} was not returned by GetJobRuns of job {job_name}")
            start = ids.index(last) + 1
        page = runs[start : start + size]
        more = start + size < len(runs)
        return page, (_page_token(page[-1].id) if more and page else None)

    def stop(self, job_name: str, run_ids: list[str]) -> tuple[list[dict[str, str]], list[dict[str, Any]]]:
        stopped, errors = [], []
        for run_id in run_ids:
            try:
                run = self.get(job_name, run_id)
            except GlueError as e:
                errors.append({"JobName": job_name, "JobRunId": run_id,
                               "ErrorDetail": {"ErrorCode": e.code, "ErrorMessage": e.message}})  # fmt: skip
                continue
            if not run.active:
                detail = {"ErrorCode": "InvalidInputException", "ErrorMessage": f"Job run is already {run.state}"}
                errors.append({"JobName": job_name, "JobRunId": run_id, "ErrorDetail": detail})
                continue
            run.stop_requested.set()
            run.transition_if_active(STOPPING)  # the runner may have ended it meanwhile
            stopped.append({"JobName": job_name, "JobRunId": run_id})
        return stopped, errors

    def active(self) -> list[JobRun]:
        with self._lock:
            return [r for runs in self._runs.values() for r in runs if r.active]
