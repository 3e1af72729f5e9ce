"""The state directory's format: a ``VERSION`` file, checked before any process touches the state.

State is durable (the catalog's SQLite, the AWS endpoint's journal and snapshot), so a state
directory written by an incompatible version of this project must be refused, not half-read.
A directory holding state but no ``VERSION`` file was written before state was durable: its
catalog points at S3 objects that were never kept, so it is refused as well.
"""

from __future__ import annotations

import json
from importlib.metadata import version
from pathlib import Path

from core.state_layout import VERSION_NAME

FORMAT = 1
VERSION_FILE = VERSION_NAME
# What counts as state (the AWS endpoint's journal and snapshot, Glue runs and bookmarks, the
# catalog's SQLite, job-run work directories); logs and the pid file do not.
STATE_ENTRIES = ("aws", "glue", "catalog.db", "runs")


class StateFormatError(RuntimeError):
    """The state directory was written by an incompatible version; the message says what to do."""


def expected() -> dict[str, object]:
    # The AWS snapshot is moto's pickled backends: readable only by the moto that wrote it. Its
    # installed version, read without importing moto (2 s): `just up` checks the format first.
    return {"format": FORMAT, "moto": version("moto")}


def _refuse(state_dir: Path, why: str) -> StateFormatError:
    return StateFormatError(
        f"the lakehouse state in {state_dir} {why}: keep it aside (move the directory) or delete it with "
        "`just reset` (or start empty with `just up --fresh`)"
    )


def check(state_dir: Path) -> None:
    """Raise StateFormatError unless ``state_dir`` is empty, new, or in this format."""
    path = state_dir / VERSION_FILE
    if not path.is_file():
        present = [name for name in STATE_ENTRIES if (state_dir / name).exists()]
        if present:
            raise _refuse(state_dir, f"has no {VERSION_FILE} file (written before state was durable: {present})")
        return
    try:
        found = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as e:
        raise _refuse(state_dir, f"has an unreadable {VERSION_FILE} file ({e})") from e
    if found != expected():
        raise _refuse(state_dir, f"has format {found}, this version needs {expected()}")


def ensure(state_dir: Path) -> None:
    """Check the format, then record it for a new directory (idempotent)."""
    check(state_dir)
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / VERSION_FILE
    if not path.is_file():
        path.write_text(json.dumps(expected()) + "\n")
