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
from tools.local.glue_run import job_output, wait_for_job_run


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


JAVA_TRACE = [
    "26/12/01 10:00:00 ERROR Executor: Exception in task 0.0 in stage 1.0 (TID 1)",
    "org.apache.spark.SparkException: Job aborted due to stage failure: Task 0 failed",
    "\tat org.apache.spark.scheduler.DAGScheduler.failJobAndIndependentStages(DAGScheduler.scala:2856)",
    "Caused by: java.io.IOException: the bucket is unreachable",
    "\tat org.apache.hadoop.fs.s3a.S3AFileSystem.open(S3AFileSystem.java:1234)",
    "Caused by: java.net.ConnectException: Connection refused",
    "\tat java.base/java.lang.Thread.run(Thread.java:840)",
]
PY4J_FAILURE = [
    "Traceback (most recent call last):",
    '  File "/run/job.py", line 3, in <module>',
    "    df.write.save(path)",
    "py4j.protocol.Py4JJavaError: An error occurred while calling o42.save.",
    ": org.apache.spark.SparkException: Job aborted.",
    "\tat org.apache.spark.sql.execution.datasources.FileFormatWriter$.write(FileFormatWriter.scala:251)",
    "Caused by: java.lang.IllegalStateException: the table is locked",
    "\tat java.base/java.lang.Thread.run(Thread.java:840)",
]


@pytest.mark.parametrize(
    ("lines", "cause"),
    [
        (["Traceback (most recent call last):", '  File "x.py", line 1, in <module>', "    f()",
          "ValueError: boom", "more output"], "ValueError: boom"),
        (JAVA_TRACE, "java.net.ConnectException: Connection refused"),
        (PY4J_FAILURE, "java.lang.IllegalStateException: the table is locked"),
        (PY4J_FAILURE[:5], "org.apache.spark.SparkException: Job aborted."),
        (['Exception in thread "main" java.lang.NoClassDefFoundError: org/x/Y', "\tat Main.main(Main.java:1)"],
         "java.lang.NoClassDefFoundError: org/x/Y"),
        (["\tat java.base/java.lang.Thread.run(Thread.java:840)", "just some output"], None),
    ],
)  # fmt: skip
def test_the_root_cause_is_the_python_exception_else_the_java_cause(lines: list[str], cause: str | None) -> None:
    from emulator.aws.glue.root_cause import root_cause

    assert root_cause(lines) == cause


_NL = "\n"
EXTRA_SCRIPTS = {
    "java_trace.py": f"import sys\nprint({_NL.join(JAVA_TRACE)!r}, file=sys.stderr)\nsys.exit(3)\n",
    # core.logging's "job failed" record carries the exception with py4j's Java trace inside.
    "job_failed_record.py": (
        "import json, sys\n"
        f"print(json.dumps({{'message': 'job failed', 'exception': {_NL.join(PY4J_FAILURE)!r}}}))\n"
        "sys.exit(1)\n"
    ),
    "exits_quietly.py": "import sys\nsys.exit(7)\n",
}


@pytest.fixture(scope="module")
def _extra_scripts(aws: AwsThread) -> None:
    s3 = aws_client(aws.settings, "s3")
    for name, code in EXTRA_SCRIPTS.items():
        s3.put_object(Bucket=BUCKET, Key=f"scripts/{name}", Body=code.encode())


@pytest.mark.usefixtures("_extra_scripts")
@pytest.mark.parametrize(
    ("script", "message"),
    [
        ("java_trace.py", "java.net.ConnectException: Connection refused"),
        ("job_failed_record.py", "java.lang.IllegalStateException: the table is locked"),
        ("exits_quietly.py", "the job script exited with code 7"),
    ],
)
def test_a_failed_run_s_error_message_is_its_root_cause(glue: Any, script: str, message: str) -> None:
    run = _run(glue, _job(glue, f"cause_{script[:-3]}", script))
    assert (run["JobRunState"], run["ErrorMessage"]) == ("FAILED", message)


def test_run_settings_come_from_the_request_else_the_job_else_glue_s_defaults(glue: Any) -> None:
    job = _job(glue, "sized", "ok.py", WorkerType="G.1X", NumberOfWorkers=2)
    default = _run(glue, job)
    assert (default["Timeout"], default["WorkerType"], default["NumberOfWorkers"], default["ExecutionClass"]) == (
        480,
        "G.1X",
        2,
        "STANDARD",
    )  # fmt: skip - Glue 5.x's default timeout is 480 minutes
    run_id = glue.start_job_run(JobName=job, Timeout=7, WorkerType="G.2X", NumberOfWorkers=5, ExecutionClass="FLEX")
    run = wait_for_job_run(glue, job, run_id["JobRunId"], say=lambda _: None, poll=0.1)
    assert (run["Timeout"], run["WorkerType"], run["NumberOfWorkers"], run["ExecutionClass"]) == (7, "G.2X", 5, "FLEX")
