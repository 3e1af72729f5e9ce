"""The state directory is named once (core.state_layout) and LAKEHOUSE_STATE_DIR moves all of it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from core.config import find_stack_env
from core.state_layout import DEFAULT_DIR_NAME, StateLayout, state_layout
from emulator.settings import load_settings
from emulator.stack.record import write_client_env
from tests.conftest import REPO_ROOT
from tools.deploy.lakehouse import local_state_file


def _tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")) if root.exists() else []


def test_default_is_the_repository_lakehouse_and_the_variable_moves_it(tmp_path: Path) -> None:
    assert state_layout({}) == StateLayout((REPO_ROOT / DEFAULT_DIR_NAME).resolve())
    moved = state_layout({"LAKEHOUSE_STATE_DIR": str(tmp_path)})
    assert moved.root == tmp_path.resolve()
    assert load_settings({"LAKEHOUSE_STATE_DIR": str(tmp_path)}).layout == moved


def test_every_writer_and_reader_agrees_on_the_paths(tmp_path: Path) -> None:
    environ = {"LAKEHOUSE_STATE_DIR": str(tmp_path)}
    settings = load_settings(environ)
    written = write_client_env(settings)
    assert written == tmp_path.resolve() / "stack.env"
    assert find_stack_env(environ) == written  # core.config reads what the supervisor writes
    assert local_state_file(settings.state_dir) == tmp_path.resolve() / "terraform" / "local.tfstate"
    assert settings.catalog_db == tmp_path.resolve() / "catalog.db"


def test_generated_data_lands_in_the_state_dir_and_nowhere_else(tmp_path: Path) -> None:
    default_root = REPO_ROOT / DEFAULT_DIR_NAME
    before = _tree(default_root)
    env = {**os.environ, "LAKEHOUSE_STATE_DIR": str(tmp_path)}
    done = subprocess.run(  # the real command `just gen-data` runs
        [sys.executable, "-m", "tools", "gen-data", "--rows", "40", "--days", "1"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    raw = tmp_path.resolve() / "generated" / "raw"
    printed = sorted(Path(line.split("  (")[0]) for line in done.stdout.splitlines() if "  (" in line)
    assert printed == sorted(p for p in raw.rglob("*") if p.is_file())
    assert printed, done.stdout
    assert _tree(default_root) == before
