"""The moto patches: applied, idempotent, and refusing to run on a moto they were not verified on.

Each patch's behaviour is proven end to end elsewhere (test_stepfunctions.py: a .sync pipeline,
a caught failure in a Parallel stage, the start-date default, DescribeExecution of a .sync
task's output); these tests guard the mechanism."""

from __future__ import annotations

import moto
import pytest
import requests

from emulator.aws import patches
from tests.emulator.servers import AwsThread


def test_every_patch_is_applied_and_reported(aws: AwsThread) -> None:
    health = requests.get(f"{aws.settings.aws_endpoint}/_lakehouse/health", timeout=5).json()
    assert set(health["patches"]) == {
        "sfn-execution", "glue-sync", "start-time-iso8601", "branch-errors", "glue-sync-output", "sync-checks",
        "moto-port",
    }  # fmt: skip


def test_a_sync_task_checks_its_job_run_at_the_shortened_interval(aws: AwsThread) -> None:
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import state_task_service_callback

    assert state_task_service_callback._DELAY_SECONDS_SYNC_CONDITION_CHECK == patches.SYNC_CHECK_SECONDS == 0.1


def test_applying_twice_wraps_once(aws: AwsThread) -> None:
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_glue import (
        StateTaskServiceGlue,
    )

    before = StateTaskServiceGlue._eval_integration_pattern
    patches.apply(aws.settings.aws_port)
    assert StateTaskServiceGlue._eval_integration_pattern is before
    assert getattr(before, "__wrapped_by_domain_project__", False)  # applied once, not twice


def test_another_moto_version_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(moto, "__version__", "5.3.0")
    with pytest.raises(patches.PatchError, match="moto 5.3.0 is installed but .* verified against 5.2.5"):
        patches.apply(4566)


def test_the_pinned_moto_is_the_verified_one() -> None:
    assert moto.__version__ == patches.VERIFIED_MOTO_VERSION
