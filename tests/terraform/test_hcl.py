"""HCL-level checks of terraform/ (parsed with python-hcl2; no terraform binary needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import hcl2
import pytest

from core.config import load_config
from tests.conftest import REPO_ROOT
from tools.manifest import load_manifests, manifest_paths

TERRAFORM = REPO_ROOT / "terraform"
MODULES = sorted(p for p in (TERRAFORM / "modules").iterdir() if p.is_dir())
OUTPUT_SUFFIXES = ("_arn", "_arns", "_name", "_names", "_id", "_ids", "_uri", "_map", "_definition", "_argument")


def _unquote(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip('"')
    if isinstance(value, list):
        return [_unquote(v) for v in value]
    if isinstance(value, dict):
        return {_unquote(k): _unquote(v) for k, v in value.items()}
    return value


def _load(path: Path) -> dict[str, Any]:
    with path.open() as f:
        parsed: dict[str, Any] = _unquote(hcl2.load(f))
    return parsed


def _blocks(path: Path, kind: str) -> dict[str, dict[str, Any]]:
    return {name: body for block in _load(path).get(kind, []) for name, body in block.items()}


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.name)
def test_modules_have_the_standard_files(module: Path) -> None:
    for name in ("main.tf", "variables.tf", "outputs.tf", "versions.tf", "README.md"):
        assert (module / name).is_file(), f"{module.name} lacks {name}"
    assert list((module / "examples").glob("*/main.tf")), f"{module.name} has no example"


@pytest.mark.parametrize(
    "path", [*sorted(TERRAFORM.glob("**/variables.tf")), TERRAFORM / "modules/glue_job/spark_conf/main.tf"],
    ids=lambda p: str(p.relative_to(TERRAFORM)),
)  # fmt: skip
def test_every_variable_is_typed_and_described(path: Path) -> None:
    for name, body in _blocks(path, "variable").items():
        assert "type" in body, f"{path}: variable {name} has no type"
        assert str(body.get("description", "")).strip(), f"{path}: variable {name} has no description"


@pytest.mark.parametrize("path", sorted(TERRAFORM.glob("**/outputs.tf")), ids=lambda p: str(p.relative_to(TERRAFORM)))
def test_outputs_are_named_by_type_and_attribute(path: Path) -> None:
    for name, body in _blocks(path, "output").items():
        assert name.endswith(OUTPUT_SUFFIXES), f"{path}: output {name} is not <name>_<type>_<attribute>"
        assert str(body.get("description", "")).strip(), f"{path}: output {name} has no description"


def test_every_manifest_domain_has_its_jobs_file_and_is_wired() -> None:
    domains = sorted(p.parent.name for p in manifest_paths())
    wired = _load(TERRAFORM / "jobs/main.tf")["locals"][0]["wired_domains"]
    assert sorted(wired) == domains
    for domain in domains:
        modules = _blocks(TERRAFORM / f"jobs/{domain}_jobs.tf", "module")
        assert modules[f"{domain}_jobs"]["source"] == "../modules/glue_job"
        assert modules[f"{domain}_pipelines"]["source"] == "../modules/stepfunction_pipeline"


def test_every_manifest_job_has_a_script_and_a_glue_job_instance() -> None:
    """The jobs module instantiates glue_job for each manifest entry; its script must exist."""
    for spec in load_manifests().jobs.values():
        assert spec.script_path.is_file(), spec.script_key
        assert (TERRAFORM / f"jobs/{spec.domain}_jobs.tf").is_file()


def test_aws_environments_run_the_same_code() -> None:
    files = ("main.tf", "variables.tf", "versions.tf", "outputs.tf")
    for name in files:
        texts = {env: (TERRAFORM / "environments" / env / name).read_text() for env in ("dev", "int", "prod")}
        assert len(set(texts.values())) == 1, f"environments differ in {name}: promotion would not be the same code"
    for env in ("dev", "int", "prod"):
        backend = (TERRAFORM / "environments" / env / "backend.hcl").read_text()
        assert f'key          = "domain-project/{env}/terraform.tfstate"' in backend  # state shared with no one


def test_local_environment_uses_core_local_profile_names() -> None:
    local = load_config(environ={})
    buckets = _load(TERRAFORM / "environments/local/main.tf")["locals"][0]["buckets"]
    assert (buckets["raw"], buckets["curated"], buckets["artifacts"]) == (
        local.raw_bucket, local.curated_bucket, local.artifacts_bucket,
    )  # fmt: skip
    assert local.warehouse == f"s3://{buckets['curated']}/warehouse"


def test_only_the_local_environment_leaves_out_bucket_lifecycle_rules() -> None:
    """What AWS gets stays whole: the modules default to lifecycle rules, and only local turns them off."""
    assert _blocks(TERRAFORM / "modules/s3_bucket/variables.tf", "variable")["lifecycle_rules_enabled"]["default"]
    assert _blocks(TERRAFORM / "central/variables.tf", "variable")["bucket_lifecycle_rules"]["default"]
    for env in ("dev", "int", "prod"):
        assert "bucket_lifecycle_rules" not in _blocks(TERRAFORM / f"environments/{env}/main.tf", "module")["central"]
    assert _blocks(TERRAFORM / "environments/local/main.tf", "module")["central"]["bucket_lifecycle_rules"] is False


def test_environments_register_the_catalog_core_uses() -> None:
    catalog_name = _blocks(TERRAFORM / "jobs/variables.tf", "variable")["catalog_name"]["default"]
    for env in ("dev", "int", "prod", "local"):
        assert "catalog_name" not in _blocks(TERRAFORM / f"environments/{env}/main.tf", "module")["jobs"]
        assert catalog_name == load_config(environ={"ENV": env}).catalog_name


def test_versions_admit_terraform_1_11_and_provider_5_100() -> None:
    for path in TERRAFORM.glob("**/versions.tf"):
        terraform = _load(path)["terraform"][0]
        assert terraform["required_version"] == ">= 1.11, < 2.0", path
        assert terraform["required_providers"][0]["aws"]["version"] == ">= 5.100, < 6.0", path
