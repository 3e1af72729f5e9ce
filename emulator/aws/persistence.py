"""Durable state for the AWS endpoint: a journal of every mutating request moto answered with 2xx,
on disk before the response is sent, replayed through the same moto app at start-up.

- What is journaled: requests handed to moto that change state, i.e. not reads (GET/HEAD, or an
  action named Describe*/Get*/List*/...), not the X-Amz-Targets our own handlers serve (the
  endpoint's handler table, passed in), not ``/_lakehouse/...``. Mutating requests are applied
  one at a time so the journal's order is the order moto applied them in.
- Ids moto draws at random are reproduced: each record carries the seed its request's random
  generator had (see moto_hooks); S3 multipart upload ids are recorded.
- Step Functions executions are never re-run by a replay: their end (status, output, error,
  history) is journaled when they finish; one that was running when the process stopped is
  reported ABORTED with the reason.
- Compaction: a snapshot of moto's backends (snapshot.py) replaces the journal at start-up,
  at a clean shutdown and whenever the journal grows past ``compact_bytes``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import logging
import pickle
import re
import secrets
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.run_states import EXECUTION_ABORTED, EXECUTION_RUNNING, EXECUTION_SUCCEEDED
from emulator import state_format
from emulator.aws import moto_hooks, snapshot
from emulator.aws.journal import Journal, Record

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
StartResponse = Callable[..., Any]
JOURNAL_FILE = "journal.log"
SNAPSHOT_FILE = "snapshot.pickle"
COMPACT_BYTES = 256 * 1024 * 1024
READ_ACTIONS = ("Describe", "Get", "List", "Head", "BatchGet", "Search", "Lookup", "Filter", "Test", "Validate")
READ_METHODS = ("GET", "HEAD", "OPTIONS")
UNORDERED_ACTIONS = frozenset({"StartSyncExecution"})
_NOT_RECORDED = {"CONTENT_LENGTH", "HTTP_TRANSFER_ENCODING", "HTTP_CONNECTION", "HTTP_EXPECT", "HTTP_KEEP_ALIVE"}
_UPLOAD_ID = re.compile(rb"<UploadId>([^<]+)</UploadId>")
_log = logging.getLogger("emulator.aws.persistence")
INTERRUPTED_ERROR = "Lakehouse.EndpointStopped"
INTERRUPTED_CAUSE = "the AWS endpoint stopped while this execution was running; executions are not resumed"


class PersistenceError(RuntimeError):
    """The AWS endpoint's state cannot be read or written; the message says what to do."""


@dataclass
class StartReport:
    snapshot_seq: int
    replayed: int
    failed: int
    aborted_executions: int
    seconds: float


def _action(environ: dict[str, Any], body: bytes) -> str:
    target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
    if target:
        return target.rpartition(".")[2]
    query = urllib.parse.parse_qs(str(environ.get("QUERY_STRING", "")))
    if "Action" in query:
        return query["Action"][0]
    if str(environ.get("CONTENT_TYPE", "")).startswith("application/x-www-form-urlencoded"):
        return urllib.parse.parse_qs(body.decode("latin-1")).get("Action", [""])[0]
    return ""


def is_mutation(environ: dict[str, Any], body: bytes) -> bool:
    action = _action(environ, body)
    if action:
        return not action.startswith(READ_ACTIONS)
    return str(environ.get("REQUEST_METHOD", "GET")).upper() not in READ_METHODS


def read_body(environ: dict[str, Any]) -> bytes:
    """The whole request body (chunked or not); afterwards the environ reads it from memory."""
    stream = environ["wsgi.input"]
    length = environ.get("CONTENT_LENGTH")
    chunked = bool(environ.get("wsgi.input_terminated"))
    body: bytes = stream.read(int(length)) if length else (stream.read() if chunked else b"")
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    environ.pop("HTTP_TRANSFER_ENCODING", None)
    environ.pop("wsgi.input_terminated", None)
    return body


def request_environ(recorded: dict[str, str], body: bytes) -> dict[str, Any]:
    """A WSGI environ for a recorded request (replay, or a request the endpoint makes to itself)."""
    return {
        "REQUEST_METHOD": "GET", "PATH_INFO": "/", "QUERY_STRING": "", "SERVER_NAME": "localhost",
        "SERVER_PORT": "4566", "SERVER_PROTOCOL": "HTTP/1.1", "SCRIPT_NAME": "",
        **recorded,
        "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http", "wsgi.version": (1, 0), "wsgi.multithread": False,
        "wsgi.multiprocess": False, "wsgi.run_once": False,
    }  # fmt: skip


