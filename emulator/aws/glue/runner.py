"""Run one Glue job run for real: prepare it as Glue does (emulator.glue_runtime), launch the
script in the Glue runtime's Python pointed at the emulator, follow it, record how it ended.

The script runs in a warm driver from the pool (emulator.glue_runtime.warm_pool) when one can serve
the run, else in a new ("cold") process; both are followed the same way (stdout/stderr to
CloudWatch, Stop and Timeout end the process group)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from typing import IO, Any, Protocol

from core.run_states import FAILED, RUNNING, STARTING, STOPPED, SUCCEEDED, TIMEOUT
from emulator.aws.glue.artifacts import ArtifactError
from emulator.aws.glue.log_shipping import LogShipper
from emulator.aws.glue.models import JobRun
from emulator.aws.glue.root_cause import root_cause
from emulator.glue_runtime.exceptions import RunSetupError
from emulator.glue_runtime.prepare import PreparedRun, prepare_run
from emulator.glue_runtime.warm_pool import WarmPool
from emulator.settings import Settings

_POLL_SECONDS = 0.2
_STOP_GRACE_SECONDS = 10
_ERROR_LINE_RE = re.compile(r"^[\w.]*(Error|Exception)\b.*")


def error_summary(stdout_tail: deque[str], stderr_tail: deque[str], returncode: int) -> str:
    """The line that says why (root_cause.py): from the job's own "job failed" record, else from stderr,
    else the last error-looking line on stderr, else the exit code."""
    for line in reversed(stdout_tail):
        if '"job failed"' in line:
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                break
            lines = [x for x in str(record.get("exception", "")).splitlines() if x.strip()]
            if lines:
                return root_cause(lines) or lines[-1].strip()
    cause = root_cause(list(stderr_tail))
    if cause:
        return cause
    for line in reversed(stderr_tail):
        if _ERROR_LINE_RE.match(line.strip()):
            return line.strip()
    return f"the job script exited with code {returncode}"


def _pump(stream: IO[str], sink: Callable[[str], None], tail: deque[str]) -> None:
    for line in stream:
        sink(line)
        tail.append(line.rstrip("\n"))


class Launch(Protocol):
    """How a run's process is started and its output collected (cold: here; warm: warm_pool.WarmDriver)."""

    process: subprocess.Popen[str]

    @property
    def began(self) -> bool: ...  # False: the process ended before the script started (warm only)

    def start(self, run: PreparedRun, output: Callable[[str], None], error: Callable[[str], None]) -> int: ...

    def finish(self) -> tuple[deque[str], deque[str]]: ...


class ColdLaunch:
    """A new process: the Glue runtime's Python on the script."""

    began = True

    def __init__(self) -> None:
        self.stdout_tail: deque[str] = deque(maxlen=200)
        self.stderr_tail: deque[str] = deque(maxlen=200)
        self._pumps: list[threading.Thread] = []

    def start(self, run: PreparedRun, output: Callable[[str], None], error: Callable[[str], None]) -> int:
        self.process = subprocess.Popen(  # noqa: S603 - the deployed script, run by the Glue runtime's Python
            run.command, cwd=run.cwd, env=run.env, text=True, bufsize=1,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
        )  # fmt: skip
        assert self.process.stdout is not None
        assert self.process.stderr is not None
        self._pumps = [
            threading.Thread(target=_pump, args=(self.process.stdout, output, self.stdout_tail), daemon=True),
            threading.Thread(target=_pump, args=(self.process.stderr, error, self.stderr_tail), daemon=True),
        ]
        for pump in self._pumps:
            pump.start()
        return self.process.pid

    def finish(self) -> tuple[deque[str], deque[str]]:
        for pump in self._pumps:
            pump.join()
        return self.stdout_tail, self.stderr_tail


def _end(process: subprocess.Popen[str], sig: int) -> None:
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        return


