"""Durable Glue state that is this emulator's own (not moto's): job runs and job bookmarks.

Layout under ``<state_dir>/glue`` (one JSON file per record, so a change rewrites only that record)::

    FORMAT                                  {"format": 1}; another number is refused
    <region>/runs/<run id>.json             one job run (its latest state)
    <region>/bookmarks/<sha256(job)>.json   one job's bookmark state and per-run history

Every change is written through before the API answers: a temp file in the same folder, fsync,
``os.replace`` (atomic on POSIX), fsync of the folder. A crash leaves the old or the new record,
never half of one.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

FORMAT_VERSION = 1
_REGION_RE = re.compile(r"[a-z]{2}(-[a-z]+)+-\d{1,2}")
_RUN_ID_RE = re.compile(r"jr_[0-9a-f]{1,128}")

Record = dict[str, Any]


class StoreError(RuntimeError):
    """The state directory holds Glue state this version cannot read."""


def is_region(name: str) -> bool:
    return bool(_REGION_RE.fullmatch(name))


def atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    with open(temp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, path)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def _read(path: Path) -> Record:
    try:
        record = json.loads(path.read_bytes())
    except (OSError, json.JSONDecodeError) as e:
        raise StoreError(f"cannot read Glue state {path}: {e}; move it away or `just reset`") from e
    if not isinstance(record, dict):
        raise StoreError(f"Glue state {path} is not a JSON object; move it away or `just reset`")
    return record


def _records(folder: Path) -> list[Record]:
    if not folder.is_dir():
        return []
    for leftover in folder.glob(".*.tmp"):  # a write that a crash interrupted before its rename
        leftover.unlink(missing_ok=True)
    return [_read(path) for path in sorted(folder.glob("*.json"))]


class RegionStore:
    """The runs and bookmarks of one region. Writes are serialised, so the last change wins on disk too."""

    def __init__(self, root: Path, lock: threading.Lock) -> None:
        self.root = root
        self._lock = lock

    def save_run(self, run_id: str, snapshot: Callable[[], Record]) -> None:
        """Write a run; ``snapshot`` is taken under the lock, so a later state never loses to an earlier one."""
        if not _RUN_ID_RE.fullmatch(run_id):
            raise ValueError(f"{run_id!r} is not a job run id")
        with self._lock:
            atomic_write(self.root / "runs" / f"{run_id}.json", json.dumps(snapshot()).encode())

    def runs(self) -> list[Record]:
        return _records(self.root / "runs")

    def _bookmark_path(self, job_name: str) -> Path:
        return self.root / "bookmarks" / f"{hashlib.sha256(job_name.encode()).hexdigest()}.json"

    def save_bookmark(self, job_name: str, record: Record) -> None:
        with self._lock:
            atomic_write(self._bookmark_path(job_name), json.dumps(record).encode())

    def delete_bookmark(self, job_name: str) -> None:
        with self._lock:
            self._bookmark_path(job_name).unlink(missing_ok=True)

    def bookmarks(self) -> list[Record]:
        return _records(self.root / "bookmarks")


class GlueStore:
    """``<state_dir>/glue``: checks the format once, then hands out one store per region."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lock = threading.Lock()
        marker = root / "FORMAT"
        if marker.exists():
            found = _read(marker).get("format")
            if found != FORMAT_VERSION:
                raise StoreError(
                    f"{root} holds Glue state in format {found!r}; this emulator reads format {FORMAT_VERSION}: "
                    "start with `just up --fresh` or `just reset`"
                )
        else:
            atomic_write(marker, json.dumps({"format": FORMAT_VERSION}).encode())

    def regions(self) -> list[str]:
        return sorted(p.name for p in self.root.iterdir() if p.is_dir() and is_region(p.name))

    def region(self, name: str) -> RegionStore:
        if not is_region(name):
            raise ValueError(f"{name!r} is not an AWS region name")
        return RegionStore(self.root / name, self._lock)
