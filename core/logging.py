"""Structured logging: one JSON object per line on stdout, as CloudWatch Logs ingests it.

Each line carries ``timestamp``, ``level``, ``logger``, ``job``, ``run_id``, ``env``,
``message`` and any ``extra={...}`` fields. Secrets are redacted before anything is
written: values of keys that look like credentials, values registered as secrets
(config keys, job arguments) and credential-shaped tokens inside messages.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
from collections.abc import Iterable, Mapping
from typing import Any, TextIO

REDACTED = "***"
SECRET_KEY_RE = re.compile(r"(pass(word|wd)?|secret|token|credential|api[_-]?key|access[_-]?key|private[_-]?key)", re.I)
_INLINE_SECRET_RE = re.compile(
    r"(?P<key>--?[\w.-]*(?:pass(?:word|wd)?|secret|token|api[_-]?key|access[_-]?key)[\w.-]*)"
    r"(?P<sep>[= ]+)(?P<value>\S+)",
    re.I,
)
_AWS_KEY_ID_RE = re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b")
_RESERVED = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}
_HANDLER_MARK = "_domain_project_json"


def redact(value: Any, secrets: Iterable[str] = ()) -> Any:
    """Copy of ``value`` with secrets masked (dicts by key name, strings by content)."""
    secret_values = [s for s in secrets if s and len(s) >= 4]
    if isinstance(value, Mapping):
        return {
            k: REDACTED if SECRET_KEY_RE.search(str(k)) and v not in (None, "") else redact(v, secret_values)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact(v, secret_values) for v in value]
    if isinstance(value, str):
        for secret in secret_values:
            value = value.replace(secret, REDACTED)
        value = _INLINE_SECRET_RE.sub(lambda m: f"{m['key']}{m['sep']}{REDACTED}", value)
        return _AWS_KEY_ID_RE.sub(REDACTED, value)
    return value


class JsonFormatter(logging.Formatter):
    """Formats records as single-line JSON with the run's context and redaction applied."""

    def __init__(self, context: Mapping[str, Any], secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.context = dict(context)
        self.secrets = tuple(secrets)

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "timestamp": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            **self.context,
            "message": record.getMessage(),
        }
        payload.update({k: v for k, v in vars(record).items() if k not in _RESERVED and not k.startswith("_")})
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(redact(payload, self.secrets), default=str, ensure_ascii=False)


def configure_logging(
    *,
    job: str | None = None,
    run_id: str | None = None,
    env: str | None = None,
    level: str = "INFO",
    secrets: Iterable[str | None] = (),
    stream: TextIO | None = None,
) -> None:
    """Install (or replace) the JSON handler on the root logger. Safe to call again."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _HANDLER_MARK, False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stdout)
    setattr(handler, _HANDLER_MARK, True)
    context = {"job": job, "run_id": run_id, "env": env}
    handler.setFormatter(JsonFormatter(context, [s for s in secrets if s]))
    root.addHandler(handler)
    root.setLevel(level)
    # py4j logs every JVM call at INFO; it drowns the job's own lines.
    logging.getLogger("py4j").setLevel(logging.WARNING)


def get_logger(name: str) -> logging.Logger:
    """A named logger; call :func:`configure_logging` once at the job's edge."""
    return logging.getLogger(name)
