"""What `just status` shows beyond process health: Glue jobs with their latest runs, and pipelines."""

from __future__ import annotations

import datetime as dt
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError


def _when(value: Any) -> str:
    return value.astimezone(dt.UTC).strftime("%H:%M:%S") if isinstance(value, dt.datetime) else "-"


def job_runs(glue: Any, limit: int = 3) -> list[str]:
    lines = []
    for name in sorted(glue.list_jobs().get("JobNames", [])):
        runs = glue.get_job_runs(JobName=name, MaxResults=limit).get("JobRuns", [])
        if not runs:
            lines.append(f"  {name:38} (no runs)")
        for run in runs:
            error = f"  {run['ErrorMessage']}" if run.get("ErrorMessage") else ""
            lines.append(
                f"  {name:38} {run['JobRunState']:10} {_when(run.get('StartedOn'))} "
                f"{run.get('ExecutionTime', 0):>4}s  {run['Id'][:18]}{error}"
            )
    return lines


def executions(sfn: Any, limit: int = 3) -> list[str]:
    lines = []
    for machine in sfn.list_state_machines().get("stateMachines", []):
        listed = sfn.list_executions(stateMachineArn=machine["stateMachineArn"], maxResults=limit)["executions"]
        if not listed:
            lines.append(f"  {machine['name']:38} (no executions)")
        for execution in listed:
            name = execution["executionArn"].rsplit(":", 1)[-1]
            lines.append(f"  {machine['name']:38} {execution['status']:10} {_when(execution.get('startDate'))} {name}")
    return lines


def describe(glue: Any, sfn: Any) -> list[str]:
    try:
        return [
            "Glue job runs:",
            *(job_runs(glue) or ["  (no jobs)"]),
            "Pipelines:",
            *(executions(sfn) or ["  (none)"]),
        ]
    except (ClientError, BotoCoreError) as e:
        return [f"could not list jobs and pipelines: {e}"]
