"""Run jobs and pipelines on the running lakehouse through the AWS API, as AWS would run them.

``just glue-run sales/job_daily_sales --run_date 2026-11-26``: deploys the working tree the
way AWS gets it (``just push``: a Terraform apply of environments/local), starts a Glue job run
of the job Terraform applied with boto3, follows it to the end and prints its CloudWatch output.
``just pipeline sales_daily --run_date 2026-11-26``: starts the Step Functions pipeline and
follows every job run it starts. Both exit non-zero on failure.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from botocore.exceptions import ClientError

from core.run_states import SUCCEEDED, TERMINAL_STATES
from emulator.clients import aws_client
from emulator.settings import Settings, load_settings
from tools.run_job import JOB_HELP, job_and_arguments
from tools.seed import seed


def wait_for_job_run(
    glue: Any, job_name: str, run_id: str, *, say: Callable[[str], None] = print, poll: float = 1.0
) -> dict[str, Any]:
    """Poll GetJobRun until the run ends, reporting each state change; returns the final JobRun."""
    last = None
    while True:
        run: dict[str, Any] = glue.get_job_run(JobName=job_name, RunId=run_id)["JobRun"]
        if run["JobRunState"] != last:
            last = run["JobRunState"]
            say(f"  {job_name} {run_id[:18]}… {last} ({run.get('ExecutionTime', 0)}s)")
        if last in TERMINAL_STATES:
            return run
        time.sleep(poll)


def job_output(logs: Any, run_id: str, group: str = "/aws-glue/jobs/output") -> list[str]:
    try:
        events = logs.get_log_events(logGroupName=group, logStreamName=run_id, startFromHead=True)["events"]
    except logs.exceptions.ResourceNotFoundException:
        return []
    return [str(e["message"]) for e in events]


def run_glue_job(settings: Settings, job_name: str, arguments: Mapping[str, str], *,
                 say: Callable[[str], None] = print) -> dict[str, Any]:  # fmt: skip
    glue = aws_client(settings, "glue")
    run_id = glue.start_job_run(JobName=job_name, Arguments=dict(arguments))["JobRunId"]
    say(f"started Glue job run {run_id} of {job_name}")
    return wait_for_job_run(glue, job_name, run_id, say=say)


def run_pipeline(settings: Settings, name: str, execution_input: Mapping[str, Any], *,
                 say: Callable[[str], None] = print, poll: float = 1.0) -> dict[str, Any]:  # fmt: skip
    """Start an execution of pipeline ``name`` and wait for it; returns DescribeExecution."""
    sfn = aws_client(settings, "stepfunctions")
    machine = next((m for m in sfn.list_state_machines()["stateMachines"] if m["name"] == name), None)
    if machine is None:
        raise LookupError(f"no pipeline {name!r} on the lakehouse: run `just deploy-local` (or `just push`) first")
    execution = sfn.start_execution(
        stateMachineArn=machine["stateMachineArn"],
        name=f"{execution_input.get('run_date', 'now')}-{uuid.uuid4().hex[:8]}",
        input=json.dumps(dict(execution_input)),
    )
    say(f"started pipeline {name} with {json.dumps(dict(execution_input))}")
    seen: set[str] = set()
    while True:
        described: dict[str, Any] = sfn.describe_execution(executionArn=execution["executionArn"])
        for event in sfn.get_execution_history(executionArn=execution["executionArn"])["events"]:
            details = event.get("stateEnteredEventDetails") or {}
            if event["type"] == "TaskStateEntered" and details.get("name") not in seen:
                seen.add(details["name"])
                say(f"  running {details['name']}")
        if described["status"] != "RUNNING":
            say(f"pipeline {name}: {described['status']}")
            return described
        time.sleep(poll)


def seed_raw(settings: Settings) -> list[str]:
    """Upload the sample data to the raw bucket (``just up`` or the Terraform apply made it)."""
    bucket = settings.lakehouse.raw_bucket
    s3 = aws_client(settings, "s3")
    try:
        s3.head_bucket(Bucket=bucket)
    except ClientError as e:
        raise LookupError(f"no bucket {bucket} on the lakehouse: `just up` creates it, `just deploy-local` too") from e
    return seed(f"s3://{bucket}", s3_client=s3)


def _require_stack(settings: Settings) -> None:
    from emulator.stack.supervisor import is_up

    if not is_up(settings):
        raise SystemExit("error: the lakehouse is not running: start it with `just up`")


def _glue_run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="just glue-run", description="Run one job as a Glue job run on the lakehouse")
    parser.add_argument("job", help=JOB_HELP)
    options, rest = parser.parse_known_args(argv)
    settings = load_settings()
    _require_stack(settings)
    resolved = job_and_arguments(options.job, rest)
    if resolved is None:
        return 2
    spec, arguments = resolved
    from tools.terraform import TerraformError, apply_local

    try:
        deployment = apply_local(settings)
    except TerraformError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    if spec.glue_name not in deployment.jobs:
        print(f"error: Terraform deployed no Glue job {spec.glue_name} (it deployed: {', '.join(deployment.jobs)})",
              file=sys.stderr)  # fmt: skip
        return 1
    run = run_glue_job(settings, spec.glue_name, arguments)
    print("\n".join(job_output(aws_client(settings, "logs"), run["Id"])))
    if run["JobRunState"] != SUCCEEDED:
        print(f"error: {run['JobRunState']}: {run.get('ErrorMessage', '')}", file=sys.stderr)
        return 1
    return 0


def _pipeline(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="just pipeline", description="Run a pipeline on the lakehouse")
    parser.add_argument("name", help="state machine name, e.g. sales_daily")
    parser.add_argument("--run_date", help="YYYY-MM-DD (default: the execution's start date)")
    options = parser.parse_args(argv)
    settings = load_settings()
    _require_stack(settings)
    described = run_pipeline(settings, options.name, {"run_date": options.run_date} if options.run_date else {})
    if described["status"] != "SUCCEEDED":
        print(f"error: {described.get('error', '')}: {described.get('cause', '')}", file=sys.stderr)
        return 1
    return 0


def _seed(argv: list[str]) -> int:
    argparse.ArgumentParser(prog="just seed", description="Upload the sample data to the raw bucket").parse_args(argv)
    settings = load_settings()
    _require_stack(settings)
    try:
        uploaded = seed_raw(settings)
    except LookupError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    for uri in uploaded:
        print(uri)
    return 0


if __name__ == "__main__":
    commands = {"glue-run": _glue_run, "pipeline": _pipeline, "seed": _seed}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        raise SystemExit(f"usage: python -m tools.glue_run {{{','.join(commands)}}} ...")
    raise SystemExit(commands[sys.argv[1]](sys.argv[2:]))
