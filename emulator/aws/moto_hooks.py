"""What replaying moto's requests needs from moto 5.2.5 (verified against it; see emulator/aws/patches.py
for the version pin), installed once by ``install()``:

1. Reproducible ids: moto draws every id (KMS key ids, execution names, S3 version ids, request ids)
   from one shared ``MotoRandom``. It becomes per thread, and a journaled request runs with a
   generator seeded from its journal record, so replaying the request draws the same ids.
2. S3 multipart upload ids come from ``os.urandom``: the journal records each one and replay forces it.
3. Step Functions: during replay an execution is registered but never run (its end is in the journal);
   when a live execution ends, ``on_execution_end`` hears of it (to persist its final description).
"""

from __future__ import annotations

import contextlib
import inspect
import random
import threading
from collections.abc import Callable, Iterator
from typing import Any

from emulator.aws.patches import PatchError

_local = threading.local()
_installed = False
_install_lock = threading.Lock()
ExecutionListener = Callable[[Any], None]
_listeners: list[ExecutionListener] = []


class RestoredExecutionWorker:
    """Stands in for a finished (or never-run) execution's worker thread: its history, and no-op stop."""

    def __init__(self, history: list[Any]) -> None:
        self.env = _HistoryEnv(history)

    def stop(self, *_: Any, **__: Any) -> None:
        """A restored execution is not running; stopping it changes nothing."""


class _HistoryEnv:
    def __init__(self, history: list[Any]) -> None:
        self.event_manager = self
        self._history = history

    def get_event_history(self) -> list[Any]:
        return list(self._history)


def _generator() -> random.Random:
    current: random.Random | None = getattr(_local, "generator", None)
    if current is None:
        current = random.Random()  # noqa: S311 - ids of a local emulator, not secrets
        _local.generator = current
    return current


@contextlib.contextmanager
def seeded(seed: int) -> Iterator[None]:
    """moto's ids drawn in this thread inside the block come from ``Random(seed)``."""
    previous = getattr(_local, "generator", None)
    _local.generator = random.Random(seed)  # noqa: S311
    try:
        yield
    finally:
        _local.generator = previous


@contextlib.contextmanager
def forced_upload_id(upload_id: str | None) -> Iterator[None]:
    _local.upload_id = upload_id
    try:
        yield
    finally:
        _local.upload_id = None


@contextlib.contextmanager
def replaying() -> Iterator[None]:
    """Executions started in the block are registered as RUNNING but not run."""
    _local.replaying = True
    try:
        yield
    finally:
        _local.replaying = False


def add_execution_listener(listener: ExecutionListener) -> None:
    _listeners.append(listener)


def remove_execution_listener(listener: ExecutionListener) -> None:
    with contextlib.suppress(ValueError):
        _listeners.remove(listener)


def _per_thread_random() -> None:
    from moto.moto_api._internal import mock_random
    from moto.moto_api._internal.moto_random import MotoRandom

    if not isinstance(mock_random, MotoRandom) or not issubclass(MotoRandom, random.Random):
        raise PatchError("moto's mock_random changed: re-verify emulator/aws/moto_hooks.py")
    # Random's derived methods (choice, uuid4, randint, ...) all draw from these two.
    mock_random.getrandbits = lambda k: _generator().getrandbits(k)  # type: ignore[method-assign]
    mock_random.random = lambda: _generator().random()  # type: ignore[method-assign]


def _verified(function: Any, *fragments: str) -> Any:
    """``function`` if it still has the code these hooks were verified against, else PatchError."""
    if not all(fragment in inspect.getsource(function) for fragment in fragments):
        raise PatchError(f"moto's {function.__qualname__} changed: re-verify emulator/aws/moto_hooks.py")
    return function


def _recorded_upload_ids() -> None:
    from moto.s3.models import FakeMultipart

    original = _verified(FakeMultipart.__init__, "os.urandom(UPLOAD_ID_BYTES)", "self.id =")

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        forced = getattr(_local, "upload_id", None)
        if forced:
            self.id = forced

    FakeMultipart.__init__ = init  # type: ignore[method-assign]


def _replayable_executions() -> None:
    from moto.stepfunctions.parser.api import ExecutionStatus
    from moto.stepfunctions.parser.backend.execution import BaseExecutionWorkerCommunication, Execution

    original_start = _verified(Execution.start, "self.exec_worker.start()")
    original_terminated = _verified(BaseExecutionWorkerCommunication.terminated, "_reflect_execution_status")

    def start(self: Any) -> None:
        if not getattr(_local, "replaying", False):
            original_start(self)
            return
        self.exec_worker = RestoredExecutionWorker([])
        self.exec_status = ExecutionStatus.RUNNING

    def terminated(self: Any) -> None:
        original_terminated(self)
        for listener in list(_listeners):
            listener(self.execution)

    Execution.start = start  # type: ignore[method-assign]
    BaseExecutionWorkerCommunication.terminated = terminated  # type: ignore[method-assign]


def install() -> None:
    """Install the hooks (idempotent, process-wide)."""
    global _installed
    with _install_lock:
        if _installed:
            return
        _per_thread_random()
        _recorded_upload_ids()
        _replayable_executions()
        _installed = True
