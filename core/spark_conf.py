"""Spark configuration as plain dictionaries: what a session needs, without starting one.

Kept free of pyspark imports so Terraform tests, the emulator and ``python -m core.spark_conf``
can compare the local and the AWS settings. The catalog is registered the same way in
every environment (name, extensions, ``spark.sql.defaultCatalog``), so job code uses
two-part names (``sales.orders``) everywhere; only the backend and the file IO differ.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from core.config import Config

ICEBERG_EXTENSIONS = "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions"
ICEBERG_SPARK_CATALOG = "org.apache.iceberg.spark.SparkCatalog"
HADOOP_FILE_IO = "org.apache.iceberg.hadoop.HadoopFileIO"
S3_FILE_IO = "org.apache.iceberg.aws.s3.S3FileIO"
S3A_FILESYSTEM = "org.apache.hadoop.fs.s3a.S3AFileSystem"
LOG4J2_PROPERTIES = Path(__file__).with_name("log4j2.properties")


def session_semantics_conf(config: Config) -> dict[str, str]:
    """Settings that must be identical locally and on Glue, or job behaviour would drift."""
    return {
        "spark.sql.extensions": ICEBERG_EXTENSIONS,
        f"spark.sql.catalog.{config.catalog_name}": ICEBERG_SPARK_CATALOG,
        "spark.sql.defaultCatalog": config.catalog_name,
        "spark.sql.sources.partitionOverwriteMode": "dynamic",
        "spark.sql.session.timeZone": "UTC",
    }


def glue_rest_uri(region: str) -> str:
    """Glue's Iceberg REST endpoint in ``region``."""
    return f"https://glue.{region}.amazonaws.com/iceberg"


def _glue_rest_conf(config: Config, prefix: str) -> dict[str, str]:
    """The Data Catalog through Glue's Iceberg REST endpoint, requests signed with SigV4.

    The warehouse is the catalog id; table locations come from the Glue databases'
    ``location_uri`` (Terraform's central stack sets them under the warehouse).
    """
    assert config.glue_catalog_id is not None  # enforced by config validation
    return {
        f"{prefix}.type": "rest",
        f"{prefix}.uri": config.catalog_uri or glue_rest_uri(config.region),
        f"{prefix}.warehouse": config.glue_catalog_id,
        f"{prefix}.rest.sigv4-enabled": "true",
        f"{prefix}.rest.signing-name": "glue",
        f"{prefix}.rest.signing-region": config.region,
        f"{prefix}.io-impl": S3_FILE_IO,
    }


def catalog_conf(config: Config) -> dict[str, str]:
    """Iceberg catalog settings for the configured backend (rest, hadoop, glue or glue_rest)."""
    prefix = f"spark.sql.catalog.{config.catalog_name}"
    if config.catalog_type == "glue_rest":
        return _glue_rest_conf(config, prefix)
    conf = {f"{prefix}.type": config.catalog_type, f"{prefix}.warehouse": config.warehouse}
    if config.catalog_type == "rest":
        assert config.catalog_uri is not None  # enforced by config validation
        conf[f"{prefix}.uri"] = config.catalog_uri
    if not config.is_aws:
        # Locally several processes share one catalog (emulator job runs, tests, a notebook):
        # a cached table object would miss their commits.
        conf[f"{prefix}.cache-enabled"] = "false"
    # Locally there is no AWS SDK v2, so Iceberg reads and writes through Hadoop (S3A for s3://);
    # on Glue, Iceberg's own S3FileIO is the supported path.
    conf[f"{prefix}.io-impl"] = S3_FILE_IO if config.is_aws else HADOOP_FILE_IO
    return conf


def aws_glue_conf(config: Config) -> dict[str, str]:
    """What the Glue job's ``--conf`` chain must set in AWS (Terraform renders the same)."""
    return session_semantics_conf(config) | catalog_conf(config)


def s3a_conf(config: Config) -> dict[str, str]:
    """Hadoop S3A so that ``s3://`` URIs work locally exactly as they are written in AWS."""
    conf = {
        "spark.hadoop.fs.s3.impl": S3A_FILESYSTEM,
        "spark.hadoop.fs.s3a.impl": S3A_FILESYSTEM,
        "spark.hadoop.fs.s3a.path.style.access": str(config.s3_path_style).lower(),
        # Skip S3A's bucket-exists round trip on every filesystem start; a missing bucket
        # still fails on first use, with the bucket named.
        "spark.hadoop.fs.s3a.bucket.probe": "0",
    }
    if config.s3_endpoint:
        conf["spark.hadoop.fs.s3a.endpoint"] = config.s3_endpoint
        conf["spark.hadoop.fs.s3a.connection.ssl.enabled"] = str(config.s3_endpoint.startswith("https")).lower()
    if config.aws_access_key_id and config.aws_secret_access_key:
        conf["spark.hadoop.fs.s3a.aws.credentials.provider"] = "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider"
        conf["spark.hadoop.fs.s3a.access.key"] = config.aws_access_key_id
        conf["spark.hadoop.fs.s3a.secret.key"] = config.aws_secret_access_key
    return conf


def local_runtime_conf(config: Config, jar_paths: list[Path] | None, *, app_name: str) -> dict[str, str]:
    """A small, quiet local Spark with UTC, S3A and the jars: what any local session needs,
    before a catalog is chosen (the emulator gives exactly this to every Glue job run)."""
    java_options = f"-Duser.timezone=UTC -Dlog4j2.configurationFile={LOG4J2_PROPERTIES.as_uri()}"
    if config.spark_fast_start:
        java_options += " -XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
    conf = {
        "spark.master": config.spark_master,
        "spark.app.name": app_name,
        "spark.driver.memory": config.spark_driver_memory,
        "spark.driver.host": "127.0.0.1",
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.driver.extraJavaOptions": java_options,
        "spark.executor.extraJavaOptions": java_options,
        "spark.sql.shuffle.partitions": str(config.spark_shuffle_partitions),
        "spark.default.parallelism": str(config.spark_shuffle_partitions),
        "spark.ui.enabled": str(config.spark_ui).lower(),
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.session.timeZone": "UTC",
        # Keeps Spark's built-in catalog from creating ./spark-warehouse in whatever the cwd is.
        "spark.sql.warehouse.dir": str(Path(tempfile.gettempdir()) / "domain-project-spark-warehouse"),
        **s3a_conf(config),
    }
    if config.jars_source == "maven":
        from core.jars import maven_coordinates

        conf["spark.jars.packages"] = maven_coordinates()
    elif jar_paths:
        conf["spark.jars"] = ",".join(str(p) for p in jar_paths)
    return conf


def local_conf(config: Config, jar_paths: list[Path] | None, *, app_name: str) -> dict[str, str]:
    """Everything a local session of ours needs: the runtime above, one catalog, its semantics."""
    return {
        **local_runtime_conf(config, jar_paths, app_name=app_name),
        **session_semantics_conf(config),
        **catalog_conf(config),
    }


def _main() -> None:
    """``python -m core.spark_conf``: print the local and AWS conf for the current config."""
    from core.config import get_config

    config = get_config()
    conf = aws_glue_conf(config) if config.is_aws else local_conf(config, None, app_name="inspect")
    secret = {"spark.hadoop.fs.s3a.access.key", "spark.hadoop.fs.s3a.secret.key"}
    json.dump({k: ("***" if k in secret else v) for k, v in sorted(conf.items())}, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    _main()
