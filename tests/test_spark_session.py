from __future__ import annotations

from pathlib import Path

import pytest
from pyspark.sql import SparkSession

from core.config import Config, load_config
from core.exceptions import SparkSessionError
from core.spark_conf import aws_glue_conf, local_conf, session_semantics_conf
from core.spark_session import get_spark


def test_local_session_has_one_iceberg_catalog_as_default(spark: SparkSession, test_config: Config) -> None:
    assert spark.conf.get("spark.sql.defaultCatalog") == "lakehouse"
    assert spark.conf.get("spark.sql.catalog.lakehouse") == "org.apache.iceberg.spark.SparkCatalog"
    assert spark.conf.get("spark.sql.catalog.lakehouse.type") == "hadoop"
    assert spark.conf.get("spark.sql.catalog.lakehouse.io-impl") == "org.apache.iceberg.hadoop.HadoopFileIO"
    assert "IcebergSparkSessionExtensions" in spark.conf.get("spark.sql.extensions", "")
    assert spark.conf.get("spark.sql.shuffle.partitions") == "2"
    assert spark.conf.get("spark.ui.enabled") == "false"
    assert spark.conf.get("spark.hadoop.fs.s3.impl") == "org.apache.hadoop.fs.s3a.S3AFileSystem"
    assert spark.sql("SELECT current_catalog()").first()[0] == "lakehouse"  # type: ignore[index]


def test_two_part_names_resolve_in_the_default_catalog(spark: SparkSession, namespace: str) -> None:
    spark.sql(f"CREATE TABLE {namespace}.t (id bigint) USING iceberg")
    spark.sql(f"INSERT INTO {namespace}.t VALUES (1)")
    assert spark.sql(f"SELECT id FROM lakehouse.{namespace}.t").collect()[0]["id"] == 1


def test_same_config_returns_the_same_session(spark: SparkSession, test_config: Config) -> None:
    assert get_spark(test_config) is spark


def test_a_different_catalog_in_the_same_process_is_refused(spark: SparkSession, tmp_path: Path) -> None:
    other = load_config({"catalog_type": "hadoop", "warehouse": str(tmp_path), "catalog_name": "other"}, environ={})
    with pytest.raises(SparkSessionError, match="already has a SparkSession configured differently"):
        get_spark(other)


def test_rest_catalog_and_s3_endpoint_conf() -> None:
    config = load_config(environ={})
    conf = local_conf(config, None, app_name="x")
    assert conf["spark.sql.catalog.lakehouse.type"] == "rest"
    assert conf["spark.sql.catalog.lakehouse.uri"] == "http://127.0.0.1:8181"
    assert conf["spark.hadoop.fs.s3a.endpoint"] == "http://127.0.0.1:4566"
    assert conf["spark.hadoop.fs.s3a.path.style.access"] == "true"
    assert conf["spark.hadoop.fs.s3a.connection.ssl.enabled"] == "false"
    assert "spark.jars" not in conf


def test_maven_source_uses_packages_instead_of_files() -> None:
    conf = local_conf(load_config({"jars_source": "maven"}, environ={}), None, app_name="x")
    assert conf["spark.jars.packages"].startswith("org.apache.iceberg:iceberg-spark-runtime-3.5_2.12:1.10.2")


def test_aws_conf_shares_the_session_semantics_with_local() -> None:
    local = local_conf(load_config(environ={}), None, app_name="x")
    aws = aws_glue_conf(load_config(environ={"ENV": "prod"}))
    semantics = session_semantics_conf(load_config(environ={}))
    assert semantics.items() <= local.items()
    assert semantics.items() <= aws.items()
    assert aws["spark.sql.catalog.lakehouse.type"] == "glue"
    assert aws["spark.sql.catalog.lakehouse.io-impl"] == "org.apache.iceberg.aws.s3.S3FileIO"
    assert aws["spark.sql.catalog.lakehouse.warehouse"] == "s3://domain-project-prod-curated/warehouse"


def test_glue_rest_conf_signs_requests_to_glues_iceberg_endpoint() -> None:
    config = load_config({"catalog_type": "glue_rest", "glue_catalog_id": "123456789012"}, environ={"ENV": "prod"})
    prefix = "spark.sql.catalog.lakehouse"
    assert {k: v for k, v in aws_glue_conf(config).items() if k.startswith(f"{prefix}.")} == {
        f"{prefix}.type": "rest",
        f"{prefix}.uri": "https://glue.eu-west-1.amazonaws.com/iceberg",
        f"{prefix}.warehouse": "123456789012",
        f"{prefix}.rest.sigv4-enabled": "true",
        f"{prefix}.rest.signing-name": "glue",
        f"{prefix}.rest.signing-region": "eu-west-1",
        f"{prefix}.io-impl": "org.apache.iceberg.aws.s3.S3FileIO",
    }
