"""Ship a run's stdout and stderr to CloudWatch Logs as Glue does:
``/aws-glue/jobs/output`` and ``/aws-glue/jobs/error``, one stream per run id."""

from __future__ import annotations

import sys
import threading
import time
from types import TracebackType
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

OUTPUT_GROUP = "/aws-glue/jobs/output"
ERROR_GROUP = "/aws-glue/jobs/error"
_FLUSH_SECONDS = 1.0


class LogShipper:
    """Buffers lines and puts them in batches, so a chatty job does not make one call per line."""

    def __init__(self, logs: Any, stream: str) -> None:
        self._logs = logs
        self._stream = stream
        self._pending: dict[str, list[dict[str, Any]]] = {OUTPUT_GROUP: [], ERROR_GROUP: []}
        self._lock = threading.Lock()
        # One flush at a time, puts included: when flush() returns, every line added before it is shipped.
        self._flushing = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._flush_periodically, name=f"logs-{stream[:12]}", daemon=True)

    def __enter__(self) -> LogShipper:
        for group in self._pending:
            self._ensure(group)
        self._thread.start()
        return self

    def __exit__(self, *_: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()
        self.flush()

    def _ensure(self, group: str) -> None:
        for call, kwargs in (
            (self._logs.create_log_group, {"logGroupName": group}),
            (self._logs.create_log_stream, {"logGroupName": group, "logStreamName": self._stream}),
        ):
            try:
                call(**kwargs)
            except ClientError as e:
                if e.response["Error"]["Code"] != "ResourceAlreadyExistsException":
                    raise

    def output(self, line: str) -> None:
        self._add(OUTPUT_GROUP, line)

    def error(self, line: str) -> None:
        self._add(ERROR_GROUP, line)

    def _add(self, group: str, line: str) -> None:
        with self._lock:
            self._pending[group].append({"timestamp": int(time.time() * 1000), "message": line.rstrip("\n") or " "})

    def _flush_periodically(self) -> None:
        while not self._stop.wait(_FLUSH_SECONDS):
            self.flush()

    def flush(self) -> None:
        with self._flushing:
            self._flush()

    def _flush(self) -> None:
        with self._lock:
            batches, self._pending = self._pending, {group: [] for group in self._pending}
        for group, events in batches.items():
            if not events:
                continue
            try:
                self._logs.put_log_events(logGroupName=group, logStreamName=self._stream, logEvents=events)
            except (ClientError, BotoCoreError) as e:
                # The run goes on; losing log lines must still be visible to whoever runs the stack.
                print(f"[emulator] could not ship {len(events)} log line(s) of {self._stream}: {e}", file=sys.stderr)
