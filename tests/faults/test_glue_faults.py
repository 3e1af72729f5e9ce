"""The Glue runner and API under faults and hostile input, through boto3 against a real endpoint:
a burst of concurrent starts, huge and malformed requests, scripts that cannot be fetched, a stop
before launch, and a restart of the endpoint on the same state directory. No run is ever left
STARTING or STOPPING, and the endpoint keeps answering."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from emulator.aws.glue.limits import MAX_ARGUMENTS_BYTES
from emulator.aws.glue.store import StoreError
from emulator.clients import aws_client
from emulator.settings import load_settings
from emulator.stack import supervisor
from tests.emulator.servers import AwsThread, free_port
from tools.local.glue_run import job_output, wait_for_job_run

pytestmark = pytest.mark.faults
BUCKET = "glue-faults"
ROLE = "arn:aws:iam::123456789012:role/glue"
SCRIPTS = {
    "sleep.py": "import sys, time\ntime.sleep(float(sys.argv[sys.argv.index('--seconds') + 1]))\nprint('slept')\n",
    "length.py": "import sys\nprint(len(sys.argv[sys.argv.index('--big') + 1]))\n",
}


def _put_scripts(server: AwsThread) -> None:
    s3 = aws_client(server.settings, "s3")
    location = {"LocationConstraint": server.settings.lakehouse.region}
    with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou):  # moto's S3 is process-wide
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration=location)
    for name, code in SCRIPTS.items():
        s3.put_object(Bucket=BUCKET, Key=f"scripts/{name}", Body=code.encode())


@pytest.fixture(scope="module")
def aws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AwsThread]:
    with AwsThread(tmp_path_factory.mktemp("glue-faults"), seconds_per_timeout_minute=1.0) as server:
        _put_scripts(server)
        yield server


@pytest.fixture
def glue(aws: AwsThread) -> Any:
    return aws_client(aws.settings, "glue")


def _job(glue: Any, script_key: str, **extra: Any) -> str:
    name = f"faults_{uuid.uuid4().hex[:8]}"  # moto's backends are process-wide: every test its own jobs
    glue.create_job(Name=name, Role=ROLE, GlueVersion="5.1",
                    Command={"Name": "glueetl", "ScriptLocation": f"s3://{BUCKET}/{script_key}"}, **extra)  # fmt: skip
    return name


def _wait(glue: Any, job: str, run_id: str) -> dict[str, Any]:
    return wait_for_job_run(glue, job, run_id, say=lambda _: None, poll=0.1)


def _error(call: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as caught:
        call()
    return caught.value.response["Error"]["Code"], caught.value.response["Error"]["Message"]


def _states(glue: Any, job: str) -> list[str]:
    return sorted(r["JobRunState"] for r in glue.get_job_runs(JobName=job)["JobRuns"])


def test_twenty_concurrent_starts_run_three_and_refuse_seventeen(aws: AwsThread, glue: Any) -> None:
    job = _job(glue, "scripts/sleep.py", ExecutionProperty={"MaxConcurrentRuns": 3})

    def start(_: int) -> str:
        client = aws_client(aws.settings, "glue")  # one client per thread
        try:
            return str(client.start_job_run(JobName=job, Arguments={"--seconds": "2"})["JobRunId"])
        except ClientError as e:
            return str(e.response["Error"]["Code"])

    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(start, range(20)))
    started = [a for a in answers if a.startswith("jr_")]
    assert sorted(a for a in answers if not a.startswith("jr_")) == ["ConcurrentRunsExceededException"] * 17
    assert len(started) == 3
    assert sorted(_wait(glue, job, run_id)["JobRunState"] for run_id in started) == ["SUCCEEDED"] * 3
    assert _states(glue, job) == ["SUCCEEDED"] * 3


def test_huge_arguments_are_refused_and_the_endpoint_keeps_working(aws: AwsThread, glue: Any) -> None:
    job = _job(glue, "scripts/length.py")
    huge = "x" * 200_000
    code, message = _error(lambda: glue.start_job_run(JobName=job, Arguments={"--big": huge}))
    assert (code, message) == ("InvalidInputException", f"Arguments total {200_005} bytes; a job run's arguments "
                                                        f"are limited to {MAX_ARGUMENTS_BYTES} bytes")  # fmt: skip
    # Just under the limit is a run, and the script gets the whole argument.
    fits = "y" * (MAX_ARGUMENTS_BYTES - len("--big"))
    run = _wait(glue, job, glue.start_job_run(JobName=job, Arguments={"--big": fits})["JobRunId"])
    assert run["JobRunState"] == "SUCCEEDED", run.get("ErrorMessage")
    assert job_output(aws_client(aws.settings, "logs"), run["Id"]) == [str(len(fits))]
    assert _states(glue, job) == ["SUCCEEDED"]  # the refused start left no run behind


def test_huge_default_arguments_refuse_the_start_not_strand_the_run(glue: Any) -> None:
    job = _job(glue, "scripts/length.py", DefaultArguments={"--big": "z" * 200_000})  # moto's CreateJob accepts it
    code, message = _error(lambda: glue.start_job_run(JobName=job))
    assert code == "InvalidInputException"
    assert message.startswith("the job's DefaultArguments and the run's Arguments total 200005 bytes")
    assert glue.get_job_runs(JobName=job)["JobRuns"] == []


@pytest.mark.parametrize(
    ("request_fields", "expected"),
    [
        ({"Arguments": {"--nul": "a\x00b"}}, "Arguments '--nul' contains a NUL character"),
        ({"Timeout": 10081}, "Timeout is 10081 minute(s); it must be between 1 and 10080 (7 days)"),
        ({"WorkerType": "G.999X"}, "WorkerType 'G.999X' is not one of "),
        ({"WorkerType": "G.1X", "NumberOfWorkers": 0}, "NumberOfWorkers must be at least 1, got 0"),
        ({"ExecutionClass": "CHEAP"}, "ExecutionClass 'CHEAP' is not one of FLEX, STANDARD"),
    ],
)
def test_start_job_run_refuses_what_glue_documents_as_invalid(
    glue: Any, request_fields: dict[str, Any], expected: str
) -> None:
    job = _job(glue, "scripts/sleep.py")
    code, message = _error(lambda: glue.start_job_run(JobName=job, **request_fields))
    assert code == "InvalidInputException"
    assert message.startswith(expected)
    assert glue.get_job_runs(JobName=job)["JobRuns"] == []


def test_job_names_beyond_glue_s_pattern_are_refused(glue: Any) -> None:
    too_long = "j" * 256
    assert _error(lambda: glue.start_job_run(JobName=too_long)) == (
        "InvalidInputException", "JobName is 256 characters long; at most 255 are allowed")  # fmt: skip
    code, message = _error(lambda: glue.start_job_run(JobName="line\nbreak"))
    assert code == "InvalidInputException"
    assert message == "JobName 'line\\nbreak' contains a character outside Glue's single-line string pattern"


def _raw_post(aws: AwsThread, target: str, body: bytes, path: str = "/") -> tuple[int, dict[str, Any]]:
    connection = http.client.HTTPConnection(aws.settings.host, aws.settings.aws_port, timeout=30)
    try:
        headers = {"X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.1"}
        connection.request("POST", path, body=body, headers=headers)
        answer = connection.getresponse()
        return answer.status, json.loads(answer.read())
    finally:
        connection.close()


def test_malformed_and_oversized_bodies_get_json_errors(aws: AwsThread, glue: Any) -> None:
    status, error = _raw_post(aws, "AWSGlue.GetJobRuns", b"{not json")
    assert (status, error["__type"]) == (400, "SerializationException")
    assert _raw_post(aws, "AWSGlue.StartJobRun", b"[1, 2]") == (
        400, {"__type": "SerializationException", "message": "the request body must be a JSON object"})  # fmt: skip
    not_a_map = json.dumps({"JobName": "x", "Arguments": ["a"]}).encode()
    assert _raw_post(aws, "AWSGlue.StartJobRun", not_a_map) == (
        400,
        {"__type": "InvalidInputException", "message": "Arguments must be a map of strings to strings"},
    )
    status, error = _raw_post(aws, "AWSGlue.StartJobRun", b" " * (9 * 1024 * 1024))
    assert (status, error["__type"]) == (400, "InvalidInputException")
    assert error["message"].startswith("Request size limit exceeded")
    job = _job(glue, "scripts/sleep.py")
    assert _wait(glue, job, glue.start_job_run(JobName=job, Arguments={"--seconds": "0"})["JobRunId"])[
        "JobRunState"] == "SUCCEEDED"  # fmt: skip


@pytest.mark.parametrize(
    ("script_key", "expected"),
    [("scripts/..", "s3://glue-faults/scripts/.."), ("scripts/never_uploaded.py", "does not exist in S3")],
)
def test_a_script_that_cannot_be_fetched_fails_the_run_and_frees_its_slot(
    glue: Any, script_key: str, expected: str
) -> None:
    job = _job(glue, script_key, ExecutionProperty={"MaxConcurrentRuns": 1})
    for _ in range(2):  # the second start is accepted only if the first run freed the slot
        run = _wait(glue, job, glue.start_job_run(JobName=job)["JobRunId"])
        assert run["JobRunState"] == "FAILED"
        assert expected in run["ErrorMessage"]
    assert _states(glue, job) == ["FAILED", "FAILED"]


def test_a_run_stopped_before_its_process_starts_is_stopped(glue: Any) -> None:
    job = _job(glue, "scripts/sleep.py")
    run_id = glue.start_job_run(JobName=job, Arguments={"--seconds": "30"})["JobRunId"]
    answer = glue.batch_stop_job_run(JobName=job, JobRunIds=[run_id])  # while its artifacts are fetched
    assert answer["SuccessfulSubmissions"] == [{"JobName": job, "JobRunId": run_id}]
    run = _wait(glue, job, run_id)
    assert run["JobRunState"] == "STOPPED"
    assert run["ExecutionTime"] < 15
    again = glue.batch_stop_job_run(JobName=job, JobRunIds=[run_id])
    assert again["Errors"] == [{"JobName": job, "JobRunId": run_id, "ErrorDetail": {
        "ErrorCode": "InvalidInputException", "ErrorMessage": "Job run is already STOPPED"}}]  # fmt: skip


def _running(glue: Any, job: str, seconds: str) -> str:
    run_id: str = glue.start_job_run(JobName=job, Arguments={"--seconds": seconds})["JobRunId"]
    deadline = time.monotonic() + 30
    while glue.get_job_run(JobName=job, RunId=run_id)["JobRun"]["JobRunState"] != "RUNNING":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    return run_id


def test_a_restart_keeps_finished_runs_and_bookmarks_and_fails_interrupted_runs(tmp_path: Path) -> None:
    first = AwsThread(tmp_path, seconds_per_timeout_minute=1.0).__enter__()
    try:
        _put_scripts(first)
        glue = aws_client(first.settings, "glue")
        job = _job(glue, "scripts/sleep.py", ExecutionProperty={"MaxConcurrentRuns": 2})
        finished = _wait(glue, job, glue.start_job_run(JobName=job, Arguments={"--seconds": "0"})["JobRunId"])
        committer = _running(glue, job, "60")
        commit = {"Region": first.settings.lakehouse.region, "JobName": job, "RunId": committer, "JobBookmark": "s1"}
        status, entry = _raw_post(first, "", json.dumps(commit).encode(), path="/_lakehouse/glue/job-bookmark")
        assert status == 200
        first.server.shutdown()  # the endpoint is gone; its run's process and thread are not told

        with AwsThread(tmp_path, seconds_per_timeout_minute=1.0) as second:
            again = aws_client(second.settings, "glue")
            assert again.get_job_run(JobName=job, RunId=finished["Id"])["JobRun"] == finished
            interrupted = again.get_job_run(JobName=job, RunId=committer)["JobRun"]
            assert (interrupted["JobRunState"], interrupted["ErrorMessage"]) == (
                "FAILED", "the lakehouse stopped during this run")  # fmt: skip
            assert again.get_job_bookmark(JobName=job)["JobBookmarkEntry"] == entry["JobBookmarkEntry"]
            # The interrupted run's slot is free: a new run starts (MaxConcurrentRuns 2, nothing active).
            assert _states(again, job) == ["FAILED", "SUCCEEDED"]
            rerun = _wait(again, job, again.start_job_run(JobName=job, Arguments={"--seconds": "0"})["JobRunId"])
            assert rerun["JobRunState"] == "SUCCEEDED"
            # The restart ended the orphaned process: the first endpoint's thread sees it die, unasked.
            orphan = first.app.runs(first.settings.lakehouse.region).get(job, committer)
            deadline = time.monotonic() + 10
            while orphan.active:
                assert time.monotonic() < deadline, "the interrupted run's process is still running"
                time.sleep(0.1)
            assert not orphan.stop_requested.is_set()
    finally:
        first.app.stop_all_runs()  # end the orphaned process of the first endpoint
        first.thread.join(timeout=20)


def test_glue_state_in_another_format_is_refused(tmp_path: Path) -> None:
    (tmp_path / "glue").mkdir()
    (tmp_path / "glue" / "FORMAT").write_text('{"format": 99}')
    with pytest.raises(StoreError) as caught:
        AwsThread(tmp_path)
    assert str(caught.value) == (
        f"{tmp_path / 'glue'} holds Glue state in format 99; this emulator reads format 1: "
        "start with `just up --fresh` or `just reset`"
    )


def test_a_damaged_run_record_is_named_not_skipped(tmp_path: Path) -> None:
    runs = tmp_path / "glue" / "eu-west-1" / "runs"
    runs.mkdir(parents=True)
    (runs / ".jr_0.json.1a2b.tmp").write_text("{half a wri")  # a write a crash cut short: never renamed, dropped
    (runs / "jr_0.json").write_text("{not json")
    with pytest.raises(StoreError) as caught:
        AwsThread(tmp_path)
    assert str(caught.value).startswith(f"cannot read Glue state {runs / 'jr_0.json'}: ")
    assert sorted(p.name for p in runs.iterdir()) == ["jr_0.json"]


def _quiet(_: str) -> None:
    """Supervisor progress is not what these tests check."""


def _processes_naming(run_id: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if run_id.encode() in (entry / "cmdline").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
    return found


def test_kill_9_of_the_endpoint_fails_its_running_run_and_ends_the_orphan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A cold job process, found by the run id on its command line (a warm driver's names no run, and it
    # ends itself when the endpoint that holds its stdin dies): the orphan that the next start must end.
    monkeypatch.setenv("LAKEHOUSE_GLUE_WARM_DRIVERS", "0")
    settings = load_settings({"LAKEHOUSE_STATE_DIR": str(tmp_path / "state"), "LAKEHOUSE_AWS_PORT": str(free_port()),
                              "LAKEHOUSE_CATALOG_PORT": str(free_port())})  # fmt: skip
    supervisor.up(settings, fresh=True, say=_quiet)
    try:
        s3, glue = aws_client(settings, "s3"), aws_client(settings, "glue")
        s3.put_object(Bucket=settings.lakehouse.artifacts_bucket, Key="sleep.py", Body=SCRIPTS["sleep.py"].encode())
        script = f"s3://{settings.lakehouse.artifacts_bucket}/sleep.py"
        command = {"Name": "glueetl", "ScriptLocation": script}
        glue.create_job(Name="killed", Role=ROLE, GlueVersion="5.1", Command=command,
                        ExecutionProperty={"MaxConcurrentRuns": 2})  # fmt: skip
        finished = _wait(glue, "killed", glue.start_job_run(JobName="killed", Arguments={"--seconds": "0"})["JobRunId"])
        assert finished["JobRunState"] == "SUCCEEDED", finished.get("ErrorMessage")
        running = _running(glue, "killed", "120")
        assert _processes_naming(running) != []

        aws_pid = json.loads((settings.state_dir / supervisor.PID_FILE).read_text())["pids"]["aws"]
        os.killpg(aws_pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while supervisor.status(settings)[supervisor.SERVICES.index("aws")].alive:
            assert time.monotonic() < deadline, "the AWS endpoint survived SIGKILL"
            time.sleep(0.05)
        assert _processes_naming(running) != []  # the job process outlives the endpoint ...
        supervisor.up(settings, say=_quiet)

        glue = aws_client(settings, "glue")
        interrupted = glue.get_job_run(JobName="killed", RunId=running)["JobRun"]
        assert (interrupted["JobRunState"], interrupted["ErrorMessage"]) == (
            "FAILED", "the lakehouse stopped during this run")  # fmt: skip
        assert glue.get_job_run(JobName="killed", RunId=finished["Id"])["JobRun"] == finished
        deadline = time.monotonic() + 10
        while _processes_naming(running):  # ... until the next start ends it
            assert time.monotonic() < deadline, "the orphaned job process is still running"
            time.sleep(0.1)
    finally:
        supervisor.down(settings, say=_quiet)
