"""``just push``: publish the working tree to the running lakehouse through the AWS API.

Creates the local buckets if missing, uploads every job script and a freshly built core
wheel to the artifacts bucket, and creates or updates the Glue jobs, the failure topic and
the Step Functions pipelines from the manifests. It is the quick path for iterating on a
job; ``just deploy-local`` does the same through Terraform (the way AWS gets it).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from emulator.clients import aws_client
from emulator.settings import ACCOUNT_ID, Settings, load_settings
from tools.manifest import REPO_ROOT, JobSpec, Manifests, load_manifests
from tools.pipelines import render_asl

GLUE_ROLE = "domain-project-local-glue"
PIPELINE_ROLE = "domain-project-local-pipelines"
FAILURE_TOPIC = "domain-project-local-pipeline-failures"
GLUE_VERSION = "5.1"


@dataclass(frozen=True)
class Published:
    wheel_uri: str
    jobs: list[str]
    pipelines: dict[str, str]  # name → state machine ARN


def build_wheel(out: Path = REPO_ROOT / "dist") -> Path:
    """Build the core wheel (only core) and return its path."""
    done = subprocess.run(
        ["uv", "build", "--wheel", "--out-dir", str(out)], cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"uv build failed:\n{done.stderr}")
    from core import __version__

    return out / f"domain_project-{__version__}-py3-none-any.whl"


def ensure_buckets(s3: Any, names: list[str], region: str) -> None:
    existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    for name in names:
        if name not in existing:
            s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})


def _role(iam: Any, name: str, service: str) -> str:
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
    }
    try:
        return str(iam.get_role(RoleName=name)["Role"]["Arn"])
    except ClientError as e:
        if e.response["Error"]["Code"] != "NoSuchEntity":
            raise
    return str(iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"])


def job_definition(spec: JobSpec, *, artifacts_bucket: str, wheel_uri: str, role_arn: str) -> dict[str, Any]:
    """The CreateJob request for one manifest entry (Terraform's glue_job module sets the same)."""
    return {
        "Name": spec.glue_name,
        "Description": spec.description,
        "Role": role_arn,
        "Command": {
            "Name": "glueetl",
            "ScriptLocation": f"s3://{artifacts_bucket}/{spec.script_key}",
            "PythonVersion": "3",
        },
        "DefaultArguments": {
            "--extra-py-files": wheel_uri,
            "--datalake-formats": "iceberg",
            "--job-language": "python",
            "--ENV": "local",
            **{f"--{k}": v for k, v in spec.arguments.items()},
        },
        "ExecutionProperty": {"MaxConcurrentRuns": spec.max_concurrent_runs},
        "MaxRetries": spec.max_retries,
        "Timeout": spec.timeout_minutes,
        "GlueVersion": GLUE_VERSION,
        "WorkerType": spec.worker_type,
        "NumberOfWorkers": spec.number_of_workers,
        "ExecutionClass": spec.execution_class,
    }


def _upsert_job(glue: Any, definition: dict[str, Any]) -> None:
    try:
        glue.get_job(JobName=definition["Name"])
    except ClientError as e:
        if e.response["Error"]["Code"] != "EntityNotFoundException":
            raise
        glue.create_job(**definition)
        return
    update = {k: v for k, v in definition.items() if k != "Name"}
    glue.update_job(JobName=definition["Name"], JobUpdate=update)


def _upsert_pipeline(sfn: Any, name: str, definition: dict[str, Any], role_arn: str) -> str:
    arn = f"arn:aws:states:{sfn.meta.region_name}:{ACCOUNT_ID}:stateMachine:{name}"
    document = json.dumps(definition)
    try:
        sfn.describe_state_machine(stateMachineArn=arn)
    except ClientError as e:
        if e.response["Error"]["Code"] != "StateMachineDoesNotExist":
            raise
        return str(sfn.create_state_machine(name=name, definition=document, roleArn=role_arn)["stateMachineArn"])
    sfn.update_state_machine(stateMachineArn=arn, definition=document, roleArn=role_arn)
    return arn


def publish(settings: Settings, manifests: Manifests | None = None, *, say: Callable[[str], None] = print) -> Published:
    manifests = manifests or load_manifests()
    lakehouse = settings.lakehouse
    s3, iam, glue, sns, sfn = (aws_client(settings, s) for s in ("s3", "iam", "glue", "sns", "stepfunctions"))
    ensure_buckets(s3, [lakehouse.raw_bucket, lakehouse.curated_bucket, lakehouse.artifacts_bucket], lakehouse.region)
    wheel = build_wheel()
    wheel_uri = f"s3://{lakehouse.artifacts_bucket}/libs/{wheel.name}"
    s3.upload_file(str(wheel), lakehouse.artifacts_bucket, f"libs/{wheel.name}")
    say(f"uploaded {wheel.name} and {len(manifests.jobs)} job scripts to s3://{lakehouse.artifacts_bucket}")
    glue_role = _role(iam, GLUE_ROLE, "glue.amazonaws.com")
    for spec in manifests.jobs.values():
        s3.upload_file(str(spec.script_path), lakehouse.artifacts_bucket, spec.script_key)
        _upsert_job(glue, job_definition(spec, artifacts_bucket=lakehouse.artifacts_bucket, wheel_uri=wheel_uri,
                                         role_arn=glue_role))  # fmt: skip
    topic = sns.create_topic(Name=FAILURE_TOPIC)["TopicArn"]
    pipeline_role = _role(iam, PIPELINE_ROLE, "states.amazonaws.com")
    pipelines = {
        name: _upsert_pipeline(sfn, name, render_asl(pipeline, topic), pipeline_role)
        for name, pipeline in manifests.pipelines.items()
    }
    say(f"registered {len(manifests.jobs)} Glue jobs and {len(pipelines)} pipeline(s): {', '.join(pipelines)}")
    return Published(wheel_uri=wheel_uri, jobs=sorted(manifests.jobs), pipelines=pipelines)


def _main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(prog="just push", description=__doc__.split("\n\n")[0]).parse_args(argv)
    settings = load_settings()
    from emulator.stack.supervisor import is_up

    if not is_up(settings):
        print("error: the lakehouse is not running: start it with `just up`", file=sys.stderr)
        return 1
    publish(settings)
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
