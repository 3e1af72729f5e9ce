"""Job bookmarks, the server side: what GetJobBookmark, ResetJobBookmark and the runtime's commit see.

The state itself (``JobBookmark``) is an opaque string written by the job's runtime (the
clean-room ``awsglue``'s ``Job.commit()``) through the private ``POST /_lakehouse/glue/job-bookmark``;
this module keeps it per job, with the entry fields of Glue's ``JobBookmarkEntry``:

* **commit** (only by a run that is STARTING or RUNNING): ``Version`` + 1, ``Run`` + 1,
  ``Attempt`` = the committing run's attempt, ``RunId`` = the committing run,
  ``PreviousRunId`` = the run whose state this one was built on (the current entry's ``RunId``;
  absent for the first commit and after a reset). The entry is also kept as that run's history.
* **GetJobBookmark**: the current entry (with ``RunId``: the entry that run committed);
  ``EntityNotFoundException`` ("Continuation for job <name> not found", as AWS answers) when nothing
  is committed, after a reset, and for an unknown job.
* **ResetJobBookmark without RunId**: clears the state, so the next run processes everything (AWS's
  "reset"); ``Version`` + 1; it answers the cleared entry with an empty ``JobBookmark``, and
  ``GetJobBookmark`` answers ``EntityNotFoundException`` until the next commit.
* **ResetJobBookmark with RunId** ("rewind" in AWS's "Tracking processed data using job bookmarks"):
  the current state becomes the one that run committed, so later runs reprocess what came after it;
  ``Version`` + 1, the other fields are that run's. A run that committed nothing →
  ``EntityNotFoundException``. History survives resets, so any committing run can be rewound to.
* Deleting a job deletes its bookmark (AWS: "If you delete a job, the job bookmark is deleted").

``Version`` and ``Run`` only grow, across resets too.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from emulator.aws.glue.exceptions import invalid_input, not_found
from emulator.aws.glue.store import RegionStore

Entry = dict[str, Any]


def _no_continuation(job_name: str) -> Exception:
    return not_found(f"Continuation for job {job_name} not found")


@dataclass
class _JobState:
    job_name: str
    version: int = 0
    run: int = 0
    current: Entry | None = None
    history: dict[str, Entry] = field(default_factory=dict)  # run id -> the entry it committed (its last)

    def to_record(self) -> dict[str, Any]:
        return {"job_name": self.job_name, "version": self.version, "run": self.run, "current": self.current,
                "history": self.history}  # fmt: skip

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> _JobState:
        return cls(record["job_name"], int(record["version"]), int(record["run"]), record.get("current"),
                   dict(record.get("history") or {}))  # fmt: skip


class JobBookmarks:
    """The bookmarks of one region's jobs, written through to its store on every change."""

    def __init__(self, store: RegionStore | None = None) -> None:
        self._store = store
        self._lock = threading.Lock()
        self._jobs = {s.job_name: s for s in map(_JobState.from_record, store.bookmarks() if store else [])}

    def _save(self, state: _JobState) -> None:
        if self._store is not None:
            self._store.save_bookmark(state.job_name, state.to_record())

    def get(self, job_name: str, run_id: str | None = None) -> Entry:
        """The current entry, or with ``run_id`` the one that run committed."""
        with self._lock:
            state = self._jobs.get(job_name)
            entry = state and (state.history.get(run_id) if run_id else state.current)
            if not entry:
                if run_id:
                    raise not_found(f"Job run {run_id} of job {job_name} committed no bookmark")
                raise _no_continuation(job_name)
            return dict(entry)

    def commit(self, job_name: str, run_id: str, attempt: int, bookmark: Any) -> Entry:
        """Record ``bookmark`` as the job's state, committed by an active run (the caller checked that)."""
        if not isinstance(bookmark, str):
            raise invalid_input("JobBookmark must be a string (the runtime's serialised state)")
        with self._lock:
            state = self._jobs.setdefault(job_name, _JobState(job_name))
            state.version += 1
            state.run += 1
            entry: Entry = {"JobName": job_name, "Version": state.version, "Run": state.run, "Attempt": attempt,
                            "RunId": run_id, "JobBookmark": bookmark}  # fmt: skip
            if state.current is not None:
                entry["PreviousRunId"] = state.current["RunId"]
            state.current = entry
            state.history[run_id] = entry
            self._save(state)
            return dict(entry)

    def reset(self, job_name: str, run_id: str | None = None) -> Entry:
        with self._lock:
            state = self._jobs.get(job_name)
            if state is None:
                raise _no_continuation(job_name)
            if run_id:
                return self._rewind(state, run_id)
            cleared = state.current
            state.version += 1
            state.current = None
            self._save(state)
        entry: Entry = {"JobName": job_name, "Version": state.version, "Run": state.run,
                        "Attempt": cleared["Attempt"] if cleared else 0, "JobBookmark": ""}  # fmt: skip
        if cleared is not None:
            entry["RunId"] = cleared["RunId"]
        return entry

    def _rewind(self, state: _JobState, run_id: str) -> Entry:
        committed = state.history.get(run_id)
        if committed is None:
            raise not_found(f"Job run {run_id} of job {state.job_name} committed no bookmark to rewind to")
        state.version += 1
        state.current = {**committed, "Version": state.version}
        self._save(state)
        return dict(state.current)

    def forget(self, job_name: str) -> None:
        with self._lock:
            if self._jobs.pop(job_name, None) is not None and self._store is not None:
                self._store.delete_bookmark(job_name)
