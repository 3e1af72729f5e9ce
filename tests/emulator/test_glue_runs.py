"""Glue job runs that really run: lifecycle, errors, timeout, stop, concurrency, retries,
artifacts fetched from S3, argument merging and CloudWatch logs. Small scripts keep it fast."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from emulator.clients import aws_client
from tests.emulator.conftest import BUCKET
from tests.emulator.conftest import create_glue_job as _job
from tests.emulator.conftest import run_glue_job as _run
from tests.emulator.servers import AwsThread
from tools.glue_run import job_output, wait_for_job_run


def test_a_successful_run_reports_its_lifecycle_and_merged_arguments(aws: AwsThread, glue: Any) -> None:
    job = _job(glue, "ok", "ok.py", DefaultArguments={"--mode": "full", "--run_date": "2026-01-01"},
               NonOverridableArguments={"--pinned": "yes"})  # fmt: skip
    run_id = glue.start_job_run(JobName=job, Arguments={"--run_date": "2026-11-26", "--pinned": "no"})["JobRunId"]
    states = []
    while not states or states[-1] not in {"SUCCEEDED", "FAILED"}:
        state = glue.get_job_run(JobName=job, RunId=run_id)["JobRun"]["JobRunState"]
        if not states or states[-1] != state:
            states.append(state)
        time.sleep(0.02)
    assert states[-1] == "SUCCEEDED"
    assert set(states) <= {"STARTING", "RUNNING", "SUCCEEDED"}
    run = glue.get_job_run(JobName=job, RunId=run_id)["JobRun"]
    assert run["Arguments"] == {"--mode": "full", "--run_date": "2026-11-26", "--pinned": "yes"}
    assert run["CompletedOn"] >= run["StartedOn"]
    argv = json.loads(job_output(aws_client(aws.settings, "logs"), run_id)[0])
    assert argv[argv.index("--JOB_NAME") + 1] == "ok"
    assert argv[argv.index("--JOB_RUN_ID") + 1] == run_id
    assert argv[argv.index("--run_date") + 1] == "2026-11-26"
    assert argv[argv.index("--ENV") + 1] == "local"  # the emulator always runs jobs locally
    assert [r["Id"] for r in glue.get_job_runs(JobName=job)["JobRuns"]] == [run_id]


def test_a_failing_script_is_failed_with_its_error(aws: AwsThread, glue: Any) -> None:
    run = _run(glue, _job(glue, "fails", "fail.py"))
    assert run["JobRunState"] == "FAILED"
    assert run["ErrorMessage"] == "ValueError: boom: the input is bad"
    errors = job_output(aws_client(aws.settings, "logs"), run["Id"], group="/aws-glue/jobs/error")
    assert "about to fail" in errors


def test_a_script_that_was_never_uploaded_fails_clearly(glue: Any) -> None:
    run = _run(glue, _job(glue, "missing", "not_uploaded.py"))
    assert run["JobRunState"] == "FAILED"
    assert "script s3://artifacts/scripts/not_uploaded.py does not exist in S3" in run["ErrorMessage"]


def test_extra_py_files_come_from_s3(aws: AwsThread, glue: Any) -> None:
    libs = f"s3://{BUCKET}/libs/marker.py,s3://{BUCKET}/libs/zipped.zip"
    run = _run(glue, _job(glue, "libs", "uses_libs.py", DefaultArguments={"--extra-py-files": libs}))
    assert run["JobRunState"] == "SUCCEEDED", run.get("ErrorMessage")
    assert job_output(aws_client(aws.settings, "logs"), run["Id"]) == ["deployed-marker from-the-zip"]


def test_timeout_ends_the_run(glue: Any) -> None:
    run = _run(glue, _job(glue, "slow", "sleep.py", Timeout=1), seconds="30")  # 1 "minute" = 1 s in this stack
    assert run["JobRunState"] == "TIMEOUT"
    assert run["ErrorMessage"] == "Job run timed out after 1 minute(s)"
    assert run["ExecutionTime"] < 10


def test_batch_stop_stops_the_process(glue: Any) -> None:
    job = _job(glue, "stoppable", "sleep.py")
    run_id = glue.start_job_run(JobName=job, Arguments={"--seconds": "60"})["JobRunId"]
    while glue.get_job_run(JobName=job, RunId=run_id)["JobRun"]["JobRunState"] != "RUNNING":
        time.sleep(0.05)
    answer = glue.batch_stop_job_run(JobName=job, JobRunIds=[run_id, "jr_unknown"])
    assert answer["SuccessfulSubmissions"] == [{"JobName": job, "JobRunId": run_id}]
    assert answer["Errors"][0]["ErrorDetail"]["ErrorCode"] == "EntityNotFoundException"
    run = wait_for_job_run(glue, job, run_id, say=lambda _: None, poll=0.1)
    assert run["JobRunState"] == "STOPPED"
    assert run["ExecutionTime"] < 20


def test_max_concurrent_runs_is_enforced(glue: Any) -> None:
    job = _job(glue, "single", "sleep.py", ExecutionProperty={"MaxConcurrentRuns": 1})
    first = glue.start_job_run(JobName=job, Arguments={"--seconds": "2"})["JobRunId"]
    with pytest.raises(ClientError) as caught:
        glue.start_job_run(JobName=job, Arguments={"--seconds": "2"})
    assert caught.value.response["Error"]["Code"] == "ConcurrentRunsExceededException"
    wait_for_job_run(glue, job, first, say=lambda _: None, poll=0.1)
    assert _run(glue, job, seconds="0")["JobRunState"] == "SUCCEEDED"  # the slot is free again


def test_max_retries_starts_new_attempts(glue: Any) -> None:
    job = _job(glue, "retried", "fail.py", MaxRetries=1)
    first = _run(glue, job)
    deadline = time.monotonic() + 30
    while len(runs := glue.get_job_runs(JobName=job)["JobRuns"]) < 2 or runs[0]["JobRunState"] != "FAILED":
        assert time.monotonic() < deadline, runs
        time.sleep(0.1)
    retry = runs[0]
    assert (retry["Attempt"], retry["PreviousRunId"]) == (1, first["Id"])
    time.sleep(0.5)
    assert len(glue.get_job_runs(JobName=job)["JobRuns"]) == 2  # MaxRetries 1: no third attempt


def test_unknown_job_and_run(glue: Any) -> None:
    for call in (lambda: glue.start_job_run(JobName="nope"), lambda: glue.get_job_run(JobName="ok", RunId="jr_x")):
        with pytest.raises(ClientError) as caught:
            call()
        assert caught.value.response["Error"]["Code"] == "EntityNotFoundException"


def test_runs_work_in_their_own_directory(aws: AwsThread, glue: Any) -> None:
    run = _run(glue, _job(glue, "located", "ok.py"))
    assert (Path(aws.settings.runs_dir) / run["Id"] / "ok.py").is_file()
