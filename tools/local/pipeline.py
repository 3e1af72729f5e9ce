"""``just pipeline sales_daily --run_date 2026-11-26``: start a Step Functions pipeline on the running
lakehouse and follow every job run it starts; exits non-zero when it fails."""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from core.run_states import EXECUTION_RUNNING, EXECUTION_SUCCEEDED
from emulator.clients import aws_client
from emulator.settings import Settings, load_settings
from tools.lakehouse import FOLLOW_POLL_SECONDS, require_running


def run_pipeline(settings: Settings, name: str, execution_input: Mapping[str, Any], *,
                 say: Callable[[str], None] = print, poll: float = FOLLOW_POLL_SECONDS) -> dict[str, Any]:  # fmt: skip
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
        if described["status"] != EXECUTION_RUNNING:
            say(f"pipeline {name}: {described['status']}")
            return described
        time.sleep(poll)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="just pipeline", description="Run a pipeline on the lakehouse")
    parser.add_argument("name", help="state machine name, e.g. sales_daily")
    parser.add_argument("--run_date", help="YYYY-MM-DD (default: the execution's start date)")
    options = parser.parse_args(argv)
    settings = load_settings()
    require_running(settings)
    described = run_pipeline(settings, options.name, {"run_date": options.run_date} if options.run_date else {})
    if described["status"] != EXECUTION_SUCCEEDED:
        print(f"error: {described.get('error', '')}: {described.get('cause', '')}", file=sys.stderr)
        return 1
    return 0
