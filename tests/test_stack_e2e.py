"""End to end on the embedded stack: up → the Terraform deploy (environments/local, as AWS gets it)
→ seed → pipeline (Step Functions → Glue runs of the deployed scripts → Iceberg on S3 via the REST
catalog) → table contents → down → up with the same tables."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pyiceberg.catalog.rest import RestCatalog

from emulator.clients import aws_client
from emulator.settings import Settings, load_settings
from emulator.stack import supervisor
from tests.conftest import REPO_ROOT
from tests.deployed_lakehouse import DeployedLakehouse
from tests.emulator.servers import free_port
from tests.expected_results import assert_sample_results
from tools.data.samples import seed_raw
from tools.data.tables import rest_catalog, rows_of
from tools.deploy.lakehouse import local_state_file
from tools.local.pipeline import run_pipeline

pytestmark = pytest.mark.e2e
JUST = str(Path(sys.executable).with_name("just"))


@pytest.fixture(scope="module")
def stack_env(deployed_lakehouse: DeployedLakehouse) -> dict[str, str]:
    return deployed_lakehouse.environ


@pytest.fixture(scope="module")
def stack(deployed_lakehouse: DeployedLakehouse) -> Settings:
    return deployed_lakehouse.settings


def _terraform_resources(settings: Settings, kind: str) -> dict[str, dict[str, Any]]:
    """Every ``kind`` resource of the local state by name: what Terraform applied."""
    state = json.loads(local_state_file(settings.state_dir).read_text())
    return {
        instance["attributes"]["name"]: instance["attributes"]
        for resource in state["resources"] if resource["type"] == kind and resource["mode"] == "managed"
        for instance in resource["instances"]
    }  # fmt: skip


def test_the_lakehouse_runs_what_terraform_applied(deployed_lakehouse: DeployedLakehouse) -> None:
    """Each Glue job and pipeline on the emulator is exactly the one in Terraform's state: its own
    role, all of its default arguments, the ASL the stepfunction_pipeline module rendered."""
    settings, deployment = deployed_lakehouse.settings, deployed_lakehouse.deployment
    jobs = _terraform_resources(settings, "aws_glue_job")
    assert sorted(jobs) == sorted(deployment.jobs)
    glue = aws_client(settings, "glue")
    for name, applied in jobs.items():
        job = glue.get_job(JobName=name)["Job"]
        assert job["Role"] == applied["role_arn"], name
        assert job["Role"].endswith(f":role/local-glue-{name}"), name
        assert job["DefaultArguments"] == applied["default_arguments"], name
        assert job["Command"]["ScriptLocation"] == applied["command"][0]["script_location"], name
    machines = _terraform_resources(settings, "aws_sfn_state_machine")
    assert sorted(machines) == sorted(deployment.pipelines) == ["sales_daily"]
    sfn = aws_client(settings, "stepfunctions")
    for name, applied in machines.items():
        described = sfn.describe_state_machine(stateMachineArn=applied["arn"])
        assert json.loads(described["definition"]) == json.loads(applied["definition"]), name
        assert described["roleArn"] == applied["role_arn"], name


def test_pipeline_on_the_stack_writes_the_expected_tables(stack: Settings, stack_env: dict[str, str]) -> None:
    seed_raw(stack)
    first = run_pipeline(stack, "sales_daily", {"run_date": "2026-11-25"}, say=lambda _: None)
    assert first["status"] == "SUCCEEDED", first
    # the second day through the CLI users run: `just pipeline sales_daily --run_date …`
    env = {**os.environ, **stack_env}
    done = subprocess.run([JUST, "pipeline", "sales_daily", "--run_date", "2026-11-26"], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "pipeline sales_daily: SUCCEEDED" in done.stdout
    catalog = rest_catalog(stack)
    assert_sample_results(lambda table: rows_of(catalog, table))
    # every Glue run ran the script Terraform uploaded, and its output is in CloudWatch Logs
    glue = aws_client(stack, "glue")
    runs = glue.get_job_runs(JobName="sales_daily_sales")["JobRuns"]
    assert {r["JobRunState"] for r in runs} == {"SUCCEEDED"}
    deployed_script = (REPO_ROOT / "jobs/sales/job_daily_sales.py").read_bytes()
    assert all(Path(stack.runs_dir, r["Id"], "job_daily_sales.py").read_bytes() == deployed_script for r in runs)
    logs = aws_client(stack, "logs").get_log_events(
        logGroupName="/aws-glue/jobs/output", logStreamName=runs[0]["Id"], startFromHead=True
    )
    assert any('"message": "job succeeded"' in e["message"] for e in logs["events"])


def test_status_lists_runs_and_pipelines(stack_env: dict[str, str], stack: Settings) -> None:
    done = subprocess.run([JUST, "status"], cwd=REPO_ROOT, env={**os.environ, **stack_env},
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "sales_daily_sales" in done.stdout
    assert "SUCCEEDED" in done.stdout
    assert "sales_daily" in done.stdout.split("Pipelines:")[1]


def test_restart_keeps_s3_and_the_catalog_together(stack: Settings) -> None:
    catalog = rest_catalog(stack)
    before = {table: sorted(map(repr, rows_of(catalog, table))) for table in _tables(catalog)}
    s3 = aws_client(stack, "s3")
    buckets = sorted(b["Name"] for b in s3.list_buckets()["Buckets"])
    supervisor.down(stack, say=lambda _: None)
    assert not (stack.state_dir / supervisor.STACK_ENV).exists()
    supervisor.up(stack, say=lambda _: None)
    catalog = rest_catalog(stack)
    assert before, "the pipeline test wrote no tables"
    assert {table: sorted(map(repr, rows_of(catalog, table))) for table in _tables(catalog)} == before
    assert sorted(b["Name"] for b in aws_client(stack, "s3").list_buckets()["Buckets"]) == buckets
    runs = aws_client(stack, "glue").get_job_runs(JobName="sales_daily_sales")["JobRuns"]
    assert runs, "the pipeline test ran no job"
    assert {r["JobRunState"] for r in runs} == {"SUCCEEDED"}


def test_after_the_pipelines_and_a_restart_terraform_plans_no_changes(
    deployed_lakehouse: DeployedLakehouse,
) -> None:
    """Runs, bookmarks, tables and a down/up change nothing Terraform owns: the emulator reads back
    what the apply wrote, so the next apply has nothing to do (a drift would make every push slow)."""
    done = deployed_lakehouse.plan()
    assert (done.returncode, done.stderr) == (0, ""), done.stdout[-3000:]  # 2 would mean changes
    assert "No changes. Your infrastructure matches the configuration." in done.stdout


def _tables(catalog: RestCatalog) -> list[str]:
    return sorted(".".join(t) for ns in catalog.list_namespaces() for t in catalog.list_tables(ns))


def test_a_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        settings = load_settings({"LAKEHOUSE_STATE_DIR": str(tmp_path), "LAKEHOUSE_AWS_PORT": str(port),
                                  "LAKEHOUSE_CATALOG_PORT": str(free_port())})  # fmt: skip
        expected = f"port 127.0.0.1:{port} .aws. is already in use.*LAKEHOUSE_AWS_PORT"
        with pytest.raises(supervisor.StackError, match=expected):
            supervisor.up(settings, say=lambda _: None)
