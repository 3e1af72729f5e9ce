"""The core wheel (only ``core``) that Terraform uploads and every Glue job gets as ``--extra-py-files``."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

from tools.deploy.terraform import TerraformError
from tools.repository import DIST_DIR, REPO_ROOT

# What hatchling reads to build it (pyproject.toml: the wheel ships only core; the readme and any
# license file go into its metadata).
PROJECT_FILES = ("pyproject.toml", "README.md")
LICENSE_PATTERNS = ("LICENSE*", "LICENCE*", "COPYING*", "NOTICE*", "AUTHORS*")
INPUTS_SUFFIX = ".inputs.sha256"


def _wheel_inputs() -> list[Path]:
    core = [p for p in (REPO_ROOT / "core").rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    licenses = [p for pattern in LICENSE_PATTERNS for p in REPO_ROOT.glob(pattern) if p.is_file()]
    return sorted([*(REPO_ROOT / name for name in PROJECT_FILES), *core, *licenses])


def _sources_digest() -> str:
    digest = hashlib.sha256()
    for path in _wheel_inputs():
        digest.update(f"{path.relative_to(REPO_ROOT)}\0".encode() + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _stamp(sources: str, wheel: Path) -> str:
    """The wheel's inputs and the wheel itself: a rebuild from the same inputs is skipped only while
    the file in dist/ is still the one that build wrote."""
    return f"{sources} {hashlib.sha256(wheel.read_bytes()).hexdigest() if wheel.is_file() else '-'}"


def build_wheel(out: Path = DIST_DIR, *, reuse: bool = True) -> Path:
    """Build the core wheel (only core) that the apply uploads; returns its path. ``reuse``: keep the
    wheel in ``out`` when it was built from the same files (``uv build`` costs ~1 s, 4 s on busy cores)."""
    from core import __version__

    wheel = out / f"domain_project-{__version__}-py3-none-any.whl"
    stamp = out / f"{wheel.name}{INPUTS_SUFFIX}"
    sources = _sources_digest()  # before the build: an edit made while it runs means a rebuild next time
    if reuse and stamp.is_file() and stamp.read_text() == _stamp(sources, wheel):
        return wheel
    done = subprocess.run(
        ["uv", "build", "--wheel", "--out-dir", str(out)], cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise TerraformError(f"uv build failed:\n{done.stderr}")
    stamp.write_text(_stamp(sources, wheel))
    return wheel
