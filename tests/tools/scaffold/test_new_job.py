"""`just new-job` output passes terraform validate untouched; its test and `just validate` fail until it is written."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from chispa import assert_df_equality
from pyspark.sql import SparkSession

from tests.conftest import REPO_ROOT
from tools.deploy import terraform as tf
from tools.manifest import is_scaffold_stub, load_manifests, validate
from tools.scaffold.new_job import DOMAIN_TF, ScaffoldError, scaffold

STUB = "raise NotImplementedError("


def _stub_problem(domain: str, name: str) -> str:
    return (
        f"{domain}/jobs.yaml: jobs.{name}: transform() in job_{name}.py is still the `just new-job` stub "
        "(it raises NotImplementedError): write it and its test before the job is deployed"
    )


def _problems(repo: Path) -> list[str]:
    return [p.removeprefix(f"{repo / 'jobs'}/") for p in validate(repo / "jobs")]


def _write_transform(script: Path, body: str) -> None:
    """What the job's author does: replace the stub's raise with real code."""
    lines = script.read_text().splitlines(keepends=True)
    stub = next(i for i, line in enumerate(lines) if STUB in line)
    lines[stub] = f"    {body}\n"
    script.write_text("".join(lines))


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    skip = shutil.ignore_patterns(".terraform", "*.tfstate*", "__pycache__", "sample_data")
    for folder in ("jobs", "terraform"):
        shutil.copytree(REPO_ROOT / folder, tmp_path / folder, ignore=skip)
    (tmp_path / "tests").mkdir()
    shutil.copy(REPO_ROOT / "pyproject.toml", tmp_path)
    return tmp_path


def test_a_new_job_is_valid_but_named_as_a_stub_until_its_transform_is_written(
    repo_copy: Path, spark: SparkSession
) -> None:
    written = scaffold("sales", "returns", repo_copy)
    assert {p.name for p in written} == {"job_returns.py", "test_job_sales_returns.py", "jobs.yaml"}
    script = repo_copy / "jobs/sales/job_returns.py"
    assert _problems(repo_copy) == [_stub_problem("sales", "returns")]
    manifests = load_manifests(repo_copy / "jobs")
    assert "sales_returns" in manifests.jobs
    assert manifests.pipelines["sales_daily"].stages[0] == ("customers_customer_delta",)  # pipelines untouched
    _write_transform(script, 'return df.where(df.value != "")')
    assert not is_scaffold_stub(script)
    assert validate(repo_copy / "jobs") == []
    spec = importlib.util.spec_from_file_location("scaffolded", script)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    df = spark.createDataFrame([(1, "a"), (2, "")], "id bigint, value string")
    assert_df_equality(module.transform(df), spark.createDataFrame([(1, "a")], "id bigint, value string"))


def _outcomes(report: Path) -> dict[str, str]:
    """Each test case of a JUnit XML report → ``passed`` or its failure message."""
    outcomes = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        failure = case.find("failure")
        outcomes[case.attrib["classname"].rsplit(".", 1)[-1]] = (
            "passed" if failure is None else failure.attrib["message"]
        )
    return outcomes


def _conftest_files() -> list[str]:
    """tests/conftest.py and the tests modules it imports (the fixtures it registers), as file names."""
    conftest = (REPO_ROOT / "tests" / "conftest.py").read_text()
    return [
        "__init__.py",
        "conftest.py",
        *sorted({f"{m}.py" for m in re.findall(r"^from tests\.(\w+) import", conftest, re.M)}),
    ]


def test_the_scaffolded_test_fails_for_the_stub_and_passes_once_transform_is_written(repo_copy: Path) -> None:
    """Runs pytest on scaffolded tests in the copy, as a developer would: one left as scaffolded, one written."""
    scaffold("sales", "returns", repo_copy)
    scaffold("sales", "refunds", repo_copy)
    _write_transform(repo_copy / "jobs/sales/job_refunds.py", "return df")  # the scaffolded test's rows fit identity
    shutil.copytree(REPO_ROOT / "core", repo_copy / "core", ignore=shutil.ignore_patterns("__pycache__"))
    for name in _conftest_files():
        shutil.copy(REPO_ROOT / "tests" / name, repo_copy / "tests" / name)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--junitxml=report.xml",
         "tests/test_job_sales_returns.py", "tests/test_job_sales_refunds.py"],
        cwd=repo_copy, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert run.returncode == 1, run.stdout + run.stderr  # 1: tests ran and some failed
    assert _outcomes(repo_copy / "report.xml") == {
        "test_job_sales_returns": "NotImplementedError: sales_returns: transform() is the `just new-job` stub; "
        "write it and its test",
        "test_job_sales_refunds": "passed",
    }


@pytest.mark.terraform
def test_a_new_domain_validates_with_terraform_too(repo_copy: Path) -> None:
    scaffold("finance", "ledger", repo_copy)
    assert _problems(repo_copy) == [_stub_problem("finance", "ledger")]
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
