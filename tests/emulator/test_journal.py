"""The AWS endpoint's journal file and which requests it records (no server needed)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from emulator.aws.journal import Journal
from emulator.aws.persistence import is_mutation, read_body


def _records(path: Path) -> list[tuple[int, dict[str, Any], bytes]]:
    return [(r.seq, r.header, r.body) for r in Journal(path).read()]


def test_records_come_back_in_order_with_their_bodies(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.log")
    journal.open(next_seq=7)
    assert [journal.append({"kind": "request", "n": n}, bytes([n]) * n) for n in range(3)] == [7, 8, 9]
    journal.close()
    assert _records(tmp_path / "journal.log") == [
        (7, {"kind": "request", "n": 0, "seq": 7}, b""),
        (8, {"kind": "request", "n": 1, "seq": 8}, b"\x01"),
        (9, {"kind": "request", "n": 2, "seq": 9}, b"\x02\x02"),
    ]


@pytest.mark.parametrize("cut", [1, 9, 30])
def test_a_torn_last_record_is_cut_off_and_appending_continues(tmp_path: Path, cut: int) -> None:
    path = tmp_path / "journal.log"
    journal = Journal(path)
    journal.open(next_seq=1)
    journal.append({"kind": "request"}, b"kept")
    journal.append({"kind": "request"}, b"torn by a kill -9")
    journal.close()
    path.write_bytes(path.read_bytes()[:-cut])  # the process died inside the second write
    assert [body for _, _, body in _records(path)] == [b"kept"]
    journal = Journal(path)
    journal.open(next_seq=2)
    journal.append({"kind": "request"}, b"after")
    journal.close()
    assert [(seq, body) for seq, _, body in _records(path)] == [(1, b"kept"), (2, b"after")]


def _environ(method: str, path: str = "/", query: str = "", body: bytes = b"", **headers: str) -> dict[str, Any]:
    return {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query, "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body), **headers}  # fmt: skip


@pytest.mark.parametrize(
    ("environ", "mutates"),
    [
        (_environ("PUT", "/bucket/key", body=b"data"), True),
        (_environ("DELETE", "/bucket/key"), True),
        (_environ("POST", "/bucket/key", "uploads"), True),
        (_environ("GET", "/bucket/key"), False),
        (_environ("HEAD", "/bucket"), False),
        (_environ("POST", HTTP_X_AMZ_TARGET="AWSGlue.CreateJob"), True),
        (_environ("POST", HTTP_X_AMZ_TARGET="AWSGlue.GetJobs"), False),
        (_environ("POST", HTTP_X_AMZ_TARGET="AWSStepFunctions.DescribeExecution"), False),
        (_environ("POST", HTTP_X_AMZ_TARGET="Logs_20140328.PutLogEvents"), True),
        (
            _environ("POST", body=b"Action=CreateRole&RoleName=r", CONTENT_TYPE="application/x-www-form-urlencoded"),
            True,
        ),
        (
            _environ("POST", body=b"Action=ListRoles", CONTENT_TYPE="application/x-www-form-urlencoded; charset=utf-8"),
            False,
        ),
        (_environ("GET", query="Action=GetCallerIdentity"), False),
    ],
)
def test_only_requests_that_change_state_are_recorded(environ: dict[str, Any], mutates: bool) -> None:
    assert is_mutation(environ, read_body(environ)) is mutates


def test_a_chunked_body_is_read_whole_and_served_from_memory() -> None:
    environ: dict[str, Any] = {"wsgi.input": io.BytesIO(b"chunked payload"), "wsgi.input_terminated": True,
               "HTTP_TRANSFER_ENCODING": "chunked"}  # fmt: skip
    assert read_body(environ) == b"chunked payload"
    assert (environ["CONTENT_LENGTH"], environ["wsgi.input"].read()) == ("15", b"chunked payload")
    assert "HTTP_TRANSFER_ENCODING" not in environ
