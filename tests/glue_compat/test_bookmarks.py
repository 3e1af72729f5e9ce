"""Job bookmarks as documented: per job and transformation_ctx, new and changed S3 objects only, state
advanced by job.commit() alone (a failed run changes nothing), Get/ResetJobBookmark."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.glue_compat.conftest import GlueUser, data_uri
from tests.glue_compat.s3data import as_tuples, json_rows, put_text

pytestmark = pytest.mark.glue_compat

JOB = "compat_bookmarks"
S3_TIMESTAMP_RESOLUTION_SECONDS = 1.1  # so an overwritten object's Last-Modified surely moves


def _put_events(user: GlueUser, name: str, *values: str) -> None:
    put_text(
        user.s3, data_uri("bookmarks", "in", f"{name}.csv"), "file,value\n" + "".join(f"{name},{v}\n" for v in values)
    )


def _run(user: GlueUser, number: int, *, fail: bool = False) -> tuple[dict[str, Any], list[tuple[Any, ...]]]:
    """Run the job once, writing to its own output folder; returns the run and the rows it wrote."""
    output = data_uri("bookmarks", "out", f"run-{number}")
    arguments = {"--output": output + "/", "--fail_before_commit": "true" if fail else "false"}
    run = user.run(JOB, arguments) if fail else user.run_ok(JOB, arguments)
    return run, as_tuples(json_rows(user.s3, output), "file", "value")


def test_bookmarks_read_new_and_changed_files_and_only_commit_advances_them(user: GlueUser) -> None:
    _put_events(user, "a", "a1", "a2")
    _put_events(user, "b", "b1")
    user.deploy(JOB, "bookmarks.py", {
        "--job-bookmark-option": "job-bookmark-enable",
        "--input": data_uri("bookmarks", "in") + "/",
        "--fail_before_commit": "false",
    })  # fmt: skip

    _, first = _run(user, 1)
    assert first == [("a", "a1"), ("a", "a2"), ("b", "b1")]

    time.sleep(S3_TIMESTAMP_RESOLUTION_SECONDS)
    _put_events(user, "c", "c1")
    _put_events(user, "b", "b1", "b2-new")  # overwritten: new content, new Last-Modified
    _, second = _run(user, 2)
    assert second == [("b", "b1"), ("b", "b2-new"), ("c", "c1")]

    _put_events(user, "d", "d1")
    failed, third = _run(user, 3, fail=True)
    assert failed["JobRunState"] == "FAILED", user.diagnosis(failed)
    assert "failing on purpose" in failed.get("ErrorMessage", "")
    assert third == [("d", "d1")]  # it read and wrote d, then failed before job.commit()

    last_commit, fourth = _run(user, 4)
    assert fourth == [("d", "d1")]  # the failed run did not advance the bookmark

    entry = user.glue.get_job_bookmark(JobName=JOB)["JobBookmarkEntry"]
    assert entry["JobName"] == JOB
    assert entry["JobBookmark"]  # the committed state, non-empty
    assert entry["RunId"] == last_commit["Id"]  # the last run that committed, not the failed one

    user.glue.reset_job_bookmark(JobName=JOB)
    _, after_reset = _run(user, 5)
    assert after_reset == [("a", "a1"), ("a", "a2"), ("b", "b1"), ("b", "b2-new"), ("c", "c1"), ("d", "d1")]

    _, nothing_new = _run(user, 6)
    assert nothing_new == []  # an empty source writes nothing, and the run still succeeds


def test_get_job_bookmark_before_any_commit_is_entity_not_found(user: GlueUser) -> None:
    job = user.deploy("compat_bookmarks_never_run", "bookmarks.py", {"--job-bookmark-option": "job-bookmark-enable"})
    with pytest.raises(user.glue.exceptions.EntityNotFoundException):
        user.glue.get_job_bookmark(JobName=job)


def test_pause_reads_incrementally_without_recording_and_disable_reads_everything(user: GlueUser) -> None:
    job = "compat_bookmarks_pause"
    source = data_uri("bookmarks-pause", "in") + "/"

    def put(name: str, value: str) -> None:
        put_text(user.s3, f"{source}{name}.csv", f"file,value\n{name},{value}\n")

    def run(number: int, option: str) -> list[tuple[Any, ...]]:
        output = data_uri("bookmarks-pause", "out", f"run-{number}")
        user.run_ok(job, {"--job-bookmark-option": option, "--output": output + "/"})
        return as_tuples(json_rows(user.s3, output), "file", "value")

    put("a", "a1")
    user.deploy(job, "bookmarks.py", {"--job-bookmark-option": "job-bookmark-enable", "--input": source,
                                      "--fail_before_commit": "false"})  # fmt: skip
    assert run(1, "job-bookmark-enable") == [("a", "a1")]
    put("b", "b1")
    assert run(2, "job-bookmark-pause") == [("b", "b1")]  # incremental since the last enabled run...
    assert run(3, "job-bookmark-pause") == [("b", "b1")]  # ...and recorded nothing
    assert run(4, "job-bookmark-disable") == [("a", "a1"), ("b", "b1")]
    assert run(5, "job-bookmark-enable") == [("b", "b1")]  # neither pause nor disable moved the bookmark


def test_bookmarks_on_a_data_catalog_source(user: GlueUser) -> None:
    database, table, prefix = "compat_bookmark_catalog", "visits", "bookmarks-catalog/visits/"
    user.glue.create_database(DatabaseInput={"Name": database})
    user.glue.create_table(DatabaseName=database, TableInput={
        "Name": table,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {"classification": "json"},
        "StorageDescriptor": {
            "Columns": [{"Name": "visit", "Type": "string"}, {"Name": "page", "Type": "string"}],
            "Location": data_uri(prefix) + "/",
            "SerdeInfo": {"SerializationLibrary": "org.openx.data.jsonserde.JsonSerDe"},
        },
    })  # fmt: skip
    job = user.deploy("compat_bookmarks_catalog", "bookmarks_from_catalog.py", {
        "--job-bookmark-option": "job-bookmark-enable", "--database": database, "--table": table,
    })  # fmt: skip

    def run(number: int) -> list[tuple[Any, ...]]:
        output = data_uri("bookmarks-catalog", "out", f"run-{number}")
        user.run_ok(job, {"--output": output + "/"})
        return as_tuples(json_rows(user.s3, output), "visit", "page")

    put_text(user.s3, data_uri(prefix, "day1.json"), '{"visit": "v1", "page": "/"}\n{"visit": "v2", "page": "/a"}\n')
    assert run(1) == [("v1", "/"), ("v2", "/a")]
    put_text(user.s3, data_uri(prefix, "day2.json"), '{"visit": "v3", "page": "/b"}\n')
    assert run(2) == [("v3", "/b")]
