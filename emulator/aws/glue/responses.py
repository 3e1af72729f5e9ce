"""Glue API actions this emulator serves itself (JSON 1.1): the job-run ones, BatchGetJobs (moto's
answers JobsNotFound in random order and fails without JobNames), job bookmarks, and the runtime's
private bookmark commit. Everything else about Glue is moto's, including every change to a job
definition (``UpdateJob`` is added to moto itself: moto_jobs.py), so persistence.py journals them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from moto.glue.exceptions import EntityNotFoundException, JobNotFoundException
from moto.glue.models import FakeJob, GlueBackend, glue_backends

from core.run_states import RUNNING, STARTING
from emulator.aws.glue import limits
from emulator.aws.glue.bookmarks import JobBookmarks
from emulator.aws.glue.exceptions import invalid_input, not_found
from emulator.aws.glue.models import JobRuns
from emulator.aws.glue.store import is_region
from emulator.settings import ACCOUNT_ID

Body = dict[str, Any]

COMMITTING_STATES = frozenset({STARTING, RUNNING})


def _backend(region: str) -> GlueBackend:
    if not is_region(region):
        raise invalid_input(f"{region!r} is not an AWS region name")
    return glue_backends[ACCOUNT_ID][region]


def _fake_job(region: str, name: Any) -> FakeJob:
    name = limits.job_name(name)
    try:
        return _backend(region).get_job(name)
    except (JobNotFoundException, EntityNotFoundException) as e:
        raise not_found(f"Job {name} not found") from e


def _wire(job: Mapping[str, Any]) -> dict[str, Any]:
    """A job as the JSON protocol sends it: timestamps as epoch seconds, unset fields left out."""
    return {k: (v.timestamp() if isinstance(v, dt.datetime) else v) for k, v in job.items() if v is not None}


class GlueResponses:
    def __init__(self, runs: Callable[[str], JobRuns], bookmarks: Callable[[str], JobBookmarks]) -> None:
        self._runs = runs
        self._bookmarks = bookmarks

    # --- job runs -------------------------------------------------------------------------------

    def start_job_run(self, region: str, body: Body) -> Body:
        request = limits.start_job_run(body)
        job = _fake_job(region, request.job_name).as_dict()
        return {"JobRunId": self._runs(region).start(job, request).id}

    def get_job_run(self, region: str, body: Body) -> Body:
        job = _fake_job(region, body.get("JobName"))
        return {"JobRun": self._runs(region).get(job.name, str(body.get("RunId"))).as_dict()}

    def get_job_runs(self, region: str, body: Body) -> Body:
        job = _fake_job(region, body.get("JobName"))
        token = body.get("NextToken")
        if token is not None and not isinstance(token, str):
            raise invalid_input("NextToken must be a string returned by GetJobRuns")
        page, next_token = self._runs(region).page(job.name, token, limits.page_size(body.get("MaxResults")))
        payload: Body = {"JobRuns": [r.as_dict() for r in page]}
        if next_token:
            payload["NextToken"] = next_token
        return payload

    def batch_stop_job_run(self, region: str, body: Body) -> Body:
        job = _fake_job(region, body.get("JobName"))
        run_ids = body.get("JobRunIds")
        if not isinstance(run_ids, list) or not run_ids or not all(isinstance(i, str) for i in run_ids):
            raise invalid_input("JobRunIds must be a non-empty list of job run ids")
        stopped, errors = self._runs(region).stop(job.name, run_ids)
        return {"SuccessfulSubmissions": stopped, "Errors": errors}

    # --- jobs -----------------------------------------------------------------------------------

    def batch_get_jobs(self, region: str, body: Body) -> Body:
        names = body.get("JobNames")
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise invalid_input("JobNames must be a list of job names")
        backend = _backend(region)
        unique = list(dict.fromkeys(names))  # each job once, in the order asked
        return {
            "Jobs": [_wire(backend.jobs[n].as_dict()) for n in unique if n in backend.jobs],
            "JobsNotFound": [n for n in unique if n not in backend.jobs],
        }

    def forget_job_bookmark(self, region: str, body: Body) -> None:
        """Before moto deletes a job (DeleteJob stays moto's, so it is journaled): AWS deletes its bookmark too."""
        name = body.get("JobName")
        if isinstance(name, str) and name:
            self._bookmarks(region).forget(name)

    # --- job bookmarks --------------------------------------------------------------------------

    def get_job_bookmark(self, region: str, body: Body) -> Body:
        job = _fake_job(region, body.get("JobName"))
        return {"JobBookmarkEntry": self._bookmarks(region).get(job.name, body.get("RunId") or None)}

    def reset_job_bookmark(self, region: str, body: Body) -> Body:
        job = _fake_job(region, body.get("JobName"))
        return {"JobBookmarkEntry": self._bookmarks(region).reset(job.name, body.get("RunId") or None)}

    def commit_job_bookmark(self, body: Body) -> Body:
        """The runtime's ``Job.commit()``: ``{"Region", "JobName", "RunId", "JobBookmark"}``."""
        region = body.get("Region")
        if not isinstance(region, str):
            raise invalid_input("Region is required")
        job = _fake_job(region, body.get("JobName"))
        run = self._runs(region).get(job.name, str(body.get("RunId")))
        if run.state not in COMMITTING_STATES:
            raise invalid_input(f"Job run {run.id} is {run.state}: only a running job run can commit its bookmark")
        entry = self._bookmarks(region).commit(job.name, run.id, run.attempt, body.get("JobBookmark"))
        return {"JobBookmarkEntry": entry}


# The Glue actions this emulator serves (X-Amz-Target ``AWSGlue.<action>``) -> GlueResponses method.
SERVED_ACTIONS: dict[str, str] = {
    "StartJobRun": "start_job_run",
    "GetJobRun": "get_job_run",
    "GetJobRuns": "get_job_runs",
    "BatchStopJobRun": "batch_stop_job_run",
    "BatchGetJobs": "batch_get_jobs",
    "GetJobBookmark": "get_job_bookmark",
    "ResetJobBookmark": "reset_job_bookmark",
}
BOOKMARK_COMMIT_PATH = "/_lakehouse/glue/job-bookmark"  # the runtime's Job.commit(); not an AWS API


def served_actions(glue: GlueResponses) -> dict[str, Callable[[str, Body], Body]]:
    return {f"AWSGlue.{action}": getattr(glue, method) for action, method in SERVED_ACTIONS.items()}


# Actions moto serves (so persistence.py journals them) that need a word from us first -> GlueResponses method.
BEFORE_MOTO: dict[str, str] = {"DeleteJob": "forget_job_bookmark"}


def before_moto(glue: GlueResponses) -> dict[str, Callable[[str, Body], None]]:
    return {f"AWSGlue.{action}": getattr(glue, method) for action, method in BEFORE_MOTO.items()}
