"""The core wheel is rebuilt only when what it is built from, or the wheel in dist/, changed."""

from __future__ import annotations

import zipfile
from pathlib import Path

from core import __version__
from tools.deploy.wheel import build_wheel


def _entries(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def test_a_wheel_built_from_the_same_files_is_kept_and_a_changed_one_rebuilt(tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path)
    built = wheel.read_bytes()
    first_write = wheel.stat().st_mtime_ns
    assert build_wheel(tmp_path) == wheel
    assert wheel.stat().st_mtime_ns == first_write  # kept: no second build

    wheel.write_bytes(b"not the wheel that build wrote")
    assert build_wheel(tmp_path) == wheel
    assert wheel.read_bytes() == built  # rebuilt, and reproducible: Terraform's source_hash stays put
    packages = {name.split("/")[0] for name in _entries(wheel)}
    assert packages == {"core", f"domain_project-{__version__}.dist-info"}


def test_reuse_false_builds_even_an_unchanged_wheel(tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path)
    first_write = wheel.stat().st_mtime_ns
    assert build_wheel(tmp_path, reuse=False) == wheel
    assert wheel.stat().st_mtime_ns != first_write
