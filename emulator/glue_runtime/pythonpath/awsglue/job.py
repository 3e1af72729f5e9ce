"""``Job``: ``job.init(args["JOB_NAME"], args)`` at the start of a script, ``job.commit()`` at the end.

With ``--job-bookmark-option job-bookmark-enable`` (or ``-pause``), ``init`` loads the job's bookmark
from the local lakehouse's Glue endpoint (``AWS_ENDPOINT_URL``) and S3 sources with a
``transformation_ctx`` read only files not processed before; ``commit`` stores what this run read.
See :mod:`awsglue._bookmarks` for the rules and the stored format.
"""

# ruff: noqa: N802  (Glue's API names are camelCase)

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence

from awsglue._bookmarks import (
    DISABLE,
    ENABLE,
    PAUSE,
    BookmarkSession,
    BookmarkState,
    BookmarkStore,
    LakehouseBookmarkStore,
)
from awsglue.context import GlueContext
from awsglue.errors import GlueRuntimeError

_OPTIONS = (ENABLE, DISABLE, PAUSE)


def _argument(args: Mapping[str, str], argv: Sequence[str], name: str) -> str | None:
    """``--name`` from the resolved args, else from argv (last occurrence wins, both syntaxes)."""
    if name in args:
        return args[name]
    value = None
    for i, token in enumerate(argv):
        if token == f"--{name}" and i + 1 < len(argv):
            value = argv[i + 1]
        elif token.startswith(f"--{name}="):
            value = token.split("=", 1)[1]
    return value


class Job:
    def __init__(self, glue_context: GlueContext) -> None:
        self._context = glue_context
        self._name: str | None = None
        self._run_id = ""
        self._store: BookmarkStore | None = None
        self._session: BookmarkSession | None = None

    @staticmethod
    def continuation_options() -> list[str]:
        return ["--continuation-option", "continuation-enabled", "continuation-readonly", "continuation-ignore"]

    @staticmethod
    def job_bookmark_options() -> list[str]:
        return ["--job-bookmark-option", *_OPTIONS]

    def isInitialized(self) -> bool:
        return self._name is not None

    def init(self, job_name: str, args: Mapping[str, str] | None = None, store: BookmarkStore | None = None) -> None:
        """Start the run; ``store`` replaces the lakehouse's bookmark store (tests)."""
        args = dict(args or {})
        option = _argument(args, sys.argv[1:], "job-bookmark-option") or DISABLE
        if option not in _OPTIONS:
            raise GlueRuntimeError(f"--job-bookmark-option {option!r} is not one of {', '.join(_OPTIONS)}")
        self._name = job_name
        self._run_id = _argument(args, sys.argv[1:], "JOB_RUN_ID") or ""
        if option == DISABLE:
            return
        self._store = store or _lakehouse_store(job_name)
        self._session = BookmarkSession(option, BookmarkState.parse(self._store.load(job_name)))
        self._context.bookmarks = self._session

    def commit(self) -> None:
        """Record what this run read (``job-bookmark-enable`` only); before it, nothing is recorded."""
        if self._name is None:
            raise GlueRuntimeError("Job.commit() before Job.init(): call job.init(args['JOB_NAME'], args) first")
        if self._session is None or self._store is None or self._session.option != ENABLE:
            return
        self._store.save(self._name, self._run_id, self._session.committed().dump())
        self._session.state = self._session.committed()
        self._session.pending.clear()


def _lakehouse_store(job_name: str) -> LakehouseBookmarkStore:
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if not endpoint:
        raise GlueRuntimeError(
            f"job bookmarks are enabled for {job_name!r} but AWS_ENDPOINT_URL is not set: locally, bookmarks are "
            "kept by the lakehouse's Glue endpoint, so run the job through it (or use job-bookmark-disable)"
        )
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if not region:
        raise GlueRuntimeError("job bookmarks need AWS_REGION (the region the run was started in)")
    return LakehouseBookmarkStore(endpoint, region)
