"""`just new-job` output passes the manifest validator and terraform validate untouched."""

from __future__ import annotations

import importlib.util
import py_compile
import shutil
from pathlib import Path

import pytest
from chispa import assert_df_equality
from pyspark.sql import SparkSession

from tests.conftest import REPO_ROOT
from tools import terraform as tf
from tools.manifest import load_manifests, validate
from tools.new_job import DOMAIN_TF, ScaffoldError, scaffold


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    skip = shutil.ignore_patterns(".terraform", "*.tfstate*", "__pycache__", "sample_data")
    for folder in ("jobs", "terraform"):
        shutil.copytree(REPO_ROOT / folder, tmp_path / folder, ignore=skip)
    (tmp_path / "tests").mkdir()
    shutil.copy(REPO_ROOT / "pyproject.toml", tmp_path)
    return tmp_path


def test_a_new_job_in_an_existing_domain_validates(repo_copy: Path, spark: SparkSession) -> None:
    written = scaffold("sales", "returns", repo_copy)
    assert {p.name for p in written} == {"job_returns.py", "test_job_sales_returns.py", "jobs.yaml"}
    assert validate(repo_copy / "jobs") == []
    manifests = load_manifests(repo_copy / "jobs")
    assert "sales_returns" in manifests.jobs
    assert manifests.pipelines["sales_daily"].stages[0] == ("customers_customer_delta",)  # pipelines untouched
    py_compile.compile(str(repo_copy / "tests/test_job_sales_returns.py"), doraise=True)
    spec = importlib.util.spec_from_file_location("scaffolded", repo_copy / "jobs/sales/job_returns.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    df = spark.createDataFrame([(1, "a")], "id bigint, value string")
    assert_df_equality(module.transform(df), df)


@pytest.mark.terraform
def test_a_new_domain_validates_with_terraform_too(repo_copy: Path) -> None:
    scaffold("finance", "ledger", repo_copy)
    assert validate(repo_copy / "jobs") == []
    assert (repo_copy / "terraform/jobs/finance_jobs.tf").is_file()
    assert '"finance"' in (repo_copy / "terraform/jobs/main.tf").read_text()
    local = repo_copy / "terraform/environments/local"
    tf.terraform(["init", "-backend=false", "-input=false", "-no-color"], local, repo_copy / ".data")
    tf.terraform(["validate", "-no-color"], local, repo_copy / ".data")
    tf.terraform(["fmt", "-check", "-recursive"], repo_copy / "terraform", repo_copy / ".data")


@pytest.mark.parametrize(
    ("domain", "name", "message"),
    [("Sales", "x", "domain 'Sales' must be lower_snake_case"), ("sales", "daily_sales", "already exists")],
)
def test_bad_or_existing_names_are_refused(repo_copy: Path, domain: str, name: str, message: str) -> None:
    with pytest.raises(ScaffoldError, match=message):
        scaffold(domain, name, repo_copy)


@pytest.mark.parametrize("domain", ["customers", "legacy_refactor", "sales"])
def test_each_domain_terraform_file_is_what_the_scaffold_writes(domain: str) -> None:
    """The per-domain files are generated from one template: a change goes into the template."""
    assert (REPO_ROOT / f"terraform/jobs/{domain}_jobs.tf").read_text() == DOMAIN_TF.format(domain=domain)
