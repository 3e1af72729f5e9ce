"""Run one Glue job run for real: fetch the deployed artifacts, launch the script as a local
Spark process with ``ENV=local`` pointed at the emulator, follow it, record how it ended."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any

from emulator.aws.glue.arguments import glue_argv
from emulator.aws.glue.artifacts import ArtifactError, fetch
from emulator.aws.glue.log_shipping import LogShipper
from emulator.aws.glue.models import JobRun
from emulator.settings import Settings

_POLL_SECONDS = 0.2
_STOP_GRACE_SECONDS = 10
_ERROR_LINE_RE = re.compile(r"^[\w.]*(Error|Exception)\b.*")


def job_environment(
    settings: Settings, python_path: list[Path], base: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The process environment: the caller's, minus its lakehouse config, plus this stack's.

    Settings about this machine (where jars come from, Spark's size) are kept: in the compose
    image the jars are on Spark's classpath (DOMAIN_PROJECT_JARS_SOURCE=classpath)."""
    base = os.environ if base is None else base
    machine = ("DOMAIN_PROJECT_JARS_", "DOMAIN_PROJECT_SPARK_")
    env = {
        k: v
        for k, v in base.items()
        if (not k.startswith("DOMAIN_PROJECT_") or k.startswith(machine)) and k not in {"CONFIG_PATH", "ENV"}
    }
    env.update(settings.client_environment())
    # Glue puts --extra-py-files ahead of everything, so the deployed wheel's core wins over any other.
    env["PYTHONPATH"] = os.pathsep.join([*(str(p) for p in python_path), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def error_summary(stdout_tail: deque[str], stderr_tail: deque[str], returncode: int) -> str:
    """The line that says why: the job's own "job failed" record, else the last error on stderr."""
    for line in reversed(stdout_tail):
        if '"job failed"' in line:
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                break
            lines = [x for x in str(record.get("exception", "")).splitlines() if x.strip()]
            if lines:
                return lines[-1].strip()
    for line in reversed(stderr_tail):
        if _ERROR_LINE_RE.match(line.strip()):
            return line.strip()
    return f"the job script exited with code {returncode}"


def _pump(stream: IO[str], sink: Callable[[str], None], tail: deque[str]) -> None:
    for line in stream:
        sink(line)
        tail.append(line.rstrip("\n"))


def _end(process: subprocess.Popen[str], sig: int) -> None:
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        return


class JobRunner:
    """Executes runs of one region; S3 and Logs are this emulator's own, reached through its API."""

    def __init__(self, settings: Settings, s3: Any, logs: Any) -> None:
        self.settings = settings
        self.s3 = s3
        self.logs = logs

    def __call__(self, run: JobRun, job: Mapping[str, Any]) -> None:
        run_dir = self.settings.runs_dir / run.id
        with LogShipper(self.logs, run.id) as shipper:
            try:
                artifacts = fetch(
                    self.s3, job["Command"]["ScriptLocation"], run.arguments.get("--extra-py-files"), run_dir
                )
            except ArtifactError as e:
                shipper.error(str(e))
                run.transition("FAILED", str(e))
                return
            if run.stop_requested.is_set():
                run.transition("STOPPED")
                return
            argv = glue_argv(
                str(artifacts.script), job_name=run.job_name, run_id=run.id,
                default_arguments=run.arguments, run_arguments={"--ENV": "local"},
            )  # fmt: skip
            self._follow(run, argv, job_environment(self.settings, artifacts.python_path), run_dir, shipper)

    def _follow(self, run: JobRun, argv: list[str], env: dict[str, str], cwd: Path, shipper: LogShipper) -> None:
        process = subprocess.Popen(  # noqa: S603 - the deployed script, run by the current interpreter
            [sys.executable, *argv], cwd=cwd, env=env, text=True, bufsize=1,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
        )  # fmt: skip
        run.transition("RUNNING")
        stdout_tail: deque[str] = deque(maxlen=200)
        stderr_tail: deque[str] = deque(maxlen=200)
        assert process.stdout is not None
        assert process.stderr is not None
        pumps = [
            threading.Thread(target=_pump, args=(process.stdout, shipper.output, stdout_tail), daemon=True),
            threading.Thread(target=_pump, args=(process.stderr, shipper.error, stderr_tail), daemon=True),
        ]
        for pump in pumps:
            pump.start()
        deadline = time.monotonic() + run.timeout_minutes * self.settings.seconds_per_timeout_minute
        outcome: str | None = None
        stop_sent_at: float | None = None
        while process.poll() is None:
            if run.stop_requested.is_set() and stop_sent_at is None:
                _end(process, signal.SIGTERM)
                stop_sent_at, outcome = time.monotonic(), "STOPPED"
            elif stop_sent_at is not None and time.monotonic() - stop_sent_at > _STOP_GRACE_SECONDS:
                _end(process, signal.SIGKILL)
            elif outcome is None and time.monotonic() > deadline:
                _end(process, signal.SIGKILL)
                outcome = "TIMEOUT"
            time.sleep(_POLL_SECONDS)
        for pump in pumps:
            pump.join()
        if outcome == "TIMEOUT":
            run.transition("TIMEOUT", f"Job run timed out after {run.timeout_minutes} minute(s)")
        elif outcome == "STOPPED":
            run.transition("STOPPED")
        elif process.returncode == 0:
            run.transition("SUCCEEDED")
        else:
            run.transition("FAILED", error_summary(stdout_tail, stderr_tail, process.returncode))

    def stop_all(self, runs: list[JobRun]) -> None:
        """On shutdown: ask every active run to stop (their process groups get SIGTERM)."""
        for run in runs:
            run.stop_requested.set()