def call(app: WsgiApp, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
    """Run a WSGI app to completion: status line, headers, body."""
    response: list[Any] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
        response[:] = [status, headers]
        return lambda _: None

    chunks = app(environ, start_response)
    try:
        body = b"".join(chunks)
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
    return response[0], response[1], body


def _recorded(environ: dict[str, Any]) -> dict[str, str]:
    return {k: v for k, v in environ.items() if isinstance(v, str) and k.isupper() and k not in _NOT_RECORDED}


def _status_code(status: str) -> int:
    return int(status.split(" ", 1)[0])


class Durability:
    """The journal and snapshot of one state directory (``<state_dir>/aws``)."""

    def __init__(
        self, directory: Path, excluded_targets: frozenset[str], *, compact_bytes: int = COMPACT_BYTES
    ) -> None:
        self.directory = directory
        self.excluded_targets = excluded_targets
        self.excluded_prefixes = ("/_lakehouse/",)  # the endpoint's own routes
        self.compact_bytes = compact_bytes
        self.journal = Journal(directory / JOURNAL_FILE)
        self._order = threading.RLock()  # mutating requests one at a time: journal order = applied order
        self._started = False
        self.report: StartReport | None = None

    # -- start-up ---------------------------------------------------------------------------------

    def start(self, moto_app: WsgiApp) -> StartReport:
        """Restore the snapshot, replay the journal after it, end interrupted executions, compact."""
        started = time.monotonic()
        self.directory.mkdir(parents=True, exist_ok=True)
        moto_hooks.install()
        snapshot_seq = self._restore_snapshot()
        replayed, failed, last_seq, ends = self._replay(moto_app, snapshot_seq)
        self.journal.open(max(snapshot_seq, last_seq) + 1)
        for record in ends:
            _apply_execution_end(pickle.loads(record.body))  # noqa: S301 - our own journal
        aborted = self._abort_interrupted_executions()
        if replayed or aborted or ends:
            self.compact()
        moto_hooks.add_execution_listener(self._journal_execution_end)
        self._started = True
        return StartReport(snapshot_seq, replayed, failed, aborted, time.monotonic() - started)

    def _restore_snapshot(self) -> int:
        path = self.directory / SNAPSHOT_FILE
        if not path.is_file():
            return 0
        try:
            meta, state = snapshot.read(path)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError) as e:
            raise PersistenceError(f"cannot read the AWS snapshot {path} ({e}): `just reset` starts empty") from e
        if meta.get("format") != state_format.expected():
            raise PersistenceError(f"{path} has format {meta.get('format')}: `just reset` starts empty")
        snapshot.restore(state)
        return int(meta["seq"])

    def _replay(self, moto_app: WsgiApp, after_seq: int) -> tuple[int, int, int, list[Record]]:
        replayed = failed = last_seq = 0
        ends: list[Record] = []
        with moto_hooks.replaying():
            for record in self.journal.read():
                last_seq = record.seq
                if record.seq <= after_seq:
                    continue
                if record.header["kind"] == "execution-end":
                    ends.append(record)
                    continue
                replayed += 1
                if not self._replay_request(moto_app, record):
                    failed += 1
        return replayed, failed, last_seq, ends

    @staticmethod
    def _replay_request(moto_app: WsgiApp, record: Record) -> bool:
        environ = request_environ(record.header["environ"], record.body)
        with moto_hooks.seeded(int(record.header["seed"])), moto_hooks.forced_upload_id(record.header.get("upload_id")):
            status, _, body = call(moto_app, environ)
        if 200 <= _status_code(status) < 300:
            return True
        where = f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']}"
        _log.warning("replay of journal record %s (%s) answered %s: %r", record.seq, where, status, body[:300])
        return False

    def _abort_interrupted_executions(self) -> int:
        aborted = 0
        for execution in _executions():
            if execution.exec_status is not None and execution.exec_status.value == EXECUTION_RUNNING:
                end = _execution_end(execution, EXECUTION_ABORTED, INTERRUPTED_ERROR, INTERRUPTED_CAUSE)
                _apply_execution_end(end)
                self.journal.append({"kind": "execution-end", "arn": execution.exec_arn}, pickle.dumps(end))
                aborted += 1
        return aborted

    # -- serving ----------------------------------------------------------------------------------

    def journaled(self, environ: dict[str, Any], body: bytes) -> bool:
        if environ.get("HTTP_X_AMZ_TARGET", "") in self.excluded_targets:
            return False
        if str(environ.get("PATH_INFO", "")).startswith(self.excluded_prefixes):
            return False
        return is_mutation(environ, body)

    def serve(self, moto_app: WsgiApp, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """Answer through moto; a 2xx mutating request is on disk before its response is returned."""
        method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        if method in READ_METHODS and not environ.get("QUERY_STRING", "").count("Action="):
            return moto_app(environ, start_response)  # a read: no body to look at, nothing to record
        body = read_body(environ)
        if not self.journaled(environ, body):
            return moto_app(environ, start_response)
        recorded = _recorded(environ)
        seed = secrets.randbits(63)
        # A synchronous execution calls this endpoint from inside its request: holding the order
        # lock would deadlock it. It only adds an execution, so its order does not matter.
        ordered = _action(environ, body) not in UNORDERED_ACTIONS
        with self._order if ordered else contextlib.nullcontext():
            with moto_hooks.seeded(seed):
                status, headers, payload = call(moto_app, environ)
            if 200 <= _status_code(status) < 300:
                self._append_request(recorded, body, seed, payload)
        start_response(status, headers)
        return [payload]

    def _append_request(self, recorded: dict[str, str], body: bytes, seed: int, response: bytes) -> None:
        header: dict[str, Any] = {"kind": "request", "environ": recorded, "seed": seed}
        if recorded.get("REQUEST_METHOD") == "POST" and "uploads" in urllib.parse.parse_qs(
            recorded.get("QUERY_STRING", ""), keep_blank_values=True
        ):
            match = _UPLOAD_ID.search(response)
            header["upload_id"] = match[1].decode() if match else None
        self.journal.append(header, body)
        if self.journal.size > self.compact_bytes:
            self.compact()

    def _journal_execution_end(self, execution: Any) -> None:
        end = _execution_end(execution, execution.exec_status.value, execution.error, execution.cause)
        self.journal.append({"kind": "execution-end", "arn": execution.exec_arn}, pickle.dumps(end))

    # -- compaction and shutdown ------------------------------------------------------------------

    def compact(self) -> int:
        """Snapshot moto's state, then empty the journal; returns the snapshot's size in bytes."""
        with self._order:
            seq = self.journal.next_seq - 1
            meta = {"format": state_format.expected(), "seq": seq, "written_at": time.time()}
            for attempt in range(3):
                try:
                    size = snapshot.write(self.directory / SNAPSHOT_FILE, meta, snapshot.capture())
                    break
                except RuntimeError as e:  # a background execution changed a dict while it was pickled
                    if attempt == 2:
                        raise PersistenceError(f"cannot snapshot the AWS state: {e}") from e
            self.journal.truncate()
            return size

    def close(self) -> None:
        """Clean shutdown: compact so the next start-up is a snapshot load, then close the journal."""
        moto_hooks.remove_execution_listener(self._journal_execution_end)
        if self._started:
            self.compact()
        self.journal.close()


def attach(moto_app: WsgiApp, excluded_targets: frozenset[str], state_dir: Path) -> Durability:
    """The endpoint's durable state in ``<state_dir>/aws``, restored; ``excluded_targets``: the
    X-Amz-Targets the endpoint's own handlers serve (they persist their own state)."""
    state_format.ensure(state_dir)
    durability = Durability(state_dir / "aws", excluded_targets)
    durability.report = durability.start(moto_app)
    return durability


def _executions() -> list[Any]:
    from moto.stepfunctions.parser.models import stepfunctions_parser_backends

    return [
        execution
        for _, _, backend in stepfunctions_parser_backends.iter_backends()
        for machine in backend.state_machines  # type: ignore[attr-defined]
        for execution in machine.executions
    ]


def _execution_end(execution: Any, status: str, error: str | None, cause: str | None) -> dict[str, Any]:
    worker = execution.exec_worker
    history = list(worker.env.event_manager.get_event_history()) if worker is not None and worker.env else []
    return {
        "arn": execution.exec_arn, "status": status, "error": error, "cause": cause, "history": history,
        "output": execution.output if status == EXECUTION_SUCCEEDED else None,
        "stop_date": execution.stop_date or dt.datetime.now(tz=dt.UTC),
    }  # fmt: skip


def _apply_execution_end(end: dict[str, Any]) -> None:
    from moto.stepfunctions.parser.api import ExecutionStatus

    for execution in _executions():
        if execution.exec_arn == end["arn"]:
            execution.exec_status = ExecutionStatus(end["status"])
            execution.stop_date, execution.output = end["stop_date"], end["output"]
            execution.error, execution.cause = end["error"], end["cause"]
            execution.exec_worker = moto_hooks.RestoredExecutionWorker(end["history"])
            return
    _log.warning("journal: the end of execution %s names no known execution", end["arn"])
