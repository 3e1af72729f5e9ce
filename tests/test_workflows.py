"""The GitHub workflows: promotion chain, least privilege, pinned actions, and the linters."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO_ROOT

WORKFLOWS = REPO_ROOT / ".github" / "workflows"
PINNED_RE = re.compile(r"^\s*-?\s*uses: [\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+\s*$")


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((WORKFLOWS / name).read_text())
    data["on"] = data.pop(True)  # YAML 1.1 reads the key `on` as true
    return data


def _all() -> dict[str, dict[str, Any]]:
    return {path.name: _load(path.name) for path in sorted(WORKFLOWS.glob("*.yml"))}


@pytest.mark.parametrize(("environment", "branch"), [("dev", "dev"), ("int", "int"), ("prod", "main")])
def test_each_branch_deploys_its_environment_after_ci(environment: str, branch: str) -> None:
    workflow = _load(f"deploy-{environment}.yml")
    assert workflow["on"] == {"push": {"branches": [branch]}}
    jobs = workflow["jobs"]
    assert jobs["ci"]["uses"] == "$/.github/workflows/ci.yml"
    assert jobs["deploy"]["needs"] == "ci"  # only a commit that passed CI is deployed
    assert jobs["deploy"]["uses"] == "$/.github/workflows/deploy.yml"
    assert jobs["deploy"]["with"] == {"environment": environment, "ref": "${{ github.sha }}"}
    assert jobs["deploy"]["secrets"] == {"role-arn": f"${{{{ secrets.AWS_ROLE_ARN_{environment.upper()} }}}}"}


def test_promotion_is_dev_then_int_then_main() -> None:
    workflow = _load("promotion.yml")
    assert workflow["on"] == {"pull_request": {"branches": ["int", "main"]}}
    script = workflow["jobs"]["source-branch"]["steps"][0]["run"]
    assert "int:dev | main:int)" in script
    accepted = {"int:dev", "main:int"}
    for base, head in [("int", "dev"), ("main", "int"), ("int", "feature"), ("main", "dev")]:
        done = subprocess.run(
            ["bash", "-c", script], env={"BASE": base, "HEAD": head}, capture_output=True, check=False
        )
        assert (done.returncode == 0) == (f"{base}:{head}" in accepted), (base, head)


def test_apply_waits_for_the_environment_and_applies_the_saved_plan() -> None:
    jobs = _load("deploy.yml")["jobs"]
    assert jobs["plan"]["environment"] == "${{ inputs.environment }}-plan"
    assert jobs["apply"]["environment"] == "${{ inputs.environment }}"
    assert jobs["apply"]["needs"] == "plan"
    assert jobs["apply"]["concurrency"]["cancel-in-progress"] is False
    assert "just tf-apply" in jobs["apply"]["steps"][-1]["run"]
    assert any("-out=" in str(step.get("run", "")) for step in jobs["plan"]["steps"])


def test_least_privilege_permissions() -> None:
    for name, workflow in _all().items():
        assert workflow["permissions"] == {"contents": "read"}, name
        for job_name, job in workflow["jobs"].items():
            permissions = job.get("permissions", {})
            if permissions.get("id-token") == "write":
                is_deploy = name == "deploy.yml" or job.get("uses") == "$/.github/workflows/deploy.yml"
                assert is_deploy, f"{name}:{job_name} must not hold id-token: write"


def test_every_job_has_a_timeout() -> None:
    for name, workflow in _all().items():
        for job_name, job in workflow["jobs"].items():
            assert "uses" in job or "timeout-minutes" in job, f"{name}:{job_name} has no timeout"


def test_every_action_is_pinned_by_sha_with_its_version() -> None:
    for path in WORKFLOWS.glob("*.yml"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if "uses:" in line and "$/" not in line and not line.lstrip().startswith("#"):
                assert PINNED_RE.match(line), f"{path.name}:{number}: {line.strip()}"


def test_checkouts_do_not_persist_credentials() -> None:
    for name, workflow in _all().items():
        for job in workflow["jobs"].values():
            for step in job.get("steps", []):
                if str(step.get("uses", "")).startswith("actions/checkout@"):
                    assert step["with"]["persist-credentials"] is False, name


def test_no_expressions_inside_run_scripts() -> None:
    for name, workflow in _all().items():
        for job in workflow["jobs"].values():
            for step in job.get("steps", []):
                assert "${{" not in str(step.get("run", "")), f"{name}: pass values to run: through env:"


def test_workflow_linters() -> None:
    just = str(Path(sys.executable).with_name("just"))
    done = subprocess.run([just, "lint-workflows"], cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
