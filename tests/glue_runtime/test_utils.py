"""getResolvedOptions with the semantics AWS documents (and tests/test_args.py relies on)."""

from __future__ import annotations

from pathlib import Path

import awsglue
import pytest
from awsglue.utils import ReservedArgumentError, getResolvedOptions

ARGV = [
    "script.py", "--JOB_ID", "j_1", "--JOB_RUN_ID", "jr_1", "--job-bookmark-option", "job-bookmark-enable",
    "--TempDir", "s3://b/tmp/", "--JOB_NAME", "daily", "--day", "2026-11-26", "--unused", "x",
]  # fmt: skip


def test_the_clean_room_package_is_the_one_imported() -> None:
    assert Path(awsglue.__file__).parent.parent.name == "pythonpath"
    assert "glue_runtime" in Path(awsglue.__file__).parts


def test_requested_names_resolve_and_others_are_ignored() -> None:
    assert getResolvedOptions(ARGV, ["JOB_NAME", "day"]) == {"JOB_NAME": "daily", "day": "2026-11-26"}


def test_glue_arguments_can_be_requested() -> None:
    resolved = getResolvedOptions(ARGV, ["TempDir", "JOB_RUN_ID", "job-bookmark-option"])
    assert resolved == {"TempDir": "s3://b/tmp/", "JOB_RUN_ID": "jr_1", "job-bookmark-option": "job-bookmark-enable"}


def test_equals_syntax_and_last_value_wins() -> None:
    argv = [*ARGV, "--day=2026-11-27", "--day", "2026-11-28"]
    assert getResolvedOptions(argv, ["day"]) == {"day": "2026-11-28"}
    assert getResolvedOptions(["s.py", "--day=2026-11-27"], ["day"]) == {"day": "2026-11-27"}


def test_missing_argument_exits_like_argparse(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        getResolvedOptions(ARGV, ["JOB_NAME", "region"])
    assert exited.value.code == 2
    assert "--region" in capsys.readouterr().err


def test_a_bad_bookmark_option_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        getResolvedOptions(["s.py", "--job-bookmark-option", "job-bookmark-sometimes", "--a", "1"], ["a"])
    assert "job-bookmark-sometimes" in capsys.readouterr().err


def test_names_must_be_argument_names() -> None:
    with pytest.raises(ReservedArgumentError, match="'my-arg' is not a valid Glue job parameter name"):
        getResolvedOptions(["s.py", "--my-arg", "1"], ["my-arg"])


def test_no_abbreviations() -> None:
    with pytest.raises(SystemExit):
        getResolvedOptions(["s.py", "--da", "1"], ["day"])
