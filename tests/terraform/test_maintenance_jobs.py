"""terraform/jobs renders each domain's maintenance job from the manifests exactly as tools/manifest/maintenance.py
does (the JSON policy byte for byte, the shared script, the schedule), with no HCL per domain."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from emulator.clients import aws_client
from tests.conftest import REPO_ROOT
from tests.deployed_lakehouse import DeployedLakehouse
from tools.deploy import terraform as tf
from tools.manifest import MAINTENANCE_SCRIPT, SHARED_DIR, load_manifests

pytestmark = pytest.mark.terraform
CENTRAL = (
    '{ s3_bucket_ids = { raw = "r", curated = "c", artifacts = "a" }, warehouse_uri = "s3://c/warehouse", '
    'kms_key_arn = "k", glue_security_configuration_name = "s", iam_policy_arn = "p", sns_topic_arn = "t" }'
)


def test_terraform_renders_the_maintenance_jobs_the_manifest_loader_renders(tmp_path: Path) -> None:
    for folder in ("jobs", "modules"):  # a copy: init must not write lock files into the repository
        shutil.copytree(REPO_ROOT / "terraform" / folder, tmp_path / folder,
                        ignore=shutil.ignore_patterns(".terraform*"))  # fmt: skip
    cwd, data = tmp_path / "jobs", tmp_path / ".data"
    tf.terraform(["init", "-backend=false", "-input=false", "-no-color"], cwd, data)
    variables = {"jobs_root": str(REPO_ROOT / "jobs"), "dist_dir": str(REPO_ROOT / "dist"), "environment": "dev",
                 "log_retention_days": "7"}  # fmt: skip
    args = [a for key, value in variables.items() for a in ("-var", f"{key}={value}")]
    done = subprocess.run(
        ["terraform", "console", "-no-color", *args, "-var", f"central={CENTRAL}"],
        cwd=cwd, env={**tf.terraform_env(data), "AWS_REGION": "eu-west-1"},
        input="jsonencode(local.maintenance_jobs)\n", capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rendered = json.loads(json.loads(done.stdout))
    manifests = load_manifests()
    assert rendered.keys() == {spec.job for spec in manifests.maintenance.values()}
    for maintenance in manifests.maintenance.values():
        job, spec = rendered[maintenance.job], manifests.jobs[maintenance.job]
        assert job["arguments"] == spec.arguments, maintenance.job  # the --maintenance_policy JSON, byte for byte
        assert f"jobs/{job['script_dir']}/{job['script']}" == spec.script_key
        assert job["schedule"] == maintenance.schedule
        assert job["writes_tables"] == list(spec.writes_tables)
        assert job["reads_tables"] == list(spec.reads_tables) == []
        settings = ("description", "worker_type", "number_of_workers", "timeout_minutes", "max_retries",
                    "execution_class", "max_concurrent_runs")  # fmt: skip
        assert {k: job[k] for k in settings} == {k: getattr(spec, k) for k in settings}, maintenance.job


def test_each_domains_maintenance_job_and_its_schedule_are_applied(deployed_lakehouse: DeployedLakehouse) -> None:
    settings = deployed_lakehouse.settings
    glue, manifests = aws_client(settings, "glue"), load_manifests()
    assert manifests.maintenance, "no domain declares maintenance"
    for maintenance in manifests.maintenance.values():
        spec, job = manifests.jobs[maintenance.job], glue.get_job(JobName=maintenance.job)["Job"]
        artifacts = settings.lakehouse.artifacts_bucket
        assert job["Command"]["ScriptLocation"] == f"s3://{artifacts}/{spec.script_key}"
        assert job["DefaultArguments"]["--maintenance_policy"] == spec.arguments["maintenance_policy"]
        trigger = glue.get_trigger(Name=maintenance.trigger_name)["Trigger"]
        assert (trigger["Type"], trigger["Schedule"]) == ("SCHEDULED", maintenance.schedule)
        assert [action["JobName"] for action in trigger["Actions"]] == [maintenance.job]
        assert trigger["State"] != "ACTIVATED"  # schedules_enabled = false: the emulator fires no schedule
    script = aws_client(settings, "s3").get_object(Bucket=artifacts, Key=f"jobs/{SHARED_DIR}/{MAINTENANCE_SCRIPT}")
    assert script["Body"].read() == (REPO_ROOT / "jobs" / SHARED_DIR / MAINTENANCE_SCRIPT).read_bytes()
