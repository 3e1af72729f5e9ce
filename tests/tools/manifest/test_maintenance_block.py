"""The manifests' maintenance blocks: each domain's maintenance job and its resolved policy, and
`just validate` naming a bad field (the policy rules themselves: tests/test_maintenance_policy.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from core.maintenance_policy import parse_argument
from tests.tools.manifest.jobs_tree import edit_manifest
from tools.manifest import MAINTENANCE_ARGUMENT, load_manifests, validate


def test_each_domain_maintains_the_tables_its_jobs_write() -> None:
    manifests = load_manifests()
    sales = manifests.maintenance["sales"]
    assert sales.job == "sales_table_maintenance"
    assert sales.schedule == "cron(30 3 * * ? *)"
    by_table = {p.table: p for p in sales.policies}
    assert set(by_table) == {"sales.orders", "sales.daily_sales", "sales.quarantine"}
    assert by_table["sales.orders"].target_file_size_mb == 256
    assert by_table["sales.daily_sales"].target_file_size_mb == 128
    assert by_table["sales.quarantine"].snapshot_max_age_hours == 720
    job = manifests.jobs["sales_table_maintenance"]
    assert job.script_key == "jobs/_shared/job_table_maintenance.py"
    assert set(job.writes_tables) == set(by_table)  # its role may commit exactly those
    assert parse_argument(job.arguments[MAINTENANCE_ARGUMENT]) == sales.policies  # what the job will run
    assert manifests.jobs["legacy_refactor_table_maintenance"].execution_class == "FLEX"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("    retain_last: 5\n    orphan", "    retain_last: 0\n    orphan",
         "jobs/sales/jobs.yaml: maintenance.defaults.retain_last: 0 must be an integer from 1 to 10000"),
        ("      target_file_size_mb: 256", "      target_file_size_mb: big",
         "jobs/sales/jobs.yaml: maintenance.tables.sales.orders.target_file_size_mb: 'big' must be an integer"),
        ("    sales.quarantine:\n", "    sales.returns:\n",
         "maintenance.tables.sales.returns: no job of this domain writes it (writes.tables)"),
        ("schedule: cron(30 3 * * ? *)", "schedule: rate(1 day)",
         "maintenance.schedule: 'rate(1 day)' must be a cron(...) expression"),
        ("    orphan_min_age_hours: 72\n", "    orphan_min_age_hours: 12\n",
         "maintenance.defaults.orphan_min_age_hours: 12 must be an integer from 24"),
        ("  timeout_minutes: 120\n", "  timeout_minutes: 120\n  retries: 2\n",
         "jobs/sales/jobs.yaml: maintenance: unknown key(s) ['retries']"),
        ("      snapshot_max_age_hours: 720", "      enabled: maybe",
         "maintenance.tables.sales.quarantine.enabled: 'maybe' must be true or false"),
    ],
)  # fmt: skip
def test_just_validate_names_the_maintenance_field(jobs_copy: Path, old: str, new: str, message: str) -> None:
    edit_manifest(jobs_copy, "sales", old, new)
    problems = validate(jobs_copy)
    assert any(message in p for p in problems), problems


def test_a_table_can_be_left_out_and_each_table_has_one_maintainer(jobs_copy: Path) -> None:
    edit_manifest(jobs_copy, "sales", "      snapshot_max_age_hours: 720", "      enabled: false")
    manifests = load_manifests(jobs_copy)
    assert [p.table for p in manifests.maintenance["sales"].policies] == ["sales.daily_sales", "sales.orders"]
    policy = json.loads(manifests.jobs["sales_table_maintenance"].arguments[MAINTENANCE_ARGUMENT])
    assert set(policy["tables"]) == {"sales.daily_sales", "sales.orders"}
    assert manifests.jobs["sales_table_maintenance"].writes_tables == ("sales.daily_sales", "sales.orders")
    # customers' job also writes sales.orders (say): two maintenance jobs on one table is refused
    edit_manifest(jobs_copy, "customers", "tables: [customers.customer_dim, customers.quarantine]",
          "tables: [customers.customer_dim, customers.quarantine, sales.orders]")  # fmt: skip
    (jobs_copy / "customers" / "job_customer_delta.py").write_text(
        (jobs_copy / "customers" / "job_customer_delta.py")
        .read_text()
        .replace("TABLES_WRITTEN = (", 'TABLES_WRITTEN = ("sales.orders", ', 1)
    )
    problems = validate(jobs_copy)
    assert any("maintenance: sales.orders is also maintained by " in p for p in problems), problems


def test_a_job_named_like_the_maintenance_job_is_refused(jobs_copy: Path) -> None:
    edit_manifest(jobs_copy, "sales", "jobs:\n", "jobs:\n  table_maintenance:\n    script: job_daily_sales.py\n"
          "    description: x\n")  # fmt: skip
    problems = validate(jobs_copy)
    assert any("maintenance: its Glue job sales_table_maintenance is also a job in" in p for p in problems), problems
