"""Table maintenance policies (pure): domain default + per-table override, validation errors naming
the field (the job argument), the plan and the retry rule. The manifests' maintenance blocks:
tests/tools/manifest/test_maintenance_block.py."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from core.exceptions import MaintenanceConflictError, MaintenanceError, MaintenancePolicyError
from core.maintenance import Step, backoff_seconds, plan_table, with_retries
from core.maintenance_policy import BUILTIN, TablePolicy, encode, parse_argument, resolve

LOG = logging.getLogger("tests.maintenance")


def test_a_table_gets_builtin_then_domain_default_then_its_own_override() -> None:
    document = {
        "defaults": {"target_file_size_mb": 128, "retain_last": 3},
        "tables": {"ns.big": {"target_file_size_mb": 512, "rewrite_manifests": False}, "ns.small": {}},
    }
    assert resolve(document) == (
        TablePolicy("ns.big", target_file_size_mb=512, min_input_files=5, snapshot_max_age_hours=168,
                    retain_last=3, orphan_min_age_hours=72, rewrite_manifests=False),
        TablePolicy("ns.small", target_file_size_mb=128, min_input_files=5, snapshot_max_age_hours=168,
                    retain_last=3, orphan_min_age_hours=72, rewrite_manifests=True),
    )  # fmt: skip
    assert parse_argument(encode(document)) == resolve(document)


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ({"defaults": {"retain_last": 0}, "tables": {}},
         "maintenance.defaults.retain_last: 0 must be an integer from 1 to 10000"),
        ({"defaults": {}, "tables": {"ns.t": {"orphan_min_age_hours": 1}}},
         "maintenance.tables.ns.t.orphan_min_age_hours: 1 must be an integer from 24 to 87840"),
        ({"defaults": {"rewrite_manifests": "yes"}, "tables": {}},
         "maintenance.defaults.rewrite_manifests: 'yes' must be true or false"),
        ({"defaults": {"target_file_size_mb": True}, "tables": {}},
         "maintenance.defaults.target_file_size_mb: True must be an integer from 1 to 8192"),
        ({"defaults": {"retain": 2}, "tables": {}}, "maintenance.defaults.retain: unknown setting; allowed: "),
        ({"defaults": {}, "tables": {"orders": {}}},
         "maintenance.tables: table 'orders' must be a two-part name namespace.table"),
        ({"policy": {}}, "maintenance: expected a mapping with keys defaults and tables"),
    ],
)  # fmt: skip
def test_bad_values_are_refused_naming_the_field(document: object, problem: str) -> None:
    with pytest.raises(MaintenancePolicyError) as caught:
        resolve(document)
    assert any(p.startswith(problem) for p in caught.value.problems), caught.value.problems


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(MaintenancePolicyError) as caught:
        resolve({"defaults": {"retain_last": -1}, "tables": {"ns.t": {"min_input_files": 1}}})
    assert [p.split(":")[0] for p in caught.value.problems] == [
        "maintenance.defaults.retain_last",
        "maintenance.tables.ns.t.min_input_files",
    ]


def test_an_argument_that_is_not_json_is_a_clear_error() -> None:
    with pytest.raises(MaintenancePolicyError, match=r"^--maintenance_policy is not JSON: "):
        parse_argument("{defaults: 1}")


def test_the_plan_takes_its_cutoffs_from_the_policy() -> None:
    now = dt.datetime(2026, 11, 26, 3, 30, tzinfo=dt.UTC)
    policy = TablePolicy("ns.t", target_file_size_mb=64, min_input_files=4, snapshot_max_age_hours=48,
                         retain_last=2, orphan_min_age_hours=96, rewrite_manifests=False)  # fmt: skip
    assert plan_table(policy, now) == [
        Step("ns.t", "rewrite_data_files", options={"target-file-size-bytes": str(64 * 2**20), "min-input-files": "4"}),
        Step("ns.t", "expire_snapshots", older_than=dt.datetime(2026, 11, 24, 3, 30, tzinfo=dt.UTC), retain_last=2),
        Step("ns.t", "remove_orphan_files", older_than=dt.datetime(2026, 11, 22, 3, 30, tzinfo=dt.UTC)),
    ]
    with_manifests = plan_table(TablePolicy("ns.t", **{**BUILTIN, "rewrite_manifests": True}), now)  # type: ignore[arg-type]
    assert [s.procedure for s in with_manifests] == [
        "rewrite_data_files", "rewrite_manifests", "expire_snapshots", "remove_orphan_files",
    ]  # fmt: skip


def test_conflicts_are_retried_with_growing_waits_and_then_given_up() -> None:
    waits: list[float] = []
    outcomes: list[Exception | str] = [MaintenanceConflictError("lost"), MaintenanceConflictError("lost"), "done"]

    def step() -> str:
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    assert with_retries(step, what="rewrite", log=LOG, sleep=waits.append) == ("done", 3)
    assert waits == [2.0, 4.0]
    assert [backoff_seconds(n) for n in range(1, 7)] == [2.0, 4.0, 8.0, 16.0, 30.0, 30.0]

    def always_conflicts() -> str:
        raise MaintenanceConflictError("another writer won")

    waits.clear()
    with pytest.raises(MaintenanceConflictError, match="rewrite: still conflicting after 3 attempts"):
        with_retries(always_conflicts, what="rewrite", log=LOG, attempts=3, sleep=waits.append)
    assert waits == [2.0, 4.0]


def test_other_errors_are_not_retried() -> None:
    calls: list[int] = []

    def broken() -> str:
        calls.append(1)
        raise MaintenanceError("rewrite_data_files on ns.t failed: bad option")

    with pytest.raises(MaintenanceError, match="bad option"):
        with_retries(broken, what="rewrite", log=LOG, sleep=lambda _: None)
    assert calls == [1]