class JobRunner:
    """Executes runs of one region; S3 and Logs are this emulator's own, reached through its API."""

    def __init__(self, settings: Settings, s3: Any, logs: Any, region: str, pool: WarmPool | None = None) -> None:
        self.settings = settings
        self.s3 = s3
        self.logs = logs
        self.region = region
        self.pool = pool

    def __call__(self, run: JobRun, job: Mapping[str, Any]) -> None:
        if self.pool is None:
            self._run(run, job)
            return
        with self.pool.running():  # the pool's replacements wait for it (they would take its CPU)
            self._run(run, job)

    def _run(self, run: JobRun, job: Mapping[str, Any]) -> None:
        run_dir = self.settings.runs_dir / run.id
        with LogShipper(self.logs, run.id) as shipper:
            try:
                prepared = prepare_run(
                    self.settings, self.s3, job=job, run_id=run.id, job_name=run.job_name,
                    arguments=run.arguments, region=self.region, run_dir=run_dir,
                )  # fmt: skip
            except (ArtifactError, RunSetupError) as e:
                shipper.error(str(e))
                run.transition(FAILED, str(e))
                return
            except Exception as e:  # noqa: BLE001 - any failure to prepare ends the run with its cause, never strands it
                message = f"the run could not be prepared: {type(e).__name__}: {e}"
                shipper.error(message)
                run.transition(FAILED, message)
                return
            if run.stop_requested.is_set():
                run.transition(STOPPED)
                return
            deadline = time.monotonic() + run.timeout_minutes * self.settings.seconds_per_timeout_minute
            driver = self.pool.take(prepared, run.id) if self.pool is not None else None
            if driver is not None:
                if self._follow(run, prepared, driver, shipper, deadline):
                    return
                assert self.pool is not None
                self.pool.went_cold(run.id, driver)
            self._follow(run, prepared, ColdLaunch(), shipper, deadline)

    def _follow(self, run: JobRun, prepared: PreparedRun, launch: Launch, shipper: LogShipper,
                deadline: float) -> bool:  # fmt: skip
        """Start and follow the run's process; False when a warm driver ended before the script began
        (nothing of the run happened: it is started again, cold)."""
        try:
            pid = launch.start(prepared, shipper.output, shipper.error)
        except OSError as e:  # e.g. E2BIG: an argument over the kernel's limit
            message = f"the job process could not be started: {type(e).__name__}: {e}"
            shipper.error(message)
            run.transition(FAILED, message)
            return True
        process = launch.process
        run.pid = pid  # recorded with RUNNING: a later start ends the process if this emulator dies
        run.transition_from(STARTING, RUNNING)  # a run being stopped stays STOPPING (the loop below ends it)
        outcome: str | None = None
        stop_sent_at: float | None = None
        while process.poll() is None:
            if run.stop_requested.is_set() and stop_sent_at is None:
                _end(process, signal.SIGTERM)
                stop_sent_at, outcome = time.monotonic(), STOPPED
            elif stop_sent_at is not None and time.monotonic() - stop_sent_at > _STOP_GRACE_SECONDS:
                _end(process, signal.SIGKILL)
            elif outcome is None and time.monotonic() > deadline:
                _end(process, signal.SIGKILL)
                outcome = TIMEOUT
            try:  # returns as soon as the process ends: its run's state changes without a poll's delay
                process.wait(timeout=_POLL_SECONDS)
            except subprocess.TimeoutExpired:
                continue
        stdout_tail, stderr_tail = launch.finish()
        if outcome is None and not launch.began:
            return False
        shipper.flush()  # the output is in CloudWatch before anyone can see the run ended
        if outcome == TIMEOUT:
            run.transition(TIMEOUT, f"Job run timed out after {run.timeout_minutes} minute(s)")
        elif outcome == STOPPED:
            run.transition(STOPPED)
        elif process.returncode == 0:
            run.transition(SUCCEEDED)
        else:
            run.transition(FAILED, error_summary(stdout_tail, stderr_tail, process.returncode))
        return True

    def stop_all(self, runs: list[JobRun]) -> None:
        """On shutdown: ask every active run to stop (their process groups get SIGTERM)."""
        for run in runs:
            run.stop_requested.set()
