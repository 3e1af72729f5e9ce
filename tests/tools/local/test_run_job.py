"""`just run`: the command line is Glue's (its arguments, then the manifest's defaults, overridden key by key)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from core.args import glue_argv
from tests.conftest import REPO_ROOT
from tools.local.run_job import local_command, parse_pairs
from tools.manifest import load_manifests


def test_run_arguments_override_defaults_key_by_key_as_glue_does() -> None:
    argv = glue_argv(
        "job.py",
        job_name="sales_daily_sales",
        run_id="jr_1",
        default_arguments={
            "--run_date": "2026-01-01",
            "--mode": "full",
            "--job-bookmark-option": "job-bookmark-enable",
        },
        run_arguments={"--run_date": "2026-11-26"},
    )
    assert argv == [
        "job.py", "--JOB_ID", "j_sales_daily_sales", "--JOB_RUN_ID", "jr_1",
        "--job-bookmark-option", "job-bookmark-enable", "--JOB_NAME", "sales_daily_sales",
        "--run_date", "2026-11-26", "--mode", "full",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("tokens", "expected"),
    [(["--a", "1", "--b=2"], {"--a": "1", "--b": "2"}), ([], {}), (["--x", "-1"], {"--x": "-1"})],
)
def test_parse_pairs(tokens: list[str], expected: dict[str, str]) -> None:
    assert parse_pairs(tokens) == expected


@pytest.mark.parametrize(("tokens", "error"), [(["a"], "expected --name value"), (["--a"], "--a has no value")])
def test_parse_pairs_errors(tokens: list[str], error: str) -> None:
    with pytest.raises(ValueError, match=error):
        parse_pairs(tokens)


def test_local_command_runs_the_script_with_its_glue_name() -> None:
    spec = load_manifests().job("sales/job_daily_sales")
    command = local_command(spec, {"--run_date": "2026-11-26"}, run_id="jr_x")
    assert command[:2] == [sys.executable, str(REPO_ROOT / "jobs/sales/job_daily_sales.py")]
    assert command[command.index("--JOB_NAME") + 1] == "sales_daily_sales"


def test_unknown_job_is_a_clear_error() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tools", "run", "sales/nope"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "no job 'sales/nope'" in done.stderr
