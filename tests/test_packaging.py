"""The wheel holds only core, and jobs import nothing outside core, pyspark and the standard library."""

from __future__ import annotations

import ast
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from core import __version__
from tests.conftest import REPO_ROOT

ALLOWED_JOB_IMPORTS = {"core", "pyspark", "__future__"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(["uv", "build", "--wheel", "--out-dir", str(out)], cwd=REPO_ROOT, check=True, capture_output=True)
    (built,) = out.glob("*.whl")
    return built


def test_wheel_name_and_contents(wheel: Path) -> None:
    assert wheel.name == f"domain_project-{__version__}-py3-none-any.whl"
    names = zipfile.ZipFile(wheel).namelist()
    packaged = {n.split("/", 1)[0] for n in names if not n.startswith(f"domain_project-{__version__}.dist-info/")}
    assert packaged == {"core"}
    for needed in ("core/py.typed", "core/jars.lock.json", "core/log4j2.properties", "core/spark_session.py"):
        assert needed in names
    metadata = zipfile.ZipFile(wheel).read(f"domain_project-{__version__}.dist-info/METADATA").decode()
    assert "Requires-Dist: pyspark" not in metadata.split("Provides-Extra")[0]  # Glue provides it


def _top_level_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("script", sorted((REPO_ROOT / "jobs").glob("*/job_*.py")), ids=lambda p: p.stem)
def test_jobs_import_only_core_pyspark_and_stdlib(script: Path) -> None:
    outside = {m for m in _top_level_imports(script) if m not in ALLOWED_JOB_IMPORTS | sys.stdlib_module_names}
    assert outside == set(), f"{script.name} imports {outside}"


def test_only_spark_session_imports_awsglue() -> None:
    importers = {
        path.relative_to(REPO_ROOT).as_posix()
        for folder in ("core", "jobs", "tools")
        for path in (REPO_ROOT / folder).rglob("*.py")
        if "awsglue" in _top_level_imports(path)
    }
    assert importers == {"core/spark_session.py"}


def test_importing_core_starts_nothing() -> None:
    code = (
        "import sys, core.config, core.spark_session, core.readers, core.writers, core.iceberg, core.job;"
        "from pyspark.sql import SparkSession; assert SparkSession.getActiveSession() is None;"
        "assert 'awsglue' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO_ROOT)
