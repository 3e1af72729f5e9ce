"""One lakehouse deployed by Terraform for the whole test session: `just up`, then `just push` (an
apply of terraform/environments/local that adopts the buckets `up` made). tests/terraform reads and
reads that apply; tests/test_stack_e2e.py runs the pipelines it deployed, then re-plans it. One apply,
not two."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from emulator.settings import Settings, load_settings
from emulator.stack import supervisor
from tools.deploy import lakehouse as local_env
from tools.deploy import terraform as tf
from tools.deploy.lakehouse import LocalDeployment, apply_local


@dataclass(frozen=True)
class DeployedLakehouse:
    settings: Settings
    environ: dict[str, str]  # the LAKEHOUSE_* variables that point a command line at it
    deployment: LocalDeployment
    said: tuple[str, ...]  # what the apply reported

    def plan(self) -> subprocess.CompletedProcess[str]:
        """``terraform plan -detailed-exitcode`` of environments/local against the lakehouse now
        (exit code 0: no changes, 2: changes)."""
        cwd, data = local_env.local_init(self.settings.state_dir)
        command = ["terraform", "plan", "-detailed-exitcode", "-input=false", "-no-color",
                   *local_env.local_variables(self.settings)]  # fmt: skip
        env = tf.terraform_env(data, extra=local_env.local_environment(self.settings))
        return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)


@pytest.fixture(scope="session")
def deployed_lakehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DeployedLakehouse]:
    from tests.emulator.servers import free_port  # here: the conftest that registers this is copied by test_new_job

    environ = {
        "LAKEHOUSE_STATE_DIR": str(tmp_path_factory.mktemp("lakehouse-deployed")),
        "LAKEHOUSE_AWS_PORT": str(free_port()),
        "LAKEHOUSE_CATALOG_PORT": str(free_port()),
    }
    settings = load_settings(environ)
    said: list[str] = []
    try:
        seconds = supervisor.up(settings, fresh=True, say=lambda _: None)
        assert seconds < 30
        deployment = apply_local(settings, say=said.append)
        yield DeployedLakehouse(settings, environ, deployment, tuple(said))
    finally:
        supervisor.down(settings, say=lambda _: None)
