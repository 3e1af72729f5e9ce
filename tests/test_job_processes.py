"""Each job script run end-to-end as its own process through `just run`, as Glue would call it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pyspark.sql import SparkSession

from tests.conftest import REPO_ROOT
from tests.expected_results import assert_sample_results
from tools.data.samples import seed

pytestmark = pytest.mark.e2e
JUST = str(Path(sys.executable).with_name("just"))
PIPELINE = [  # (job, run_date) in the sales_daily pipeline's order, each day in turn
    ("customers/job_customer_delta", "2026-11-25"),
    ("sales/job_daily_sales", "2026-11-25"),
    ("legacy_refactor/job_step01", "2026-11-25"),
    ("customers/job_customer_delta", "2026-11-26"),
    ("sales/job_daily_sales", "2026-11-26"),
    ("legacy_refactor/job_step01", "2026-11-26"),
]


def _env(warehouse: Path, raw: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOMAIN_PROJECT_") and k != "CONFIG_PATH"}
    return env | {
        "ENV": "local",
        "DOMAIN_PROJECT_CATALOG_TYPE": "hadoop",
        "DOMAIN_PROJECT_WAREHOUSE": warehouse.as_uri(),
        "DOMAIN_PROJECT_RAW_ROOT": raw.as_uri(),
    }


def _just_run(job: str, run_date: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [JUST, "run", job, "--run_date", run_date], cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False
    )


def _rows(spark: SparkSession, table: str) -> list[dict[str, Any]]:
    return [row.asDict() for row in spark.table(table).collect()]


def test_pipeline_of_job_processes_writes_the_expected_tables(
    spark: SparkSession, warehouse: Path, tmp_path: Path
) -> None:
    seed(str(tmp_path / "raw"))
    env = _env(warehouse, tmp_path / "raw")
    for job, run_date in [*PIPELINE, ("sales/job_daily_sales", "2026-11-26")]:  # the last run repeats a day
        done = _just_run(job, run_date, env)
        assert done.returncode == 0, f"{job} {run_date} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        assert '"message": "job succeeded"' in done.stdout
    assert_sample_results(lambda table: _rows(spark, table))


def test_a_failing_job_exits_non_zero_with_a_json_error(warehouse: Path, tmp_path: Path) -> None:
    done = _just_run("sales/job_daily_sales", "2030-01-01", _env(warehouse, tmp_path / "empty"))
    assert done.returncode != 0
    assert '"message": "job failed"' in done.stdout
    assert "ReadError: no input at" in done.stdout
