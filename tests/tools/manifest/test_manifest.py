from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.tools.manifest.jobs_tree import edit_manifest
from tools.manifest import ManifestError, declared_tables, is_scaffold_stub, load_manifests, validate


def test_the_repository_manifests_are_valid() -> None:
    assert validate() == []
    manifests = load_manifests()
    domain_jobs = {"sales_daily_sales", "customers_customer_delta", "legacy_refactor_step01"}
    maintenance_jobs = {f"{domain}_table_maintenance" for domain in ("sales", "customers", "legacy_refactor")}
    assert set(manifests.jobs) == domain_jobs | maintenance_jobs
    assert manifests.pipelines["sales_daily"].stages == (
        ("customers_customer_delta",),
        ("sales_daily_sales",),
        ("legacy_refactor_step01",),
    )


def test_declared_tables_are_read_from_the_script_source() -> None:
    tables = declared_tables(REPO_ROOT / "jobs/sales/job_daily_sales.py")
    assert tables == {
        "TABLES_READ": ("sales.orders",),
        "TABLES_WRITTEN": ("sales.orders", "sales.daily_sales", "sales.quarantine"),
    }


@pytest.mark.parametrize(
    ("domain", "old", "new", "message"),
    [
        ("sales", "script: job_daily_sales.py", "script: job_gone.py",
         "jobs/sales/jobs.yaml: jobs.daily_sales: script jobs/sales/job_gone.py does not exist"),
        ("sales", "worker_type: G.1X", "worker_type: G.3X",
         "jobs/sales/jobs.yaml: jobs.daily_sales: unknown worker_type 'G.3X'"),
        ("legacy_refactor", "worker_type: G.1X", "worker_type: G.4X",
         "jobs.step01: FLEX runs only on G.1X or G.2X, not G.4X"),
        ("sales", "tables: [sales.orders, sales.daily_sales, sales.quarantine]", "tables: [sales.orders]",
         "jobs.daily_sales: writes.tables ['sales.orders'] does not match TABLES_WRITTEN"),
        ("customers", "jobs:\n", "jobs:\n  customer_delta:\n    script: job_customer_delta.py\n    description: x\n",
         "jobs/customers/jobs.yaml: not valid YAML: duplicate key 'customer_delta'"),
        ("sales", "[legacy_refactor.step01]", "[legacy_refactor.step99]",
         "pipelines.daily: job legacy_refactor_step99 is not defined in any manifest"),
        ("sales", "timeout_minutes: 30", "timeout_minutes: 0",
         "jobs.daily_sales.timeout_minutes: 0 must be an integer from 1 to 2880"),
        ("sales", "schedule: cron(0 6 * * ? *)", "schedule: every morning",
         "pipelines.daily.schedule: 'every morning' must be an EventBridge cron(...) or rate(...)"),
        ("sales", "domain: sales", "domain: shop", "jobs/sales/jobs.yaml: domain 'shop' must equal the folder name"),
    ],
)  # fmt: skip
def test_problems_name_the_file_and_the_entry(jobs_copy: Path, domain: str, old: str, new: str, message: str) -> None:
    edit_manifest(jobs_copy, domain, old, new)
    problems = validate(jobs_copy)
    assert any(message in p for p in problems), problems


def test_a_script_without_a_manifest_entry_is_reported(jobs_copy: Path) -> None:
    (jobs_copy / "sales" / "job_orphan.py").write_text("TABLES_READ = ()\nTABLES_WRITTEN = ()\n")
    assert any("jobs/sales/job_orphan.py: no entry in" in p for p in validate(jobs_copy))


def test_loading_invalid_manifests_raises_with_every_problem(jobs_copy: Path) -> None:
    edit_manifest(jobs_copy, "sales", "worker_type: G.1X", "worker_type: X")
    edit_manifest(jobs_copy, "customers", "max_retries: 1", "max_retries: -1")
    with pytest.raises(ManifestError) as caught:
        load_manifests(jobs_copy)
    assert len(caught.value.problems) >= 2


@pytest.mark.parametrize(
    ("transform", "stub"),
    [
        ('    """Doc."""\n    raise NotImplementedError("write me")\n', True),
        ("    raise NotImplementedError\n", True),
        ('    if df.isEmpty():\n        raise NotImplementedError("empty input")\n    return df\n', False),
        ("    return df\n", False),
        ('    raise ValueError("not a stub: a deliberate refusal")\n', False),
    ],
)
def test_a_stub_transform_is_told_from_a_written_one(tmp_path: Path, transform: str, stub: bool) -> None:
    script = tmp_path / "job_x.py"
    script.write_text(f"TABLES_READ = ()\nTABLES_WRITTEN = ()\n\n\ndef transform(df):\n{transform}")
    assert is_scaffold_stub(script) is stub
