from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from core.args import glue_argv
from tests.conftest import REPO_ROOT
from tools.gen_data import generate
from tools.manifest import load_manifests
from tools.run_job import local_command, parse_pairs
from tools.seed import seed


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
        [sys.executable, "-m", "tools.run_job", "sales/nope"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "no job 'sales/nope'" in done.stderr


def test_seed_mirrors_sample_data_into_the_raw_zone(tmp_path: Path) -> None:
    written = seed(str(tmp_path))
    assert (tmp_path / "sales/orders/ingest_date=2026-11-26/orders.csv").is_file()
    assert (tmp_path / "customers/changes/ingest_date=2026-11-25/customers.jsonl").is_file()
    assert len(written) == 4


def test_generated_data_is_deterministic_and_has_anomalies(tmp_path: Path) -> None:
    first = generate(tmp_path / "a", rows=2000, days=2, start=__import__("datetime").date(2026, 11, 25), seed=3)
    second = generate(tmp_path / "b", rows=2000, days=2, start=__import__("datetime").date(2026, 11, 25), seed=3)
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
    lines = first[2].read_text().splitlines()[1:]  # day two's orders
    assert sum(1 for line in lines if line.count(",") != 8) > 0  # wrong field counts
    assert len(lines) != len(set(lines))  # duplicates
    assert len(lines) > 2000


def test_pipeline_graph_is_current() -> None:
    from tools.graph import GRAPH_FILE, render_graph

    assert GRAPH_FILE.read_text() == render_graph(load_manifests()), "jobs/PIPELINES.md is stale: run `just graph`"


def test_graph_shows_stages_in_order() -> None:
    from tools.graph import mermaid

    text = mermaid(load_manifests().pipelines["sales_daily"])
    assert "customers_customer_delta --> sales_daily_sales" in text
    assert "sales_daily_sales --> legacy_refactor_step01" in text
