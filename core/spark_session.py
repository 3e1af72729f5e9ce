"""``get_spark()``: the one way jobs obtain a SparkSession, locally and on AWS Glue.

``ENV`` unset or ``local``: a small local session with the Iceberg extensions and one
Iceberg catalog (``catalog_name``) set as ``spark.sql.defaultCatalog``.
``ENV`` in dev/int/prod: the session the Glue 5.1 runtime provides, never re-configured
here (the Glue job's ``--conf`` parameters configure the catalog in AWS).

This module is the only place in the repository that imports ``awsglue``.
"""

from __future__ import annotations

import argparse
import logging
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from core.class_sharing import Plan, driver_fingerprint, finish_at_exit, plan_for_driver
from core.config import Config, get_config
from core.exceptions import JobArgumentError, SparkSessionError
from core.spark_conf import local_conf

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

_log = logging.getLogger(__name__)
# Keys whose value must match when get_spark() is asked again in the same process.
_IDENTITY_PREFIXES = ("spark.sql.catalog.", "spark.sql.defaultCatalog", "spark.hadoop.fs.s3a.endpoint", "spark.master")


def get_spark(config: Config | None = None, *, app_name: str = "domain-project") -> SparkSession:
    """Return this process's SparkSession for ``config`` (resolved from the environment if omitted)."""
    config = config or get_config()
    if config.is_aws:
        return _glue_session()
    return _local_session(config, app_name)


def _local_session(config: Config, app_name: str) -> SparkSession:
    from pyspark.errors import PySparkException
    from pyspark.sql import SparkSession

    from core.jars import ensure_jars

    if config.catalog_type == "rest":
        _check_catalog_answers(config)
    jar_paths = None
    if config.jars_source == "pypi":
        jar_paths = ensure_jars(config.jars_cache_dir, index_url=config.jars_index_url)
    conf = local_conf(config, jar_paths, app_name=app_name)
    active = SparkSession.getActiveSession()
    if active is not None:
        _check_same_session(active, conf)
        return active
    sharing = _class_sharing(config, jar_paths, conf)
    if sharing.java_options:
        conf["spark.driver.extraJavaOptions"] = f"{conf['spark.driver.extraJavaOptions']} {sharing.options_string()}"
    builder = SparkSession.builder
    for key, value in conf.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except PySparkException as e:
        if sharing.recording is not None:
            sharing.recording.release()
        raise SparkSessionError(
            f"cannot start local Spark ({e.getErrorClass() or type(e).__name__}): is Java 17 installed "
            "and JAVA_HOME or PATH pointing at it? Run `java -version` to check."
        ) from e
    if sharing.recording is not None:
        finish_at_exit(sharing.recording)
    _log.debug("started local Spark %s with catalog %s", session.version, config.catalog_name)
    return session


def _class_sharing(config: Config, jar_paths: list[Path] | None, conf: dict[str, str]) -> Plan:
    """The driver JVM's class-sharing archive (or its recording), when this process starts the JVM."""
    from pyspark import SparkContext

    if not config.spark_class_sharing or SparkContext._gateway is not None:
        return Plan()  # off, or the JVM already runs: options would not reach it
    extra_classpath = conf.get("spark.driver.extraClassPath", "")
    return plan_for_driver(None, lambda: driver_fingerprint(config, jar_paths, extra_classpath), may_record=True)


def _check_catalog_answers(config: Config) -> None:
    """Fail with a fix, not a JVM stack trace, when the REST catalog is not there."""
    url = f"{config.catalog_uri}/v1/config"
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - configured http(s) URL
            response.read()
    except (urllib.error.URLError, OSError) as e:
        raise SparkSessionError(
            f"no Iceberg REST catalog answers at {config.catalog_uri} ({e}): start the local lakehouse "
            "with `just up`, or use a catalog without a server (DOMAIN_PROJECT_CATALOG_TYPE=hadoop and "
            "DOMAIN_PROJECT_WAREHOUSE=<dir>)"
        ) from e


def _check_same_session(session: SparkSession, wanted: dict[str, str]) -> None:
    """One session per process: asking again with a different catalog is a bug, not a reconfigure."""
    different = []
    for key, value in wanted.items():
        if key.startswith(_IDENTITY_PREFIXES):
            current = session.conf.get(key, None)
            if current != value:
                different.append(f"{key}={current!r} (asked for {value!r})")
    if different:
        raise SparkSessionError(
            "this process already has a SparkSession configured differently: "
            + "; ".join(different)
            + ". Use one session per process (stop it first if you really need another)."
        )


def _glue_session() -> SparkSession:
    """The Glue runtime's session: GlueContext(SparkContext.getOrCreate()).spark_session."""
    try:
        from awsglue.context import GlueContext
        from pyspark.context import SparkContext
    except ImportError as e:
        raise SparkSessionError(
            "ENV names an AWS environment but the awsglue package is not importable: "
            "the Glue session only exists on the AWS Glue runtime (use ENV=local here)"
        ) from e
    session: SparkSession = GlueContext(SparkContext.getOrCreate()).spark_session
    return session


def glue_resolved_options(argv: Sequence[str], names: Sequence[str]) -> dict[str, str]:
    """Glue's ``getResolvedOptions``: the runtime's on AWS, the lakehouse's clean-room one locally."""
    try:
        from awsglue.utils import getResolvedOptions
    except ImportError as e:
        raise JobArgumentError(
            "awsglue is not importable: on AWS Glue it is part of the runtime; locally the lakehouse's "
            "clean-room awsglue (emulator/glue_runtime/pythonpath) is on the path of `just run`, "
            "Glue job runs and pytest"
        ) from e
    try:
        resolved: dict[str, str] = getResolvedOptions(list(argv), list(names))
    except SystemExit as e:  # argparse exits on a missing or malformed argument
        raise JobArgumentError(f"Glue could not resolve job arguments {list(names)} from {list(argv[1:])}") from e
    except (RuntimeError, argparse.ArgumentError) as e:  # Glue's answers to reserved argument names
        raise JobArgumentError(f"Glue refused job arguments {list(names)}: {e}") from e
    return resolved
