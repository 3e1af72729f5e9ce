from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from core.logging import configure_logging, redact


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    buffer = io.StringIO()
    configure_logging(job="sales_daily_sales", run_id="jr_1", env="local", secrets=["s3cr3t-value"], stream=buffer)
    yield buffer
    configure_logging(stream=io.StringIO())  # detach from this buffer


def _lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_one_json_object_per_line_with_run_context(stream: io.StringIO) -> None:
    logging.getLogger("jobs.test").info("orders read", extra={"read": 14, "good": 9})
    (line,) = _lines(stream)
    assert set(line) == {"timestamp", "level", "logger", "job", "run_id", "env", "message", "read", "good"}
    assert (line["level"], line["job"], line["run_id"], line["env"]) == ("INFO", "sales_daily_sales", "jr_1", "local")
    assert (line["message"], line["read"], line["good"]) == ("orders read", 14, 9)
    assert str(line["timestamp"]).endswith("+00:00")


def test_secrets_are_redacted_everywhere(stream: io.StringIO) -> None:
    log = logging.getLogger("jobs.test")
    log.info("connecting with s3cr3t-value", extra={"arguments": {"db_password": "hunter2", "run_date": "2026-11-26"}})
    log.info("argv: --api_token abc123 --run_date 2026-11-26 key AKIAABCDEFGHIJKLMNOP")
    first, second = _lines(stream)
    assert first["message"] == "connecting with ***"
    assert first["arguments"] == {"db_password": "***", "run_date": "2026-11-26"}
    assert second["message"] == "argv: --api_token *** --run_date 2026-11-26 key ***"


def test_exceptions_are_included(stream: io.StringIO) -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("jobs.test").exception("job failed")
    (line,) = _lines(stream)
    assert line["level"] == "ERROR"
    assert "ValueError: boom" in str(line["exception"])


def test_configuring_twice_keeps_one_handler(stream: io.StringIO) -> None:
    configure_logging(job="j", stream=stream)
    logging.getLogger("jobs.test").warning("once")
    assert len(_lines(stream)) == 1


def test_redact_leaves_non_secrets_alone() -> None:
    assert redact({"token": "", "name": "x", "items": ["--password=p4ss", 3]}) == {
        "token": "",
        "name": "x",
        "items": ["--password=***", 3],
    }
