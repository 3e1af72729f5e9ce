"""Job bookmarks: the pure state/file logic, and Job + S3 sources over real files with an in-memory store.

The emulator's side (GetJobBookmark and the commit endpoint) is exercised end to end by the Glue
compatibility suite; here the store is a plain dict, so the filtering rules are tested on their own.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from awsglue._bookmarks import BookmarkSession, BookmarkState, LakehouseBookmarkStore, new_files
from awsglue.context import GlueContext
from awsglue.errors import GlueRuntimeError
from awsglue.hadoopfs import FileInfo
from awsglue.job import Job
from awsglue.transforms import ApplyMapping


class MemoryStore:
    def __init__(self) -> None:
        self.saved: dict[str, str] = {}
        self.runs: list[str] = []

    def load(self, job_name: str) -> str | None:
        return self.saved.get(job_name)

    def save(self, job_name: str, run_id: str, bookmark: str) -> None:
        self.saved[job_name] = bookmark
        self.runs.append(run_id)


def test_new_files_are_unknown_or_changed() -> None:
    files = [FileInfo("s3://b/a", 1), FileInfo("s3://b/b", 2), FileInfo("s3://b/c", 3)]
    assert new_files(files, {"s3://b/a": 1, "s3://b/b": 1}) == [FileInfo("s3://b/b", 2), FileInfo("s3://b/c", 3)]


def test_state_round_trips_and_refuses_foreign_text() -> None:
    state = BookmarkState({"src": {"s3://b/a": 1}})
    assert BookmarkState.parse(state.dump()) == state
    assert BookmarkState.parse(None) == BookmarkState()
    with pytest.raises(GlueRuntimeError, match="not JSON"):
        BookmarkState.parse("{oops")
    with pytest.raises(GlueRuntimeError, match="ResetJobBookmark"):
        BookmarkState.parse('{"format": "other"}')


def test_session_records_only_when_enabled_and_only_for_named_contexts() -> None:
    files = [FileInfo("s3://b/a", 1)]
    enabled = BookmarkSession("job-bookmark-enable", BookmarkState())
    assert enabled.select("", files) == files
    assert enabled.pending == {}
    assert enabled.select("src", files) == files
    assert enabled.committed() == BookmarkState({"src": {"s3://b/a": 1}})
    paused = BookmarkSession("job-bookmark-pause", BookmarkState({"src": {"s3://b/a": 1}}))
    assert paused.select("src", [*files, FileInfo("s3://b/n", 5)]) == [FileInfo("s3://b/n", 5)]
    assert paused.pending == {}


def _touch(path: Path, text: str, mtime: float) -> None:
    path.write_text(text)
    os.utime(path, (mtime, mtime))


def _run(ctx: GlueContext, store: MemoryStore, data: Path, option: str, run_id: str, commit: bool = True) -> list[str]:
    job = Job(ctx)
    job.init("bm", {"JOB_NAME": "bm", "JOB_RUN_ID": run_id, "job-bookmark-option": option}, store=store)
    frame = ctx.create_dynamic_frame.from_options(
        connection_type="s3", connection_options={"paths": [data.as_uri()]}, format="csv", transformation_ctx="src"
    )
    values = sorted(r["col0"] for r in frame.toDF().collect())
    if commit:
        job.commit()
    ctx.bookmarks = None
    return values


def test_runs_read_new_and_changed_files_and_a_failed_run_changes_nothing(
    tmp_path: Path, glue_context: GlueContext
) -> None:
    store = MemoryStore()
    data = tmp_path / "in"
    data.mkdir()
    _touch(data / "a.csv", "a1\n", 1_700_000_000)
    assert _run(glue_context, store, data, "job-bookmark-enable", "jr_1") == ["a1"]
    _touch(data / "b.csv", "b1\n", 1_700_000_100)
    assert _run(glue_context, store, data, "job-bookmark-enable", "jr_2", commit=False) == ["b1"]  # "fails"
    assert _run(glue_context, store, data, "job-bookmark-pause", "jr_3") == ["b1"]
    _touch(data / "a.csv", "a2\n", 1_700_000_200)  # changed object
    assert _run(glue_context, store, data, "job-bookmark-enable", "jr_4") == ["a2", "b1"]
    assert _run(glue_context, store, data, "job-bookmark-enable", "jr_5") == []
    assert _run(glue_context, store, data, "job-bookmark-disable", "jr_6") == ["a2", "b1"]
    assert store.runs == ["jr_1", "jr_4", "jr_5"]
    assert BookmarkState.parse(store.saved["bm"]).contexts == {
        "src": {(data / "a.csv").as_uri().replace("file:///", "file:/"): 1_700_000_200_000,
                (data / "b.csv").as_uri().replace("file:///", "file:/"): 1_700_000_100_000},
    }  # fmt: skip


def test_bookmark_option_is_read_from_argv_when_not_in_args(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, glue_context: GlueContext
) -> None:
    store = MemoryStore()
    monkeypatch.setattr(sys, "argv", ["s.py", "--JOB_RUN_ID", "jr_9", "--job-bookmark-option=job-bookmark-enable"])
    job = Job(glue_context)
    job.init("argv-job", {"JOB_NAME": "argv-job"}, store=store)
    job.commit()
    glue_context.bookmarks = None
    assert store.runs == ["jr_9"]


def test_enabled_bookmarks_outside_the_lakehouse_fail_at_init(
    monkeypatch: pytest.MonkeyPatch, glue_context: GlueContext
) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with pytest.raises(GlueRuntimeError, match="AWS_ENDPOINT_URL is not set"):
        Job(glue_context).init("j", {"job-bookmark-option": "job-bookmark-enable"})


def test_bad_option_and_commit_before_init(glue_context: GlueContext) -> None:
    with pytest.raises(GlueRuntimeError, match="'job-bookmark-on' is not one of"):
        Job(glue_context).init("j", {"job-bookmark-option": "job-bookmark-on"})
    with pytest.raises(GlueRuntimeError, match="before Job.init"):
        Job(glue_context).commit()


def test_store_refuses_a_non_http_endpoint() -> None:
    with pytest.raises(GlueRuntimeError, match="must be an http"):
        LakehouseBookmarkStore("file:///etc", "eu-west-1")


def test_a_run_with_no_new_files_maps_and_writes_an_empty_frame(tmp_path: Path, glue_context: GlueContext) -> None:
    store = MemoryStore()
    data = tmp_path / "in"
    data.mkdir()
    _touch(data / "a.csv", "a1\n", 1_700_000_000)
    assert _run(glue_context, store, data, "job-bookmark-enable", "jr_1") == ["a1"]
    job = Job(glue_context)
    job.init("bm", {"JOB_RUN_ID": "jr_2", "job-bookmark-option": "job-bookmark-enable"}, store=store)
    empty = glue_context.create_dynamic_frame.from_options(
        connection_type="s3", connection_options={"paths": [data.as_uri()]}, format="csv", transformation_ctx="src"
    )
    mapped = ApplyMapping.apply(frame=empty, mappings=[("col0", "string", "v.x", "int")])
    assert mapped.count() == 0
    assert mapped.schema().simpleString() == "struct<v:struct<x:int>>"
    glue_context.write_dynamic_frame.from_options(
        frame=empty, connection_type="s3", connection_options={"path": (tmp_path / "out").as_uri()}, format="parquet"
    )
    assert not (tmp_path / "out").exists()
    job.commit()
    glue_context.bookmarks = None
