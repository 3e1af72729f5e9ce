"""moto's whole state as one pickle: every instantiated backend of every service, in one ``dump`` so
objects shared between backends stay shared.

What cannot be pickled as is gets an equivalent: locks are re-created empty, a running Step
Functions execution's worker thread becomes its history so far (the journal records how it
ends), KMS private keys travel as DER.
"""

from __future__ import annotations

import importlib
import io
import os
import pickle
import sys
import threading
from pathlib import Path
from typing import Any

from emulator.aws.journal import sync_directory
from emulator.aws.moto_hooks import RestoredExecutionWorker

BackendKey = tuple[str, str]  # (module, attribute) of a moto BackendDict
State = dict[BackendKey, dict[str, dict[str, Any]]]
_LOCK_TYPES = {type(threading.Lock()): threading.Lock, type(threading.RLock()): threading.RLock}


def _load_private_key(der: bytes) -> Any:
    from cryptography.hazmat.primitives.serialization import load_der_private_key

    return load_der_private_key(der, password=None)


def _private_key_der(key: Any) -> bytes:
    from cryptography.hazmat.primitives import serialization

    der: bytes = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return der


def _history(worker: Any) -> list[Any]:
    env = getattr(worker, "env", None)
    return list(env.event_manager.get_event_history()) if env is not None else []


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

        if type(obj) in _LOCK_TYPES:
            return _LOCK_TYPES[type(obj)], ()
        if isinstance(obj, ExecutionWorker):
            return RestoredExecutionWorker, (_history(obj),)
        if isinstance(obj, threading.Thread):
            return type(None), ()
        if type(obj).__module__.startswith("cryptography.") and hasattr(obj, "private_bytes"):
            return _load_private_key, (_private_key_der(obj),)
        return NotImplemented


def _locate(backend_dict: Any) -> BackendKey:
    module = sys.modules[backend_dict.backend.__module__]
    for name, value in vars(module).items():
        if value is backend_dict:
            return module.__name__, name
    raise LookupError(f"moto's {backend_dict.service_name} backends are not a module attribute of {module.__name__}")


def capture() -> State:
    from moto.core.base_backend import BackendDict

    return {
        _locate(backends): {account: dict(regions) for account, regions in backends.items()}
        for backends in list(BackendDict._instances)  # type: ignore[misc]  # moto's registry of used services
        if any(backends.values())
    }


def write(path: Path, meta: dict[str, Any], state: State) -> int:
    """Write ``(meta, state)`` to ``path`` atomically and durably; returns its size in bytes."""
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump((meta, state))
    temporary = path.with_suffix(".tmp")
    with temporary.open("wb") as file:
        file.write(buffer.getbuffer())
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, path)
    sync_directory(path.parent)
    return buffer.tell()


def read(path: Path) -> tuple[dict[str, Any], State]:
    with path.open("rb") as file:
        meta, state = pickle.load(file)  # noqa: S301 - our own file in our own state directory
    return dict(meta), state


def restore(state: State) -> None:
    """Put every backend back where moto looks it up."""
    for (module, attribute), accounts in state.items():
        backends = getattr(importlib.import_module(module), attribute)
        for account, regions in accounts.items():
            account_backends = backends[account]
            for region, backend in regions.items():
                dict.__setitem__(account_backends, region, backend)
