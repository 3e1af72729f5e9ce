"""``just glue-run sales/job_daily_sales --run_date 2026-11-26``: one job as a Glue job run on the lakehouse.

Deploys the working tree the way AWS gets it (``just push``: a Terraform apply of environments/local),
starts a Glue job run of the job Terraform applied with boto3, follows it to the end and prints its
CloudWatch output; exits non-zero when the run fails. ``wait_for_job_run`` and ``job_output`` serve
the tests and benchmarks that start runs themselves.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Mapping
from typing import Any

from core.run_states import SUCCEEDED, TERMINAL_STATES
from emulator.clients import aws_client
from emulator.settings import Settings, load_settings
from tools.lakehouse import FOLLOW_POLL_SECONDS, require_running
from tools.local.run_job import JOB_HELP, job_and_arguments


def wait_for_job_run(
    glue: Any, job_name: str, run_id: str, *, say: Callable[[str], None] = print, poll: float = FOLLOW_POLL_SECONDS
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


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="just glue-run", description="Run one job as a Glue job run on the lakehouse")
    parser.add_argument("job", help=JOB_HELP)
    options, rest = parser.parse_known_args(argv)
    settings = load_settings()
    require_running(settings)
    resolved = job_and_arguments(options.job, rest)
    if resolved is None:
        return 2
    spec, arguments = resolved
    from tools.deploy.lakehouse import apply_local
    from tools.deploy.terraform import TerraformError

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
