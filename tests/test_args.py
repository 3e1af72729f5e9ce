"""Glue argument semantics, checked against Glue 5.1's own getResolvedOptions."""

from __future__ import annotations

import datetime as dt

import pytest
from awsglue.utils import getResolvedOptions

from core.args import glue_argv, resolve_job_args
from core.exceptions import JobArgumentError

# What Glue 5.1 passes to a script: its reserved arguments around the job's own.
GLUE_ARGV = [
    "/tmp/job_daily_sales.py",
    "--JOB_ID", "j_0f1e2d3c",
    "--JOB_RUN_ID", "jr_4b5a6978",
    "--job-bookmark-option", "job-bookmark-disable",
    "--TempDir", "s3://domain-project-dev-artifacts/tmp/",
    "--enable-metrics", "true",
    "--datalake-formats", "iceberg",
    "--JOB_NAME", "sales_daily_sales",
    "--run_date", "2026-11-26",
    "--ENV", "dev",
    "--DOMAIN_PROJECT_RAW_BUCKET", "raw-123",
]  # fmt: skip


def test_required_arguments_resolve_exactly_as_glue_does() -> None:
    ours = resolve_job_args(GLUE_ARGV, required=["run_date"])
    glue = getResolvedOptions(GLUE_ARGV, ["JOB_NAME", "run_date"])
    assert {k: ours.values[k] for k in glue} == glue
    assert ours.job_name == "sales_daily_sales"
    assert ours.run_id == "jr_4b5a6978"
    assert ours.date("run_date") == dt.date(2026, 11, 26)


def test_later_value_wins_as_in_glue() -> None:
    argv = [*GLUE_ARGV, "--run_date", "2026-11-27"]
    assert resolve_job_args(argv, ["run_date"])["run_date"] == getResolvedOptions(argv, ["run_date"])["run_date"]


def test_optional_arguments_take_defaults_and_both_syntaxes() -> None:
    args = resolve_job_args(
        [*GLUE_ARGV, "--lookback_days=3"], required=["run_date"], optional={"lookback_days": "1", "mode": "full"}
    )
    assert args.integer("lookback_days") == 3
    assert args["mode"] == "full"


def test_environment_arguments_are_collected_for_the_config() -> None:
    args = resolve_job_args(GLUE_ARGV, ["run_date"])
    assert args.environment == {"ENV": "dev", "DOMAIN_PROJECT_RAW_BUCKET": "raw-123"}


def test_local_run_gets_a_generated_run_id() -> None:
    args = resolve_job_args(["job.py", "--JOB_NAME", "x", "--run_date", "2026-11-26"], ["run_date"])
    assert args.run_id.startswith("local-")


def test_missing_required_argument_is_named() -> None:
    with pytest.raises(JobArgumentError, match="missing required job argument.*--run_date"):
        resolve_job_args(["job.py", "--JOB_NAME", "x"], ["run_date"])


def test_bad_date_is_named() -> None:
    args = resolve_job_args(["job.py", "--JOB_NAME", "x", "--run_date", "26/11/2026"], ["run_date"])
    with pytest.raises(JobArgumentError, match=r"--run_date='26/11/2026' is not a date"):
        args.date("run_date")


@pytest.mark.parametrize("name", ["JOB_RUN_ID", "TempDir", "job-bookmark-option", "conf", "extra-py-files"])
def test_reserved_argument_names_are_refused_as_glue_refuses_them(name: str) -> None:
    with pytest.raises(JobArgumentError, match=f"--{name} is reserved by Glue"):
        resolve_job_args(GLUE_ARGV, [name])


@pytest.mark.parametrize(("required", "optional"), [(["run-date!"], {}), (["a"], {"a": None})])
def test_bad_declarations(required: list[str], optional: dict[str, str | None]) -> None:
    with pytest.raises(JobArgumentError):
        resolve_job_args(GLUE_ARGV, required, optional)


def test_optional_without_default_is_an_error_only_when_read() -> None:
    args = resolve_job_args(GLUE_ARGV, ["run_date"], {"since": None})
    assert args.get("since") is None
    with pytest.raises(JobArgumentError, match="--since was not given"):
        args["since"]


def test_the_argv_glue_builds_is_the_argv_jobs_parse() -> None:
    """One module builds and parses Glue's argv: what the emulator passes is what a job resolves."""
    argv = glue_argv(
        "job.py", job_name="sales_daily_sales", run_id="jr_7",
        default_arguments={"--run_date": "2026-01-01", "--conf": "spark.x=1"},
        run_arguments={"--run_date": "2026-11-26"},
    )  # fmt: skip
    args = resolve_job_args(argv, ["run_date"], {"mode": "full"})
    assert dict(args.values) == {"JOB_NAME": "sales_daily_sales", "run_date": "2026-11-26", "mode": "full",
                                 "JOB_RUN_ID": "jr_7"}  # fmt: skip
    resolved = getResolvedOptions(argv, ["JOB_NAME", "run_date", "conf"])
    assert {k: resolved[k] for k in ("JOB_NAME", "run_date", "conf")} == {
        "JOB_NAME": "sales_daily_sales", "run_date": "2026-11-26", "conf": "spark.x=1",
    }  # fmt: skip
