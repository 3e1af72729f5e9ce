"""``start_job``: the edge of every job script: arguments, config, logging, Spark, in that order.

A job's ``main()`` is::

    def main(argv: Sequence[str] | None = None) -> None:
        with start_job(argv, required=["run_date"]) as job:
            raw = read_csv(job.spark, job.config.raw_uri("sales/orders"), SCHEMA)
            ...

Configuration is read once here and passed down. On Glue, ``ENV``, ``CONFIG_PATH`` and
``DOMAIN_PROJECT_*`` arrive as job parameters (Glue cannot set environment variables) and
are layered over the process environment.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from core.args import JobArgs, resolve_job_args
from core.config import Config, load_config
from core.logging import SECRET_KEY_RE, configure_logging
from core.spark_session import get_spark

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


@dataclass(frozen=True)
class JobRun:
    """Everything a job needs, resolved once: its arguments, config, session and logger."""

    args: JobArgs
    config: Config
    spark: SparkSession
    log: logging.Logger


def _secrets(args: JobArgs, config: Config) -> list[str | None]:
    arg_secrets = [v for k, v in args.values.items() if SECRET_KEY_RE.search(k)]
    return [config.aws_access_key_id, config.aws_secret_access_key, *arg_secrets]


@contextlib.contextmanager
def start_job(
    argv: Sequence[str] | None = None,
    *,
    required: Sequence[str] = (),
    optional: Mapping[str, str | None] | None = None,
    config_overrides: Mapping[str, Any] | None = None,
) -> Iterator[JobRun]:
    """Resolve arguments (Glue semantics), config, logging and Spark; log the run's outcome."""
    started = time.monotonic()
    args = resolve_job_args(list(sys.argv if argv is None else argv), required, optional)
    config = load_config(config_overrides, environ={**os.environ, **args.environment}, discover_stack=True)
    configure_logging(
        job=args.job_name, run_id=args.run_id, env=config.env, level=config.log_level, secrets=_secrets(args, config)
    )
    log = logging.getLogger(f"jobs.{args.job_name}")
    given = {k: v for k, v in args.values.items() if v is not None}  # Glue's unset reserved ones are noise
    log.info("job starting", extra={"arguments": given, "config": config.redacted()})
    spark = get_spark(config, app_name=args.job_name)
    try:
        yield JobRun(args=args, config=config, spark=spark, log=log)
    except BaseException:
        log.exception("job failed", extra={"duration_s": round(time.monotonic() - started, 3)})
        raise
    log.info("job succeeded", extra={"duration_s": round(time.monotonic() - started, 3)})
