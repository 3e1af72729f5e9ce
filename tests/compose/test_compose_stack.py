"""The compose lakehouse, driven by testcontainers: jobs inside the spark container, a Step Functions
pipeline through the aws service, tables checked from the host through the catalog (pyiceberg),
with the same assertions as the embedded end-to-end test."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from testcontainers.compose import DockerCompose

from emulator.settings import Settings, load_settings
from emulator.stack import compose
from tests.emulator.servers import free_port
from tests.expected_results import assert_sample_results
from tools.data.samples import seed_raw
from tools.data.tables import rest_catalog, rows_of
from tools.deploy.lakehouse import apply_local
from tools.local.pipeline import run_pipeline

pytestmark = pytest.mark.compose

if not compose.engine_available():
    pytest.skip(
        "no Docker engine answers (docker info / docker compose): the compose suite needs one", allow_module_level=True
    )


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, DockerCompose]]:
    ports = {"AWS_PORT": str(free_port()), "CATALOG_PORT": str(free_port())}
    settings = load_settings({
        "LAKEHOUSE_STATE_DIR": str(tmp_path_factory.mktemp("compose-state")),
        "LAKEHOUSE_AWS_PORT": ports["AWS_PORT"],
        "LAKEHOUSE_CATALOG_PORT": ports["CATALOG_PORT"],
    })  # fmt: skip
    compose.build(settings, say=lambda _: None)  # in order: the emulator image is FROM the runtime image
    with pytest.MonkeyPatch.context() as patch:
        for key, value in {**ports, "COMPOSE_PROJECT_NAME": "domain-project-tests"}.items():
            patch.setenv(key, value)
        containers = DockerCompose(compose.COMPOSE_DIR, compose_file_name="compose.yaml", wait=True)
        containers.start()
        try:
            yield settings, containers
        finally:
            containers.stop()


def test_every_service_is_healthy_and_published_on_loopback(stack: tuple[Settings, DockerCompose]) -> None:
    settings, containers = stack
    health = json.load(urllib.request.urlopen(f"{settings.aws_endpoint}/_lakehouse/health", timeout=5))
    assert health["status"] == "ok"
    assert "glue-sync" in health["patches"]
    assert json.load(urllib.request.urlopen(f"{settings.catalog_uri}/healthz", timeout=5)) == {"status": "ok"}
    for service in ("aws", "catalog"):
        container = containers.get_container(service)
        assert all(p.URL == "127.0.0.1" for p in container.Publishers if p.PublishedPort), container.Publishers


def test_pipeline_in_aws_and_jobs_in_spark_write_the_expected_tables(stack: tuple[Settings, DockerCompose]) -> None:
    settings, containers = stack
    apply_local(settings, say=lambda _: None)  # Terraform deploys to the containers as it does to AWS
    seed_raw(settings)
    # day one: Step Functions runs the deployed scripts as Glue job runs inside the aws service
    described = run_pipeline(settings, "sales_daily", {"run_date": "2026-11-25"}, say=lambda _: None)
    assert described["status"] == "SUCCEEDED", described
    # day two: the same scripts run in the Glue-5.1-like spark container, as a developer would
    for script, job in [
        ("customers/job_customer_delta.py", "customers_customer_delta"),
        ("sales/job_daily_sales.py", "sales_daily_sales"),
        ("legacy_refactor/job_step01.py", "legacy_refactor_step01"),
    ]:
        command = ["python", f"jobs/{script}", "--JOB_NAME", job, "--run_date", "2026-11-26"]
        stdout, stderr, code = containers.exec_in_container(command, service_name="spark")
        assert code == 0, f"{job}:\n{stdout[-3000:]}\n{stderr[-3000:]}"
        assert '"message": "job succeeded"' in stdout
    catalog = rest_catalog(settings)
    assert_sample_results(lambda table: rows_of(catalog, table))


def test_the_runtime_image_matches_glue_5_1(stack: tuple[Settings, DockerCompose]) -> None:
    _, containers = stack
    code = "import sys, pyspark; print(sys.version_info[:2], pyspark.__version__)"
    stdout, _, status = containers.exec_in_container(["python", "-c", code], service_name="spark")
    assert status == 0
    assert stdout.strip() == "(3, 11) 3.5.6"
    stdout, stderr, status = containers.exec_in_container(["java", "-version"], service_name="spark")
    assert 'version "17.' in stdout + stderr
    stdout, _, _ = containers.exec_in_container(["id", "-u"], service_name="spark")
    assert stdout.strip() != "0"  # not root
    jars = Path("/opt/venv/lib/python3.11/site-packages/pyspark/jars")
    stdout, _, _ = containers.exec_in_container(["ls", str(jars)], service_name="spark")
    for jar in (
        "iceberg-spark-runtime-3.5_2.12-1.10.2.jar",
        "hadoop-aws-3.3.1.jar",
        "aws-java-sdk-bundle-1.11.901.jar",
    ):
        assert jar in stdout.split()
