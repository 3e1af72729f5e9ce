"""Glue API actions this emulator serves itself (JSON 1.1): the job-run ones. Everything else
about Glue (jobs, databases, tables, security configurations) is moto's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.glue.exceptions import EntityNotFoundException, JobNotFoundException
from moto.glue.models import glue_backends

from emulator.aws.glue.models import GlueError, JobRuns
from emulator.settings import ACCOUNT_ID


class GlueJobRunResponses:
    def __init__(self, runs_for_region: Callable[[str], JobRuns]) -> None:
        self._runs = runs_for_region

    @staticmethod
    def _job(region: str, name: Any) -> dict[str, Any]:
        if not isinstance(name, str) or not name:
            raise GlueError("InvalidInputException", "JobName is required")
        try:
            job: dict[str, Any] = glue_backends[ACCOUNT_ID][region].get_job(name).as_dict()
        except (JobNotFoundException, EntityNotFoundException) as e:
            raise GlueError("EntityNotFoundException", f"Job {name} not found") from e
        return job

    def start_job_run(self, region: str, body: dict[str, Any]) -> dict[str, Any]:
        job = self._job(region, body.get("JobName"))
        run = self._runs(region).start(job, body.get("Arguments") or {}, timeout=body.get("Timeout"))
        return {"JobRunId": run.id}

    def get_job_run(self, region: str, body: dict[str, Any]) -> dict[str, Any]:
        self._job(region, body.get("JobName"))
        return {"JobRun": self._runs(region).get(body["JobName"], str(body.get("RunId"))).as_dict()}

    def get_job_runs(self, region: str, body: dict[str, Any]) -> dict[str, Any]:
        self._job(region, body.get("JobName"))
        runs = self._runs(region).of_job(body["JobName"])
        start = int(body.get("NextToken") or 0)
        size = int(body.get("MaxResults") or 100)
        page = runs[start : start + size]
        payload: dict[str, Any] = {"JobRuns": [r.as_dict() for r in page]}
        if start + size < len(runs):
            payload["NextToken"] = str(start + size)
        return payload

    def batch_stop_job_run(self, region: str, body: dict[str, Any]) -> dict[str, Any]:
        self._job(region, body.get("JobName"))
        stopped, errors = self._runs(region).stop(body["JobName"], list(body.get("JobRunIds") or []))
        return {"SuccessfulSubmissions": stopped, "Errors": errors}
