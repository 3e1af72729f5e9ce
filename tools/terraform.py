"""Terraform the way this repository runs it: `just tf-validate`, `just tf-plan ENV`, `just deploy-local`.

Every command gets ``TF_IN_AUTOMATION``, no prompts, a data directory outside the source tree
(``.lakehouse/terraform/``) and, where the provider mirror exists (/opt/tf-plugins), the
repository's CLI configuration so ``init`` works offline. ``deploy-local`` builds the core wheel
and applies ``terraform/environments/local`` to the emulator: buckets, KMS, Glue jobs (scripts
and wheel uploaded by the apply), pipelines, IAM. When Terraform already deployed to the running
lakehouse (its state is there), the apply only changes what changed; otherwise, or with
``--fresh``, it starts a fresh lakehouse first, so Terraform owns every resource it creates.

Why a fresh apply cannot be fast: the AWS provider 5.100.0 confirms each new
``aws_s3_bucket_lifecycle_configuration`` 10 times, 5 s apart, after a 10 s delay (55 s, whatever
S3 answers; hashicorp/terraform-provider-aws#41764), each new KMS key's rotation, policy and tags
5 times 1 s apart (~12 s) and each bucket's versioning 3 times after 1 s. The emulator answers
what was written on the first read (checked in DEBUG logs: every poll matched), so these are the
provider's fixed waits, which an update of other resources does not pay.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tools.manifest import REPO_ROOT

if TYPE_CHECKING:
    from emulator.settings import Settings

TERRAFORM_ROOT = REPO_ROOT / "terraform"
PROVIDER_MIRROR = Path("/opt/tf-plugins")
CLI_CONFIG = TERRAFORM_ROOT / "terraformrc.hcl"
ENVIRONMENTS = ("dev", "int", "prod", "local")
DATA_ROOT = REPO_ROOT / ".lakehouse" / "terraform"
GO_GC_PERCENT = "400"
INIT_STAMP = "init.sha256"


class TerraformError(RuntimeError):
    """A terraform command failed; the message carries its output."""


def terraform_env(data_dir: Path, base: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ if base is None else base)
    env.update({"TF_IN_AUTOMATION": "1", "TF_INPUT": "0", "TF_DATA_DIR": str(data_dir), "CHECKPOINT_DISABLE": "1"})
    # Terraform and the AWS provider (which inherits this environment) spend most of a small apply
    # building and decoding the provider's schema, allocation-bound: a 4x heap target cut a local
    # plan from 26-27 s to 17-22 s on 2 busy cores for ~300 MB more peak memory. A caller's GOGC wins.
    env.setdefault("GOGC", GO_GC_PERCENT)
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


def local_state_file(settings_state_dir: Path) -> Path:
    return settings_state_dir / "terraform" / "local.tfstate"


def _init_fingerprint(state: Path, data: Path) -> str:
    """What ``init`` depends on: the backend path, the CLI configuration and every .tf and lock file
    (module sources and provider constraints live there)."""
    cli_config = terraform_env(data).get("TF_CLI_CONFIG_FILE", "")
    digest = hashlib.sha256(f"{state}\0{cli_config}\0".encode())
    files = sorted(p for p in TERRAFORM_ROOT.rglob("*") if p.suffix in {".tf", ".hcl"} and ".terraform" not in p.parts)
    for path in files:
        digest.update(f"{path.relative_to(TERRAFORM_ROOT)}\0".encode() + path.read_bytes() + b"\0")
    return digest.hexdigest()


def local_init(settings_state_dir: Path, *, reuse: bool = True) -> tuple[Path, Path]:
    """Init the local environment with its state next to the emulator's state. ``reuse``: skip
    ``init`` (~2 s) when this data directory was initialised from the same files and backend."""
    cwd = TERRAFORM_ROOT / "environments" / "local"
    data = settings_state_dir / "terraform" / "data"
    state = local_state_file(settings_state_dir)
    stamp = data / INIT_STAMP
    fingerprint = _init_fingerprint(state, data)
    if reuse and (data / "terraform.tfstate").is_file() and stamp.is_file() and stamp.read_text() == fingerprint:
        return cwd, data
    terraform(["init", "-input=false", "-no-color", "-reconfigure", f"-backend-config=path={state}"], cwd, data)
    stamp.write_text(fingerprint)
    return cwd, data


def local_variables(settings: Settings) -> list[str]:
    """The lakehouse this environment is applied to (its port may not be the default)."""
    return ["-var", f"aws_endpoint={settings.aws_endpoint}", "-var", f"region={settings.lakehouse.region}"]


def _wants_fresh(settings: Settings, fresh: bool | None) -> bool:
    """``None``: fresh unless Terraform already deployed to the running lakehouse."""
    from emulator.stack import supervisor

    if fresh is not None:
        return fresh
    return not (local_state_file(settings.state_dir).is_file() and supervisor.is_up(settings))


def deploy_local(*, fresh: bool | None = True, tuned: bool = True, say: Callable[[str], None] = print) -> float:
    """Core wheel and ``terraform apply`` of the local environment; returns seconds. ``fresh``: True
    starts a fresh lakehouse first, False applies to the running one, None picks (see
    ``_wants_fresh``). ``tuned=False`` runs ``init`` every time, as before: bench/deploy_local.py
    compares the two (with Go's default GC target for the untuned run)."""
    from emulator.settings import load_settings
    from emulator.stack import supervisor
    from tools.local_deploy import build_wheel

    started = time.monotonic()
    settings = load_settings()
    if _wants_fresh(settings, fresh):
        say("starting a fresh lakehouse: Terraform must own every resource it creates")
        supervisor.up(settings, fresh=True, create_buckets=False, say=say)
    elif not supervisor.is_up(settings):
        raise TerraformError("the lakehouse is not running: start it with `just up`")
    else:
        say("applying the changes to the running lakehouse (`--fresh` starts over)")
    say(f"built {build_wheel().name}")
    cwd, data = local_init(settings.state_dir, reuse=tuned)
    say("terraform apply (environments/local → the lakehouse) ...")
    output = terraform(["apply", "-auto-approve", "-input=false", "-no-color", *local_variables(settings)], cwd, data)
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

        settings = load_settings()
        cwd, data = local_init(settings.state_dir)
        extra = [*local_variables(settings), *extra]
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


def _start_choice(fresh: bool, keep: bool) -> bool | None:
    """``--fresh`` → True, ``--keep`` → False, neither → None (deploy_local decides)."""
    if fresh:
        return True
    return False if keep else None


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.terraform", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("validate", help="fmt -check and validate every environment and module example")
    deploy = commands.add_parser(
        "deploy-local", help="apply environments/local: the changes to the lakehouse it deployed to, else a fresh one"
    )
    start = deploy.add_mutually_exclusive_group()
    start.add_argument("--fresh", action="store_true", help="start a fresh lakehouse first, whatever runs")
    start.add_argument("--keep", action="store_true", help="apply to the running lakehouse (error if it is not up)")
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
            seconds = deploy_local(fresh=_start_choice(options.fresh, options.keep))
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
