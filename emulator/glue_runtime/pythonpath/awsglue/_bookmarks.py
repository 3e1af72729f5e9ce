"""Job bookmarks for S3 sources: which files each ``transformation_ctx`` has already processed.

The bookmark string stored with the emulator (``JobBookmarkEntry.JobBookmark``, opaque to the server)
is this JSON::

    {"format": "awsglue-local-bookmark", "version": 1,
     "contexts": {"<transformation_ctx>": {"files": {"s3://bucket/key.csv": <last-modified ms>, ...}}}}

A file is new for a context when its path is not recorded or its last-modified time differs (a
changed object is read again). With ``job-bookmark-enable`` the files read are recorded and the state
is saved at ``Job.commit()`` only, so a run that fails before it changes nothing;
``job-bookmark-pause`` reads only new files and records nothing; ``job-bookmark-disable`` (Glue's
default) reads everything.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from awsglue.errors import GlueRuntimeError
from awsglue.hadoopfs import FileInfo

ENABLE, DISABLE, PAUSE = "job-bookmark-enable", "job-bookmark-disable", "job-bookmark-pause"
FORMAT = "awsglue-local-bookmark"
VERSION = 1
Seen = dict[str, int]  # file path → last-modified ms


@dataclass
class BookmarkState:
    contexts: dict[str, Seen] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str | None) -> BookmarkState:
        if not text:
            return cls()
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise GlueRuntimeError(f"the stored job bookmark is not JSON: {text[:200]!r}") from e
        if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("version") != VERSION:
            raise GlueRuntimeError(
                f"the stored job bookmark is not a {FORMAT} v{VERSION} bookmark; reset it (ResetJobBookmark)"
            )
        return cls({ctx: dict(entry["files"]) for ctx, entry in data["contexts"].items()})

    def dump(self) -> str:
        contexts = {ctx: {"files": dict(sorted(files.items()))} for ctx, files in sorted(self.contexts.items())}
        return json.dumps({"format": FORMAT, "version": VERSION, "contexts": contexts}, separators=(",", ":"))


def new_files(files: Sequence[FileInfo], seen: Mapping[str, int]) -> list[FileInfo]:
    """The files not yet processed: unknown paths, and known ones modified since."""
    return [f for f in files if seen.get(f.path) != f.modified_ms]


class BookmarkStore(Protocol):
    def load(self, job_name: str) -> str | None: ...

    def save(self, job_name: str, run_id: str, bookmark: str) -> None: ...


@dataclass
class BookmarkSession:
    """One run's view of the bookmark: the state at ``Job.init`` plus what this run has read."""

    option: str
    state: BookmarkState
    pending: dict[str, Seen] = field(default_factory=dict)

    def select(self, transformation_ctx: str, files: Sequence[FileInfo]) -> list[FileInfo]:
        """The files a source with this ``transformation_ctx`` reads in this run."""
        if self.option == DISABLE or not transformation_ctx:
            return list(files)
        chosen = new_files(files, self.state.contexts.get(transformation_ctx, {}))
        if self.option == ENABLE:
            self.pending.setdefault(transformation_ctx, {}).update({f.path: f.modified_ms for f in chosen})
        return chosen

    def committed(self) -> BookmarkState:
        """The state after this run's commit."""
        merged = {ctx: dict(files) for ctx, files in self.state.contexts.items()}
        for ctx, files in self.pending.items():
            merged.setdefault(ctx, {}).update(files)
        return BookmarkState(merged)


class LakehouseBookmarkStore:
    """Bookmarks kept by the local lakehouse's Glue endpoint (GetJobBookmark + its commit extension)."""

    def __init__(self, endpoint_url: str, region: str) -> None:
        if not endpoint_url.startswith(("http://", "https://")):
            raise GlueRuntimeError(f"AWS_ENDPOINT_URL {endpoint_url!r} must be an http(s) URL")
        self.endpoint_url = endpoint_url.rstrip("/")
        self.region = region

    def load(self, job_name: str) -> str | None:
        import boto3

        client = boto3.client("glue", endpoint_url=self.endpoint_url, region_name=self.region)
        try:
            entry: dict[str, Any] = client.get_job_bookmark(JobName=job_name)["JobBookmarkEntry"]
        except client.exceptions.EntityNotFoundException:
            return None
        text = entry.get("JobBookmark")
        return str(text) if text else None

    def save(self, job_name: str, run_id: str, bookmark: str) -> None:
        body = json.dumps({"Region": self.region, "JobName": job_name, "RunId": run_id, "JobBookmark": bookmark})
        request = urllib.request.Request(  # noqa: S310 - http(s) checked in __init__
            f"{self.endpoint_url}/_lakehouse/glue/job-bookmark",
            data=body.encode(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                response.read()
        except urllib.error.HTTPError as e:
            raise GlueRuntimeError(f"committing the job bookmark of {job_name!r} failed: {_error_text(e)}") from e
        except urllib.error.URLError as e:
            raise GlueRuntimeError(
                f"committing the job bookmark of {job_name!r}: {self.endpoint_url} {e.reason}"
            ) from e


def _error_text(error: urllib.error.HTTPError) -> str:
    raw = error.read().decode(errors="replace")
    try:
        data = json.loads(raw)
    except json.JSONDecodeError:
        return f"HTTP {error.code}: {raw[:300]}"
    return f"HTTP {error.code} {data.get('__type', '')}: {data.get('message', data.get('Message', raw[:300]))}"
