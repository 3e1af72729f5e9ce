"""A copy of jobs/ to break on purpose, for the manifest tests."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import REPO_ROOT


def copy_jobs(folder: Path) -> Path:
    root = folder / "jobs"
    shutil.copytree(REPO_ROOT / "jobs", root, ignore=shutil.ignore_patterns("sample_data", "__pycache__"))
    return root


def edit_manifest(root: Path, domain: str, old: str, new: str) -> None:
    """Replace the first ``old`` in ``<domain>/jobs.yaml`` (which must contain it) with ``new``."""
    path = root / domain / "jobs.yaml"
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))
