"""Pipelines from the manifests as Amazon States Language, and as Mermaid diagrams (`just graph`).

Each stage is a Parallel state (its jobs run side by side), stages run in order, and every
job is a ``glue:startJobRun.sync`` task that waits for its run. Transient Glue errors are
retried with backoff; any failure is caught, published to the failure topic and ends in a
Fail state. The run date comes from the execution input (``{"run_date": "2026-11-26"}``) or,
for scheduled runs without input, from the execution's start date.

Terraform's stepfunction_pipeline module renders the same document (tests compare them).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from tools.manifest import JOBS_ROOT, Manifests, PipelineSpec, load_manifests

GRAPH_FILE = JOBS_ROOT / "PIPELINES.md"
TRANSIENT_GLUE_ERRORS = [
    "Glue.ConcurrentRunsExceededException",
    "Glue.InternalServiceException",
    "Glue.OperationTimeoutException",
    "Glue.ThrottlingException",
]
RETRY = {"ErrorEquals": TRANSIENT_GLUE_ERRORS, "IntervalSeconds": 30, "MaxAttempts": 3, "BackoffRate": 2.0}


def stage_name(index: int) -> str:
    return f"Stage{index + 1}"


def _task(job: str) -> dict[str, Any]:
    return {
        "Type": "Task",
        "Resource": "arn:aws:states:::glue:startJobRun.sync",
        "Parameters": {"JobName": job, "Arguments": {"--run_date.$": "$.run_date"}},
        "Retry": [RETRY],
        "End": True,
    }


def render_asl(pipeline: PipelineSpec, failure_topic_arn: str) -> dict[str, Any]:
    """The state machine definition of ``pipeline``."""
    states: dict[str, Any] = {
        "ResolveRunDate": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.run_date", "IsPresent": True, "Next": stage_name(0)}],
            "Default": "DefaultRunDate",
        },
        "DefaultRunDate": {
            "Type": "Pass",
            "Parameters": {"run_date.$": "States.ArrayGetItem(States.StringSplit($$.Execution.StartTime, 'T'), 0)"},
            "Next": stage_name(0),
        },
    }
    for index, stage in enumerate(pipeline.stages):
        last = index == len(pipeline.stages) - 1
        states[stage_name(index)] = {
            "Type": "Parallel",
            "Comment": f"jobs: {', '.join(stage)}",
            "Branches": [{"StartAt": job, "States": {job: _task(job)}} for job in stage],
            "ResultPath": None,
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "NotifyFailure"}],
            "Next": "Succeeded" if last else stage_name(index + 1),
        }
    states["NotifyFailure"] = {
        "Type": "Task",
        "Resource": "arn:aws:states:::sns:publish",
        "Parameters": {
            "TopicArn": failure_topic_arn,
            "Subject": f"Pipeline {pipeline.state_machine_name} failed",
            "Message.$": "States.JsonToString($.error)",
        },
        "ResultPath": None,
        "Next": "Failed",
    }
    states["Failed"] = {
        "Type": "Fail",
        "Error": "PipelineFailed",
        "Cause": "a job failed: see the failure notification",
    }
    states["Succeeded"] = {"Type": "Succeed"}
    return {
        "Comment": pipeline.description or f"Pipeline {pipeline.state_machine_name}",
        "StartAt": "ResolveRunDate",
        "States": states,
    }


def mermaid(pipeline: PipelineSpec) -> str:
    lines = ["flowchart LR", "  start((start))"]
    previous = ["start"]
    for index, stage in enumerate(pipeline.stages):
        for job in stage:
            lines.append(f"  {job}[{job}]")
            lines.extend(f"  {p} --> {job}" for p in previous)
        previous = list(stage)
        if index == len(pipeline.stages) - 1:
            lines.append("  done((done))")
            lines.extend(f"  {p} --> done" for p in previous)
    return "\n".join(lines)


def render_graph(manifests: Manifests) -> str:
    parts = [
        "# Pipelines",
        "",
        "Generated from `jobs/*/jobs.yaml` by `just graph`; do not edit (a test checks it is current).",
    ]
    for name in sorted(manifests.pipelines):
        pipeline = manifests.pipelines[name]
        schedule = f" · schedule `{pipeline.schedule}`" if pipeline.schedule else ""
        parts += ["", f"## {name}", "", f"{pipeline.description}{schedule}", "", "```mermaid", mermaid(pipeline), "```"]
    return "\n".join(parts) + "\n"


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.pipelines", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["graph", "asl"])
    parser.add_argument("--check", action="store_true", help="graph: fail if jobs/PIPELINES.md is stale")
    parser.add_argument("--topic-arn", default="arn:aws:sns:eu-west-1:123456789012:pipeline-failures")
    options = parser.parse_args(argv)
    manifests = load_manifests()
    if options.command == "asl":
        json.dump({n: render_asl(p, options.topic_arn) for n, p in manifests.pipelines.items()}, sys.stdout, indent=2)
        return 0
    text = render_graph(manifests)
    if options.check:
        current = GRAPH_FILE.read_text() if GRAPH_FILE.is_file() else ""
        if current != text:
            print(f"{GRAPH_FILE.relative_to(Path.cwd()) if GRAPH_FILE.is_relative_to(Path.cwd()) else GRAPH_FILE} "
                  "is stale: run `just graph`", file=sys.stderr)  # fmt: skip
            return 1
        return 0
    GRAPH_FILE.write_text(text)
    print(f"wrote {GRAPH_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
