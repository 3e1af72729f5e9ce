"""The --conf Terraform renders for environments/dev runs unchanged on the lakehouse: its
GlueCatalog (or Glue's Iceberg REST endpoint with SigV4) and S3FileIO are served by the local
REST catalog with HadoopFileIO over S3A, and the table is where the REST catalog says."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pyiceberg.catalog.rest import RestCatalog

from core.config import load_config
from tests.glue_compat.conftest import GlueUser
from tests.glue_compat.s3data import as_tuples
from tests.terraform.spark_conf import rendered_spark_conf

pytestmark = [
    pytest.mark.glue_compat,
    pytest.mark.skipif(shutil.which("terraform") is None, reason="needs the terraform binary (CI installs it)"),
]


@pytest.mark.parametrize("catalog_api", ["glue", "glue_rest"])
def test_the_dev_environments_rendered_conf_runs_a_merge_locally(
    user: GlueUser, iceberg: RestCatalog, tmp_path: Path, catalog_api: str
) -> None:
    catalog_id = "123456789012" if catalog_api == "glue_rest" else None
    dev = load_config({"catalog_type": catalog_api, "glue_catalog_id": catalog_id}, environ={"ENV": "dev"})
    rendered = rendered_spark_conf(tmp_path, {
        "catalog_name": dev.catalog_name, "warehouse": dev.warehouse, "catalog_api": catalog_api,
        "region": dev.region, "catalog_id": catalog_id,
    })  # fmt: skip
    assert rendered["map"]["spark.sql.defaultCatalog"] == dev.catalog_name  # jobs use two-part names
    namespace = f"tf_dev_{catalog_api}"
    job = user.deploy(f"compat_tf_dev_{catalog_api}", "terraform_conf_merge.py",
                      {"--datalake-formats": "iceberg", "--conf": rendered["argument"]})  # fmt: skip
    user.run_ok(job, {"--namespace": namespace})
    rows = iceberg.load_table(f"{namespace}.accounts").scan().to_arrow().to_pylist()
    assert as_tuples(rows, "id", "balance") == [(1, 10), (2, 25), (3, 30)]
