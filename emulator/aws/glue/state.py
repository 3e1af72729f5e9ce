"""This emulator's Glue state per region: job runs (each region with its runner) and job bookmarks,
loaded from ``<state_dir>/glue`` when the endpoint starts and written through on every change."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from emulator.aws.glue.bookmarks import JobBookmarks
from emulator.aws.glue.exceptions import invalid_input
from emulator.aws.glue.models import JobRuns
from emulator.aws.glue.store import GlueStore, is_region


class GlueState:
    """``runner_for(region)`` makes a region's runner (``runner.JobRunner``): called with a run and its job,
    it executes the run; ``stop_all(runs)`` asks runs to stop."""

    def __init__(self, root: Path, runner_for: Callable[[str], Any]) -> None:
        self._store = GlueStore(root)
        self._runner_for = runner_for  # region -> its runner, made on first use
        self._runners: dict[str, Any] = {}
        self._runs: dict[str, JobRuns] = {}
        self._bookmarks: dict[str, JobBookmarks] = {}
        self._lock = threading.Lock()
        for region in self._store.regions():  # now, so interrupted runs are FAILED before anyone asks
            self.runs(region)
            self.bookmarks(region)

    @staticmethod
    def _checked(region: str) -> str:
        if not is_region(region):
            raise invalid_input(f"{region!r} is not an AWS region name")
        return region

    def runs(self, region: str) -> JobRuns:
        with self._lock:
            if region not in self._runs:
                runner = self._runner_for(self._checked(region))
                self._runners[region] = runner
                self._runs[region] = JobRuns(runner, self._store.region(region))
            return self._runs[region]

    def bookmarks(self, region: str) -> JobBookmarks:
        with self._lock:
            if region not in self._bookmarks:
                self._bookmarks[region] = JobBookmarks(self._store.region(self._checked(region)))
            return self._bookmarks[region]

    def stop_all_runs(self, wait_seconds: float = 5.0) -> None:
        """Ask every active run to stop, and wait (a while) until they have, so they are recorded STOPPED
        rather than found active, and FAILED, at the next start."""
        with self._lock:
            regions = list(self._runs.items())
        for region, runs in regions:
            self._runners[region].stop_all(runs.active())
        deadline = time.monotonic() + wait_seconds
        while any(runs.active() for _, runs in regions) and time.monotonic() < deadline:
            time.sleep(0.1)
