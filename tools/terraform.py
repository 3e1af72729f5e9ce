"""Terraform the way this repository runs it: `just tf-validate`, `just tf-plan ENV`, `just deploy-local`.

Every command gets ``TF_IN_AUTOMATION``, no prompts, a data directory outside the source tree
(``.lakehouse/terraform/``) and, where the provider mirror exists (/opt/tf-plugins), the
repository's CLI configuration so ``init`` works offline. ``deploy-local`` starts a fresh
lakehouse (so Terraform owns every resource it creates), builds the core wheel and applies
``terraform/environments/local`` to the emulator: buckets, KMS, Glue jobs (scripts and wheel
uploaded by the apply), pipelines, IAM.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from tools.manifest import REPO_ROOT

TERRAFORM_ROOT = REPO_ROOT / "terraform"
PROVIDER_MIRROR = Path("/opt/tf-plugins")
CLI_CONFIG = TERRAFORM_ROOT / "terraformrc.hcl"
ENVIRONMENTS = ("dev", "int", "prod", "local")
DATA_ROOT = REPO_ROOT / ".lakehouse" / "terraform"


class TerraformError(RuntimeError):
    """A terraform command failed; the message carries its output."""


def terraform_env(data_dir: Path, base: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ if base is None else base)
    env.update({"TF_IN_AUTOMATION": "1", "TF_INPUT": "0", "TF_DATA_DIR": str(data_dir), "CHECKPOINT_DISABLE": "1"})
    if PROVIDER_MIRROR.is_dir():
        env["TF_CLI_CONFIG_FILE"] = str(CLI_CONFIG)
    return env


def terraform(args: Sequence[str], cwd: Path, data_dir: Path, *, capture: bool = True) -> str:
    done = subprocess.run(
        ["terraform", *args], cwd=cwd, env=terraform_env(data_dir), text=True, check=False,
        capture_output=capture,
    )  # fmt: skip
    if done.returncode != 0:
        where = cwd.relative_to(REPO_ROOT) if cwd.is_relative_to(REPO_ROOT) else cwd
        raise TerraformError(f"terraform {' '.join(args)} failed in {where}:\n{done.stdout or ''}{done.stderr or ''}")
    return done.stdout or ""


def validate_targets() -> list[Path]:
    """Every environment root, the account bootstrap and every module example."""
    examples = sorted(TERRAFORM_ROOT.glob("modules/*/examples/*"))
    return [*(TERRAFORM_ROOT / "environments" / env for env in ENVIRONMENTS), TERRAFORM_ROOT / "bootstrap", *examples]


def validate(say: Callable[[str], None] = print) -> float:
    """``fmt -check`` over everything, then ``init -backend=false`` + ``validate`` per target."""
    started = time.monotonic()
    terraform(["fmt", "-check", "-recursive", "-diff"], TERRAFORM_ROOT, DATA_ROOT / "fmt")
    for target in validate_targets():
        name = "-".join(target.relative_to(TERRAFORM_ROOT).parts)
        data = DATA_ROOT / "validate" / name
        terraform(["init", "-backend=false", "-input=false", "-no-color"], target, data)
        terraform(["validate", "-no-color"], target, data)
        say(f"valid: {target.relative_to(REPO_ROOT)}")
    return time.monotonic() - started


def local_init(settings_state_dir: Path) -> tuple[Path, Path]:
    """Init the local environment with its state next to the emulator's state."""
    cwd = TERRAFORM_ROOT / "environments" / "local"
    data = settings_state_dir / "terraform" / "data"
    state = settings_state_dir / "terraform" / "local.tfstate"
    terraform(["init", "-input=false", "-no-color", "-reconfigure", f"-backend-config=path={state}"], cwd, data)
    return cwd, data


def deploy_local(*, fresh: bool = True, say: Callable[[str], None] = print) -> float:
    """Fresh lakehouse, core wheel, ``terraform apply`` of the local environment. Returns seconds."""
    from emulator.settings import load_settings
    from emulator.stack import supervisor
    from tools.local_deploy import build_wheel

    started = time.monotonic()
    settings = load_settings()
    if fresh:
        say("starting a fresh lakehouse: Terraform must own every resource it creates")
        supervisor.reset(settings, say=lambda _: None)
        supervisor.up(settings, say=say)
    elif not supervisor.is_up(settings):
        raise TerraformError("the lakehouse is not running: start it with `just up`")
    say(f"built {build_wheel().name}")
    cwd, data = local_init(settings.state_dir)
    variables = ["-var", f"aws_endpoint={settings.aws_endpoint}", "-var", f"region={settings.lakehouse.region}"]
    say("terraform apply (environments/local → the lakehouse) ...")
    output = terraform(["apply", "-auto-approve", "-input=false", "-no-color", *variables], cwd, data)
    summary = [line for line in output.splitlines() if line.startswith("Apply complete!")]
    say(summary[-1] if summary else output[-2000:])
    return time.monotonic() - started


def plan(environment: str, extra: Sequence[str], say: Callable[[str], None] = print) -> None:
    """``terraform plan`` for an environment: local against the running lakehouse; AWS ones need
    credentials for that account and ``TF_VAR_account_id`` (CI's deploy workflow has both)."""
    from tools.local_deploy import build_wheel

    build_wheel()
    cwd = TERRAFORM_ROOT / "environments" / environment
    if environment == "local":
        from emulator.settings import load_settings

        cwd, data = local_init(load_settings().state_dir)
    else:
        data = DATA_ROOT / environment
        terraform(["init", "-input=false", "-no-color", "-backend-config=backend.hcl"], cwd, data)
    say(terraform(["plan", "-input=false", "-no-color", *extra], cwd, data, capture=False))


def apply_saved_plan(environment: str, plan_file: Path, say: Callable[[str], None] = print) -> None:
    """Apply exactly a plan saved by ``plan ENV -out=FILE`` (what the deploy workflow's reviewers saw)."""
    if environment == "local":
        raise TerraformError("the local environment is applied with `just deploy-local`")
    cwd = TERRAFORM_ROOT / "environments" / environment
    data = DATA_ROOT / environment
    terraform(["init", "-input=false", "-no-color", "-backend-config=backend.hcl"], cwd, data)
    say(terraform(["apply", "-input=false", "-no-color", str(plan_file.resolve())], cwd, data, capture=False))


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.terraform", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("validate", help="fmt -check and validate every environment and module example")
    deploy = commands.add_parser("deploy-local", help="apply environments/local to a fresh lakehouse")
    deploy.add_argument("--keep", action="store_true", help="apply to the running lakehouse instead of a fresh one")
    planner = commands.add_parser("plan", help="plan an environment (extra args go to terraform plan)")
    planner.add_argument("environment", choices=ENVIRONMENTS)
    applier = commands.add_parser("apply", help="apply a saved plan of an AWS environment")
    applier.add_argument("environment", choices=[e for e in ENVIRONMENTS if e != "local"])
    applier.add_argument("plan_file", type=Path)
    options, rest = parser.parse_known_args(argv)
    try:
        if options.command == "validate":
            seconds = validate()
            print(f"ok: fmt and {len(validate_targets())} configurations valid in {seconds:.0f}s")
        elif options.command == "deploy-local":
            seconds = deploy_local(fresh=not options.keep)
            print(f"deployed in {seconds:.0f}s; run a pipeline: just pipeline sales_daily --run_date 2026-11-26")
        elif options.command == "apply":
            apply_saved_plan(options.environment, options.plan_file)
        else:
            plan(options.environment, rest)
    except TerraformError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
