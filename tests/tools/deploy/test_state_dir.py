"""Terraform's data directories live in the state directory LAKEHOUSE_STATE_DIR names, nowhere else
(tools/terraform.py once put them under .lakehouse/ whatever the variable said)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.state_layout import DEFAULT_DIR_NAME
from tests.conftest import REPO_ROOT
from tools.deploy.terraform import TERRAFORM_ROOT, validate_targets


def _tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")) if root.exists() else []


@pytest.mark.terraform
def test_just_tf_validate_keeps_its_data_dirs_in_the_given_state_dir(tmp_path: Path) -> None:
    default_terraform = REPO_ROOT / DEFAULT_DIR_NAME / "terraform"
    before = _tree(default_terraform)
    done = subprocess.run(  # what `just tf-validate` runs
        [sys.executable, "-m", "tools", "tf-validate"], cwd=REPO_ROOT,
        env={**os.environ, "LAKEHOUSE_STATE_DIR": str(tmp_path)}, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    targets = ["-".join(t.relative_to(TERRAFORM_ROOT).parts) for t in validate_targets()]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["terraform"]
    assert sorted(p.name for p in (tmp_path / "terraform").iterdir()) == ["validate"]  # fmt writes no data
    assert sorted(p.name for p in (tmp_path / "terraform" / "validate").iterdir()) == sorted(targets)
    assert _tree(default_terraform) == before
