"""``just tf-plan ENV`` and ``just tf-apply ENV PLAN``: an environment's plan (local: against the running
lakehouse), and exactly a saved plan applied to an AWS account."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from core.state_layout import state_layout
from tools.deploy.lakehouse import local_environment, local_init, local_variables
from tools.deploy.terraform import TerraformError, terraform
from tools.deploy.wheel import build_wheel
from tools.repository import TERRAFORM_ROOT


def plan(environment: str, extra: Sequence[str], say: Callable[[str], None] = print) -> None:
    """``terraform plan`` for an environment: local against the running lakehouse; AWS ones need
    credentials for that account and ``TF_VAR_account_id`` (CI's deploy workflow has both)."""
    build_wheel()
    cwd = TERRAFORM_ROOT / "environments" / environment
    if environment == "local":
        from emulator.settings import load_settings

        settings = load_settings()
        cwd, data = local_init(settings.state_dir)
        extra = [*local_variables(settings), *extra]
        environ = local_environment(settings)
    else:
        data = state_layout().terraform_data(environment)
        terraform(["init", "-input=false", "-no-color", "-backend-config=backend.hcl"], cwd, data)
        environ = {}
    say(terraform(["plan", "-input=false", "-no-color", *extra], cwd, data, capture=False, extra_env=environ))


def apply_saved_plan(environment: str, plan_file: Path, say: Callable[[str], None] = print) -> None:
    """Apply exactly a plan saved by ``plan ENV -out=FILE`` (what the deploy workflow's reviewers saw)."""
    if environment == "local":
        raise TerraformError("the local environment is applied with `just deploy-local`")
    cwd = TERRAFORM_ROOT / "environments" / environment
    data = state_layout().terraform_data(environment)
    terraform(["init", "-input=false", "-no-color", "-backend-config=backend.hcl"], cwd, data)
    say(terraform(["apply", "-input=false", "-no-color", str(plan_file.resolve())], cwd, data, capture=False))
