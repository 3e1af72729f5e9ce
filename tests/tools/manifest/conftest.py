from __future__ import annotations

from pathlib import Path

import pytest

from tests.tools.manifest.jobs_tree import copy_jobs


@pytest.fixture
def jobs_copy(tmp_path: Path) -> Path:
    return copy_jobs(tmp_path)
