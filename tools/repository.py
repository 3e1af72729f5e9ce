"""Where the repository's parts are, for tools that read or write them (never the state directory:
that is ``core.state_layout``)."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
JOBS_ROOT = REPO_ROOT / "jobs"
TERRAFORM_ROOT = REPO_ROOT / "terraform"
DIST_DIR = REPO_ROOT / "dist"  # `just build`'s wheel; environments/local uploads the core wheel from here


def relative(path: Path) -> str:
    """``path`` as a message shows it: relative to the repository when inside it."""
    return str(path.relative_to(REPO_ROOT)) if path.is_relative_to(REPO_ROOT) else str(path)
