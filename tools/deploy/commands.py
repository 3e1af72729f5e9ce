"""The deploy commands of ``python -m tools``: tf-validate, tf-plan, tf-apply, push, deploy-local."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from tools.deploy.environments import apply_saved_plan, plan
from tools.deploy.lakehouse import LocalDeployment, apply_local, deploy_local
from tools.deploy.terraform import ENVIRONMENTS, TerraformError, validate, validate_targets


def _reported(run: Callable[[], None]) -> int:
    """Run a deploy step; a Terraform failure is one error line (its output included) and exit 1."""
    try:
        run()
    except TerraformError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


def _print_deployment(deployment: LocalDeployment) -> None:
    print(f"deployed {len(deployment.jobs)} Glue jobs and {len(deployment.pipelines)} pipeline(s) "
          f"({', '.join(deployment.pipelines)}) in {deployment.seconds:.0f}s; "
          "run one: just pipeline sales_daily --run_date 2026-11-26")  # fmt: skip


def tf_validate(argv: list[str]) -> int:
    """``just tf-validate``."""
    argparse.ArgumentParser(
        prog="just tf-validate", description="fmt -check and validate every environment and module example"
    ).parse_args(argv)

    def run() -> None:
        seconds = validate()
        print(f"ok: fmt and {len(validate_targets())} configurations valid in {seconds:.0f}s")

    return _reported(run)


def tf_plan(argv: list[str]) -> int:
    """``just tf-plan ENV [terraform plan args]``."""
    parser = argparse.ArgumentParser(
        prog="just tf-plan", description="plan an environment (extra args go to terraform plan)"
    )
    parser.add_argument("environment", choices=ENVIRONMENTS)
    options, rest = parser.parse_known_args(argv)
    return _reported(lambda: plan(options.environment, rest))


def tf_apply(argv: list[str]) -> int:
    """``just tf-apply ENV PLANFILE``."""
    parser = argparse.ArgumentParser(prog="just tf-apply", description="apply a saved plan of an AWS environment")
    parser.add_argument("environment", choices=[e for e in ENVIRONMENTS if e != "local"])
    parser.add_argument("plan_file", type=Path)
    options = parser.parse_args(argv)
    return _reported(lambda: apply_saved_plan(options.environment, options.plan_file))


def push(argv: list[str]) -> int:
    """``just push``."""
    from emulator.settings import load_settings

    argparse.ArgumentParser(
        prog="just push", description="apply environments/local to the running lakehouse (scripts, wheel, jobs, ...)"
    ).parse_args(argv)
    return _reported(lambda: _print_deployment(apply_local(load_settings())))


def deploy_local_command(argv: list[str]) -> int:
    """``just deploy-local [--fresh|--keep]``."""
    from emulator.settings import load_settings

    parser = argparse.ArgumentParser(
        prog="just deploy-local", description="apply environments/local to the lakehouse, starting it if it is down"
    )
    start = parser.add_mutually_exclusive_group()
    start.add_argument("--fresh", action="store_true", help="start a fresh lakehouse first, whatever runs")
    start.add_argument("--keep", action="store_true", help="apply to the running lakehouse (error if it is not up)")
    options = parser.parse_args(argv)

    def run() -> None:
        settings = load_settings()
        _print_deployment(apply_local(settings) if options.keep else deploy_local(settings, fresh=options.fresh))

    return _reported(run)
