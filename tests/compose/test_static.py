"""Checks of compose/ that need no Docker engine: the compose files and the Dockerfiles."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO_ROOT

COMPOSE = REPO_ROOT / "compose"
BIN = Path(sys.executable).parent


def _compose_binary() -> list[str]:
    plugin = (
        subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
        if shutil.which("docker")
        else None
    )
    return ["docker", "compose"] if plugin and plugin.returncode == 0 else [str(BIN / "docker-compose")]


@pytest.mark.parametrize(
    "files",
    [["compose.yaml"], ["compose.yaml", "compose.minio.yaml"], ["compose.yaml", "compose.localstack.yaml"]],
    ids=["default", "minio", "localstack"],
)
def test_compose_config_is_valid(files: list[str]) -> None:
    args = [arg for name in files for arg in ("-f", name)]
    profiles = [p for p in ("minio", "localstack") if any(p in f for f in files)]
    env = {**os.environ, "LOCALSTACK_AUTH_TOKEN": "check"}
    done = subprocess.run([*_compose_binary(), *args, *(a for p in profiles for a in ("--profile", p)), "config",
                           "--quiet"], cwd=COMPOSE, env=env, capture_output=True, text=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_default_profile_publishes_on_loopback_with_healthchecks_and_one_base_image() -> None:
    spec = yaml.safe_load((COMPOSE / "compose.yaml").read_text())
    for name, service in spec["services"].items():
        assert "healthcheck" in service, name
        for port in service.get("ports", []):
            assert port.startswith("127.0.0.1:"), (name, port)
        for dependency in service.get("depends_on", {}).values():
            assert dependency == {"condition": "service_healthy"}, name
        assert service["image"].startswith("domain-project/"), name  # built here, never pulled
    runtime = (COMPOSE / "glue-runtime/Dockerfile").read_text()
    assert "ARG BASE_IMAGE=debian:bookworm-slim\nFROM ${BASE_IMAGE}" in runtime
    assert "FROM ${RUNTIME_IMAGE}" in (COMPOSE / "emulator/Dockerfile").read_text()
    assert "COPY compose/build-context/jars/" in runtime  # jars come from the build context, not Maven
    assert "spark.jars.packages" not in runtime


def test_hadolint_finds_nothing() -> None:
    done = subprocess.run([str(BIN / "hadolint"), "compose/glue-runtime/Dockerfile", "compose/emulator/Dockerfile"],
                          cwd=REPO_ROOT, capture_output=True, text=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def test_optional_profiles_document_what_they_change() -> None:
    for name in ("compose.minio.yaml", "compose.localstack.yaml"):
        text = (COMPOSE / name).read_text()
        assert "Changes:" in text
        assert "Unchanged:" in text
