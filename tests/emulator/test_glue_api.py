"""Glue APIs the emulator adds to moto, through boto3 against the real endpoint: UpdateJob (Terraform's
in-place update of every job: tests/terraform), BatchGetJobs, GetJobRuns paging, and job bookmarks (GetJobBookmark,
ResetJobBookmark, the runtime's private commit)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError

from emulator.clients import aws_client
from tests.emulator.conftest import BUCKET
from tests.emulator.conftest import create_glue_job as _job
from tests.emulator.servers import AwsThread
from tools.local.glue_run import job_output, wait_for_job_run

SCRIPTS = {
    "api_v1.py": "print('version one')\n",
    "api_v2.py": "import sys\nprint('version two', sys.argv[sys.argv.index('--who') + 1])\n",
    # What the clean-room awsglue's Job.commit() does: POST the state to the endpoint's private route.
    "api_commits.py": (
        "import json, os, sys, urllib.request\n"
        "arg = lambda name: sys.argv[sys.argv.index(name) + 1]\n"
        "body = {'Region': os.environ['AWS_REGION'], 'JobName': arg('--JOB_NAME'), 'RunId': arg('--JOB_RUN_ID'),\n"
        "        'JobBookmark': arg('--state')}\n"
        "request = urllib.request.Request(os.environ['AWS_ENDPOINT_URL'] + '/_lakehouse/glue/job-bookmark',\n"
        "                                 data=json.dumps(body).encode(), method='POST')\n"
        "print(urllib.request.urlopen(request).read().decode())\n"
    ),
}


@pytest.fixture(scope="module", autouse=True)
def _scripts(aws: AwsThread) -> None:
    s3 = aws_client(aws.settings, "s3")
    for name, code in SCRIPTS.items():
        s3.put_object(Bucket=BUCKET, Key=f"scripts/{name}", Body=code.encode())


def _name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"  # moto's backends are process-wide: every test its own jobs


def _error(call: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call()
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


def _finished(glue: Any, job: str, **arguments: str) -> dict[str, Any]:
    run_id = glue.start_job_run(JobName=job, Arguments={f"--{k}": v for k, v in arguments.items()})["JobRunId"]
    return wait_for_job_run(glue, job, run_id, say=lambda _: None, poll=0.1)


def _running(glue: Any, job: str) -> str:
    run_id: str = glue.start_job_run(JobName=job, Arguments={"--seconds": "60"})["JobRunId"]
    deadline = time.monotonic() + 30
    while glue.get_job_run(JobName=job, RunId=run_id)["JobRun"]["JobRunState"] != "RUNNING":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    return run_id


def _stop(glue: Any, job: str, *run_ids: str) -> None:
    glue.batch_stop_job_run(JobName=job, JobRunIds=list(run_ids))
    for run_id in run_ids:
        assert wait_for_job_run(glue, job, run_id, say=lambda _: None, poll=0.1)["JobRunState"] == "STOPPED"


def _commit(aws: AwsThread, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        f"{aws.settings.aws_endpoint}/_lakehouse/glue/job-bookmark", data=json.dumps(body).encode(), method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


# --- UpdateJob ------------------------------------------------------------------------------------


def test_update_job_replaces_the_definition_and_the_next_run_runs_the_new_script(aws: AwsThread, glue: Any) -> None:
    job = _job(glue, _name("updated"), "api_v1.py", Description="first", Timeout=5, MaxRetries=2,
               DefaultArguments={"--who": "nobody"}, NonOverridableArguments={"--pinned": "1"})  # fmt: skip
    logs = aws_client(aws.settings, "logs")
    before = _finished(glue, job)
    assert job_output(logs, before["Id"]) == ["version one"]
    created = glue.get_job(JobName=job)["Job"]

    command = {"Name": "glueetl", "ScriptLocation": f"s3://{BUCKET}/scripts/api_v2.py", "PythonVersion": "3"}
    update = {"Role": "arn:aws:iam::123456789012:role/other", "Command": command,
              "DefaultArguments": {"--who": "updater"}}  # fmt: skip
    answer = glue.update_job(JobName=job, JobUpdate=update)

    assert {k: v for k, v in answer.items() if k != "ResponseMetadata"} == {"JobName": job}
    updated = glue.get_job(JobName=job)["Job"]
    assert updated["Command"] == command
    assert updated["Role"] == "arn:aws:iam::123456789012:role/other"
    assert updated["DefaultArguments"] == {"--who": "updater"}
    # Unspecified configuration is removed or reset (AWS's JobUpdate): description, timeout, retries, pins.
    assert {"Description", "Timeout", "MaxRetries", "NonOverridableArguments"} & set(updated) == set()
    assert updated["CreatedOn"] == created["CreatedOn"]
    assert updated["LastModifiedOn"] > created["LastModifiedOn"]
    after = _finished(glue, job)
    assert after["JobRunState"] == "SUCCEEDED", after.get("ErrorMessage")
    assert job_output(logs, after["Id"]) == ["version two updater"]


def test_update_job_refuses_what_glue_refuses(glue: Any) -> None:
    job = _job(glue, _name("refused"), "api_v1.py")
    command = {"Name": "glueetl", "ScriptLocation": f"s3://{BUCKET}/scripts/api_v2.py"}
    role = "arn:aws:iam::123456789012:role/glue"
    cases = {
        "nope_" + job: ({"Role": role, "Command": command}, ("EntityNotFoundException", f"Job nope_{job} not found.")),
        job: ({"Command": command}, ("InvalidInputException", "JobUpdate.Role is required")),
    }
    for name, (update, expected) in cases.items():
        assert _error(lambda: glue.update_job(JobName=name, JobUpdate=update)) == expected  # noqa: B023
    too_long = {"Role": role, "Command": command, "Timeout": 10081}
    code, message = _error(lambda: glue.update_job(JobName=job, JobUpdate=too_long))
    assert code == "InvalidInputException"
    assert message == "JobUpdate.Timeout is 10081 minute(s); it must be between 1 and 10080 (7 days)"
    assert glue.get_job(JobName=job)["Job"]["Command"]["ScriptLocation"].endswith("api_v1.py")  # unchanged


# --- BatchGetJobs -------------------------------------------------------------------------------


def test_batch_get_jobs_answers_in_the_order_asked(glue: Any) -> None:
    first, second = _job(glue, _name("batch_a"), "api_v1.py"), _job(glue, _name("batch_b"), "api_v2.py")
    answer = glue.batch_get_jobs(JobNames=[second, "missing_x", first, "missing_y", second, "missing_x"])
    assert [(j["Name"], j["Command"]["ScriptLocation"]) for j in answer["Jobs"]] == [
        (second, f"s3://{BUCKET}/scripts/api_v2.py"),
        (first, f"s3://{BUCKET}/scripts/api_v1.py"),
    ]
    assert answer["JobsNotFound"] == ["missing_x", "missing_y"]
    assert {k: v for k, v in glue.batch_get_jobs(JobNames=[]).items() if k != "ResponseMetadata"} == {
        "Jobs": [], "JobsNotFound": []}  # fmt: skip


# --- GetJobRuns paging --------------------------------------------------------------------------


def test_get_job_runs_pages_newest_first_and_each_run_once(glue: Any) -> None:
    job = _job(glue, _name("paged"), "api_v1.py", ExecutionProperty={"MaxConcurrentRuns": 10})
    started = []
    for _ in range(5):
        started.append(glue.start_job_run(JobName=job)["JobRunId"])
        time.sleep(0.01)  # distinct StartedOn, so "newest first" has one answer
    first = glue.get_job_runs(JobName=job, MaxResults=2)
    late = glue.start_job_run(JobName=job)["JobRunId"]  # starts between two pages: must not shift them
    second = glue.get_job_runs(JobName=job, MaxResults=2, NextToken=first["NextToken"])
    third = glue.get_job_runs(JobName=job, MaxResults=2, NextToken=second["NextToken"])

    pages = [[r["Id"] for r in page["JobRuns"]] for page in (first, second, third)]
    assert pages == [started[::-1][0:2], started[::-1][2:4], started[::-1][4:]]
    assert "NextToken" not in third
    assert [r["Id"] for r in glue.get_job_runs(JobName=job)["JobRuns"]] == [late, *started[::-1]]
    assert _error(lambda: glue.get_job_runs(JobName=job, NextToken="not-a-token"))[0] == "InvalidInputException"
    assert _error(lambda: glue.get_job_runs(JobName=job, MaxResults=201)) == (
        "InvalidInputException", "MaxResults is 201; it must be between 1 and 200")  # fmt: skip
    for run_id in [*started, late]:
        wait_for_job_run(glue, job, run_id, say=lambda _: None, poll=0.1)


# --- job bookmarks ------------------------------------------------------------------------------


def test_bookmarks_commit_get_rewind_and_reset(aws: AwsThread, glue: Any) -> None:
    job = _job(glue, _name("marked"), "sleep.py", ExecutionProperty={"MaxConcurrentRuns": 2})
    region = aws.settings.lakehouse.region
    assert _error(lambda: glue.get_job_bookmark(JobName=job)) == (
        "EntityNotFoundException", f"Continuation for job {job} not found")  # fmt: skip
    first, second = _running(glue, job), _running(glue, job)

    one = {"JobName": job, "Version": 1, "Run": 1, "Attempt": 0, "RunId": first, "JobBookmark": '{"files": 1}'}
    assert _commit(aws, {"Region": region, "JobName": job, "RunId": first, "JobBookmark": '{"files": 1}'}) == (
        200, {"JobBookmarkEntry": one})  # fmt: skip
    two = {"JobName": job, "Version": 2, "Run": 2, "Attempt": 0, "RunId": second, "PreviousRunId": first,
           "JobBookmark": '{"files": 2}'}  # fmt: skip
    assert _commit(aws, {"Region": region, "JobName": job, "RunId": second, "JobBookmark": '{"files": 2}'}) == (
        200, {"JobBookmarkEntry": two})  # fmt: skip
    assert glue.get_job_bookmark(JobName=job)["JobBookmarkEntry"] == two
    assert glue.get_job_bookmark(JobName=job, RunId=first)["JobBookmarkEntry"] == one

    rewound = {**one, "Version": 3}  # the state the first run committed, as a new version
    assert glue.reset_job_bookmark(JobName=job, RunId=first)["JobBookmarkEntry"] == rewound
    assert glue.get_job_bookmark(JobName=job)["JobBookmarkEntry"] == rewound
    three = {"JobName": job, "Version": 4, "Run": 3, "Attempt": 0, "RunId": second, "PreviousRunId": first,
             "JobBookmark": '{"files": 3}'}  # fmt: skip
    assert _commit(aws, {"Region": region, "JobName": job, "RunId": second, "JobBookmark": '{"files": 3}'}) == (
        200, {"JobBookmarkEntry": three})  # fmt: skip

    cleared = {"JobName": job, "Version": 5, "Run": 3, "Attempt": 0, "RunId": second, "JobBookmark": ""}
    assert glue.reset_job_bookmark(JobName=job)["JobBookmarkEntry"] == cleared
    assert _error(lambda: glue.get_job_bookmark(JobName=job)) == (
        "EntityNotFoundException", f"Continuation for job {job} not found")  # fmt: skip
    _stop(glue, job, first, second)


def test_only_an_active_run_of_a_known_job_commits(aws: AwsThread, glue: Any) -> None:
    job = _job(glue, _name("committer"), "api_v1.py")
    region = aws.settings.lakehouse.region
    ended = _finished(glue, job)["Id"]
    cases = [
        ({"Region": region, "JobName": "no_such_job", "RunId": ended, "JobBookmark": "x"},
         (400, "EntityNotFoundException", "Job no_such_job not found")),
        ({"Region": region, "JobName": job, "RunId": "jr_0", "JobBookmark": "x"},
         (400, "EntityNotFoundException", f"Job run jr_0 of job {job} not found")),
        ({"Region": region, "JobName": job, "RunId": ended, "JobBookmark": "x"},
         (400, "InvalidInputException",
          f"Job run {ended} is SUCCEEDED: only a running job run can commit its bookmark")),
        ({"Region": "../../etc", "JobName": job, "RunId": ended, "JobBookmark": "x"},
         (400, "InvalidInputException", "'../../etc' is not an AWS region name")),
    ]  # fmt: skip
    for body, (status, code, message) in cases:
        assert _commit(aws, body) == (status, {"__type": code, "message": message})
    assert _error(lambda: glue.get_job_bookmark(JobName=job))[0] == "EntityNotFoundException"  # nothing committed
    assert _error(lambda: glue.reset_job_bookmark(JobName="no_such_job")) == (
        "EntityNotFoundException", "Job no_such_job not found")  # fmt: skip


def test_a_job_script_commits_its_bookmark_through_the_endpoint(aws: AwsThread, glue: Any) -> None:
    job = _job(glue, _name("script_commits"), "api_commits.py")
    run = _finished(glue, job, state='{"seen": ["a.csv"]}')
    assert run["JobRunState"] == "SUCCEEDED", run.get("ErrorMessage")
    entry = {"JobName": job, "Version": 1, "Run": 1, "Attempt": 0, "RunId": run["Id"],
             "JobBookmark": '{"seen": ["a.csv"]}'}  # fmt: skip
    assert json.loads(job_output(aws_client(aws.settings, "logs"), run["Id"])[0]) == {"JobBookmarkEntry": entry}
    assert glue.get_job_bookmark(JobName=job)["JobBookmarkEntry"] == entry


def test_deleting_a_job_deletes_its_bookmark(aws: AwsThread, glue: Any) -> None:
    job = _job(glue, _name("deleted"), "api_commits.py")
    assert _finished(glue, job, state="old")["JobRunState"] == "SUCCEEDED"
    glue.delete_job(JobName=job)
    _job(glue, job, "api_v1.py")  # the same name again: a new job, with no state of the old one
    assert _error(lambda: glue.get_job_bookmark(JobName=job)) == (
        "EntityNotFoundException", f"Continuation for job {job} not found")  # fmt: skip
