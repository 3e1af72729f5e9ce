"""AWS catalog and storage settings, as written for AWS Glue, mapped to what runs locally.

A Glue script (or the ``--conf`` Terraform renders) names Iceberg's ``GlueCatalog``, Glue's
Iceberg REST endpoint (SigV4) or the S3 Tables catalog, with ``S3FileIO``. None of these can load
here (no AWS SDK v2, no Glue service), so every such catalog becomes the lakehouse's Iceberg REST
catalog with ``HadoopFileIO`` over S3A, and AWS-only file systems become S3A. The mapping is a pure
function of the settings, applied to every Spark configuration a job process builds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

SPARK_CATALOG_CLASSES = frozenset(
    {"org.apache.iceberg.spark.SparkCatalog", "org.apache.iceberg.spark.SparkSessionCatalog"}
)
AWS_CATALOG_IMPLS = frozenset(
    {"org.apache.iceberg.aws.glue.GlueCatalog", "software.amazon.s3tables.iceberg.S3TablesCatalog"}
)
AWS_FILE_IOS = frozenset({"org.apache.iceberg.aws.s3.S3FileIO"})
HADOOP_FILE_IO = "org.apache.iceberg.hadoop.HadoopFileIO"
S3A_FILESYSTEM = "org.apache.hadoop.fs.s3a.S3AFileSystem"
# EMRFS and friends: AWS-only Hadoop file systems for s3:// that a script may name.
AWS_FILESYSTEMS = frozenset(
    {"com.amazon.ws.emr.hadoop.fs.EmrFileSystem", "com.amazon.ws.emr.hadoop.fs.s3n.S3NativeFileSystem"}
)
_GLUE_REST_URI = re.compile(r"^https://(glue|s3tables)[.-][a-z0-9-]+\.amazonaws\.com(\.cn)?/iceberg/?$")
_CATALOG_KEY = re.compile(r"^spark\.sql\.catalog\.([^.]+)$")
# Properties that only mean something to AWS's catalog clients; dropped once the catalog is ours.
_AWS_ONLY_PROPERTIES = ("catalog-impl", "rest.sigv4-enabled", "rest.signing-name", "rest.signing-region", "glue.")


def _catalog_names(conf: Mapping[str, str]) -> list[str]:
    return [m[1] for key, value in conf.items() if (m := _CATALOG_KEY.match(key)) and value in SPARK_CATALOG_CLASSES]


def _is_aws_catalog(conf: Mapping[str, str], prefix: str) -> bool:
    catalog_type = conf.get(f"{prefix}.type", "")
    if conf.get(f"{prefix}.catalog-impl") in AWS_CATALOG_IMPLS or catalog_type == "glue":
        return True
    return catalog_type == "rest" and bool(_GLUE_REST_URI.match(conf.get(f"{prefix}.uri", "")))


def map_to_local(conf: Mapping[str, str], *, rest_uri: str, warehouse: str) -> dict[str, str]:
    """``conf`` with every AWS catalog served by the REST catalog at ``rest_uri`` and AWS file IO
    replaced by Hadoop's (S3A); everything else unchanged."""
    mapped = dict(conf)
    for name in _catalog_names(conf):
        prefix = f"spark.sql.catalog.{name}"
        if _is_aws_catalog(conf, prefix):
            for key in [k for k in mapped if k.startswith(prefix + ".")]:
                if key[len(prefix) + 1 :].startswith(_AWS_ONLY_PROPERTIES):
                    del mapped[key]
            mapped[f"{prefix}.type"] = "rest"
            mapped[f"{prefix}.uri"] = rest_uri
            mapped[f"{prefix}.warehouse"] = warehouse
            # Several processes share the local catalog: a cached table would miss their commits.
            mapped[f"{prefix}.cache-enabled"] = "false"
        if mapped.get(f"{prefix}.io-impl") in AWS_FILE_IOS or f"{prefix}.io-impl" not in mapped:
            mapped[f"{prefix}.io-impl"] = HADOOP_FILE_IO
    for key, value in conf.items():
        if key.startswith("spark.hadoop.fs.") and key.endswith(".impl") and value in AWS_FILESYSTEMS:
            mapped[key] = S3A_FILESYSTEM
    return mapped


def changed_keys(before: Mapping[str, str], after: Mapping[str, str]) -> Iterable[str]:
    """Keys whose value differs (or that were removed), for a one-line report in the run's log."""
    return sorted({k for k in before if after.get(k) != before[k]} | {k for k in after if k not in before})
