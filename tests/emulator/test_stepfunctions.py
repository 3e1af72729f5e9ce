"""Step Functions on the emulator: pipelines of glue:startJobRun.sync tasks that wait for real runs,
with Retry and Catch, the failure notification, and ValidateStateMachineDefinition."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from emulator.clients import aws_client
from tests.emulator.conftest import create_glue_job
from tests.emulator.servers import AwsThread

ROLE = "arn:aws:iam::123456789012:role/pipelines"
# Pipelines shaped like the ones modules/stepfunction_pipeline renders (stages of Parallel
# startJobRun.sync tasks, Retry, Catch → failure topic), written out as a user's state machines.
DEFINITIONS = Path(__file__).with_name("pipeline_definitions.json")


@pytest.fixture(scope="module")
def clients(aws: AwsThread) -> dict[str, Any]:
    names = ("glue", "stepfunctions", "sns", "sqs")
    made = {name: aws_client(aws.settings, name) for name in names}
    create_glue_job(made["glue"], "sfn_ok", "ok.py")
    create_glue_job(made["glue"], "sfn_fail", "fail.py")
    create_glue_job(made["glue"], "sfn_busy", "sleep.py", ExecutionProperty={"MaxConcurrentRuns": 1})
    return made


def _execute(sfn: Any, name: str, definition: dict[str, Any], payload: dict[str, Any]) -> tuple[dict[str, Any], list]:
    arn = sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=ROLE)["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn, name=f"{name}-run", input=json.dumps(payload))["executionArn"]
    deadline = time.monotonic() + 120
    while (described := sfn.describe_execution(executionArn=execution))["status"] == "RUNNING":
        assert time.monotonic() < deadline, "execution did not finish"
        time.sleep(0.2)
    return described, sfn.get_execution_history(executionArn=execution)["events"]


def _definition(name: str, topic_arn: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(DEFINITIONS.read_text().replace("${topic}", topic_arn))[name]
    return document


def test_a_pipeline_waits_for_each_stage_and_passes_the_run_date(aws: AwsThread, clients: dict[str, Any]) -> None:
    topic = clients["sns"].create_topic(Name="failures-ok")["TopicArn"]
    definition = _definition("two_stages", topic)
    described, history = _execute(clients["stepfunctions"], "pipeline_ok", definition, {"run_date": "2026-11-26"})
    assert described["status"] == "SUCCEEDED"
    runs = clients["glue"].get_job_runs(JobName="sfn_ok")["JobRuns"]
    dated = [r for r in runs if r["Arguments"].get("--run_date") == "2026-11-26"]
    assert len(dated) == 2
    assert all(r["JobRunState"] == "SUCCEEDED" for r in dated)
    # the second stage started only after the first stage's run had finished
    first, second = sorted(dated, key=lambda r: r["StartedOn"])
    assert second["StartedOn"] >= first["CompletedOn"]
    assert any(e["type"] == "TaskSucceeded" for e in history)


def test_without_a_run_date_the_execution_start_date_is_used(clients: dict[str, Any]) -> None:
    topic = clients["sns"].create_topic(Name="failures-date")["TopicArn"]
    definition = _definition("one_stage", topic)
    described, _ = _execute(clients["stepfunctions"], "pipeline_dated", definition, {})
    assert described["status"] == "SUCCEEDED"
    started = described["startDate"].date().isoformat()
    runs = clients["glue"].get_job_runs(JobName="sfn_ok")["JobRuns"]
    assert any(r["Arguments"].get("--run_date") == started for r in runs)


def test_a_failing_job_is_caught_notified_and_fails_the_pipeline(clients: dict[str, Any]) -> None:
    topic = clients["sns"].create_topic(Name="failures")["TopicArn"]
    queue = clients["sqs"].create_queue(QueueName="failure-inbox")["QueueUrl"]
    attributes = clients["sqs"].get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])
    queue_arn = attributes["Attributes"]["QueueArn"]
    clients["sns"].subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    definition = _definition("failing_first_stage", topic)
    described, history = _execute(clients["stepfunctions"], "pipeline_failing", definition, {"run_date": "2026-11-27"})
    assert described["status"] == "FAILED"
    assert described["error"] == "PipelineFailed"
    entered = [e["stateEnteredEventDetails"]["name"] for e in history if e["type"].endswith("StateEntered")]
    assert "NotifyFailure" in entered
    assert "Stage2" not in entered  # the second stage never ran
    message = clients["sqs"].receive_message(QueueUrl=queue, WaitTimeSeconds=5)["Messages"][0]
    notification = json.loads(message["Body"])
    assert notification["Subject"] == "Pipeline t_failing failed"
    assert "ValueError: boom: the input is bad" in notification["Message"]


def test_transient_glue_errors_are_retried(clients: dict[str, Any]) -> None:
    glue = clients["glue"]
    holder = glue.start_job_run(JobName="sfn_busy", Arguments={"--seconds": "2"})["JobRunId"]  # takes the only slot
    definition = {
        "StartAt": "Busy",
        "States": {
            "Busy": {
                "Type": "Task",
                "Resource": "arn:aws:states:::glue:startJobRun.sync",
                "Parameters": {"JobName": "sfn_busy", "Arguments": {"--seconds": "0"}},
                "Retry": [{"ErrorEquals": ["Glue.ConcurrentRunsExceededException"], "IntervalSeconds": 1,
                           "MaxAttempts": 10, "BackoffRate": 1.0}],
                "End": True,
            }
        },
    }  # fmt: skip
    described, history = _execute(clients["stepfunctions"], "pipeline_retry", definition, {})
    assert described["status"] == "SUCCEEDED"
    failures = [e for e in history if e["type"] == "TaskFailed"]
    assert failures
    assert failures[0]["taskFailedEventDetails"]["error"] == "Glue.ConcurrentRunsExceededException"
    assert glue.get_job_run(JobName="sfn_busy", RunId=holder)["JobRun"]["JobRunState"] == "SUCCEEDED"


def test_validate_state_machine_definition(clients: dict[str, Any]) -> None:
    sfn = clients["stepfunctions"]
    good = _definition("one_stage", "arn:aws:sns:eu-west-1:123456789012:t")
    assert sfn.validate_state_machine_definition(definition=json.dumps(good))["result"] == "OK"
    for bad in ('{"StartAt": "Nowhere", "States": {}}', "{not json", '{"States": {"A": {"Type": "Teleport"}}}'):
        answer = sfn.validate_state_machine_definition(definition=bad)
        assert answer["result"] == "FAIL", bad
        assert answer["diagnostics"][0]["severity"] == "ERROR"
        assert answer["diagnostics"][0]["message"]
