"""Terraform the way this repository runs it: `just tf-validate`, `just tf-plan ENV`, `just deploy-local`, `just push`.

Every command gets ``TF_IN_AUTOMATION``, no prompts, a data directory outside the source tree
(``terraform/`` in the state directory: ``LAKEHOUSE_STATE_DIR``, default ``.lakehouse/``) and,
where the provider mirror exists (/opt/tf-plugins), the repository's CLI configuration so
``init`` works offline.

Terraform is the only deployer of AWS definitions, locally too: ``push`` and ``deploy-local`` build
the core wheel and apply ``terraform/environments/local`` to the lakehouse (buckets, KMS, the Glue
jobs with the scripts and wheel the apply uploads, pipelines, IAM), so what a Glue run on the
emulator executes is what AWS gets. Job and pipeline names come from the apply's outputs. The
state lives with the lakehouse's state, so after the first apply every one only changes what
changed. ``just up`` creates the stack's buckets (tools work before any deploy); the first apply
to such a lakehouse adopts them (``import``) instead of failing on BucketAlreadyOwnedByYou.

What a fresh apply waits for (checked in the provider's DEBUG log; the emulator answered every read
with what was written): the AWS provider 5.100.0 confirms some writes by reading them back a fixed
number of times in a row whatever the answer (``retry.StateChangeConf``'s
``ContinuousTargetOccurence``): a new S3 lifecycle configuration 10 reads 5 s apart after 10 s
(55 s, hashicorp/terraform-provider-aws#41764: environments/local declares none, the one difference
from AWS this costs), a new KMS key's rotation, policy and tags 5 reads 1 s apart each (~15 s, on the
path of everything encrypted with it), a bucket's versioning ~1.5 s. Updates do not pay them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.state_layout import StateLayout, state_layout
from tools.manifest import REPO_ROOT

if TYPE_CHECKING:
    from emulator.settings import Settings

TERRAFORM_ROOT = REPO_ROOT / "terraform"
PROVIDER_MIRROR = Path("/opt/tf-plugins")
CLI_CONFIG = TERRAFORM_ROOT / "terraformrc.hcl"
ENVIRONMENTS = ("dev", "int", "prod", "local")
DIST_DIR = REPO_ROOT / "dist"  # environments/local uploads the core wheel from here
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
    terraform(["fmt", "-check", "-recursive", "-diff"], TERRAFORM_ROOT, state_layout().terraform_data("fmt"))
    for target in validate_targets():
        name = "-".join(target.relative_to(TERRAFORM_ROOT).parts)
        data = state_layout().terraform_data(f"validate/{name}")
        terraform(["init", "-backend=false", "-input=false", "-no-color"], target, data)
        terraform(["validate", "-no-color"], target, data)
        say(f"valid: {target.relative_to(REPO_ROOT)}")
    return time.monotonic() - started


def local_state_file(settings_state_dir: Path) -> Path:
    return StateLayout(settings_state_dir).terraform_state


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
    data = StateLayout(settings_state_dir).terraform_data("data")
    state = local_state_file(settings_state_dir)
    stamp = data / INIT_STAMP
    fingerprint = _init_fingerprint(state, data)
    if reuse and (data / "terraform.tfstate").is_file() and stamp.is_file() and stamp.read_text() == fingerprint:
        return cwd, data
    terraform(["init", "-input=false", "-no-color", "-reconfigure", f"-backend-config=path={state}"], cwd, data)
    stamp.write_text(fingerprint)
    return cwd, data


def local_variables(settings: Settings, adopt_buckets: Sequence[str] = ()) -> list[str]:
    """The lakehouse this environment is applied to (its port may not be the default), and the
    stack buckets the apply adopts (see ``buckets_to_adopt``)."""
    variables = ["-var", f"aws_endpoint={settings.aws_endpoint}", "-var", f"region={settings.lakehouse.region}"]
    if adopt_buckets:
        variables += ["-var", f"adopt_buckets={json.dumps(sorted(adopt_buckets))}"]
    return variables


def build_wheel(out: Path = DIST_DIR) -> Path:
    """Build the core wheel (only core) that the apply uploads; returns its path."""
    done = subprocess.run(
        ["uv", "build", "--wheel", "--out-dir", str(out)], cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise TerraformError(f"uv build failed:\n{done.stderr}")
    from core import __version__

    return out / f"domain_project-{__version__}-py3-none-any.whl"


def _state_of(state_dir: Path) -> dict[str, Any]:
    path = local_state_file(state_dir)
    if not path.is_file():
        return {}
    try:
        state: dict[str, Any] = json.loads(path.read_text())
    except json.JSONDecodeError as e:
        raise TerraformError(f"{path} is not a Terraform state file: {e}") from e
    return state


def buckets_to_adopt(settings: Settings) -> list[str]:
    """Buckets on the lakehouse that Terraform's state does not hold yet (``just up`` made them):
    the apply imports those the environment declares rather than failing to create them."""
    from emulator.clients import aws_client

    owned = {
        instance["attributes"]["bucket"]
        for resource in _state_of(settings.state_dir).get("resources", [])
        if resource["type"] == "aws_s3_bucket" and resource["mode"] == "managed"
        for instance in resource["instances"]
    }
    existing = {bucket["Name"] for bucket in aws_client(settings, "s3").list_buckets().get("Buckets", [])}
    return sorted(existing - owned)


@dataclass(frozen=True)
class LocalDeployment:
    """What an apply of environments/local left on the lakehouse, from its outputs."""

    seconds: float
    summary: str  # Terraform's "Apply complete! Resources: ..." line
    jobs: tuple[str, ...]
    pipelines: tuple[str, ...]
    buckets: dict[str, str]  # purpose → name
    core_wheel_uri: str


def local_outputs(state_dir: Path) -> dict[str, Any]:
    """The root outputs of the last apply, read from the state (no terraform process needed)."""
    outputs = _state_of(state_dir).get("outputs")
    if not outputs:
        raise TerraformError("environments/local has not been applied to this lakehouse: run `just deploy-local`")
    return {name: output["value"] for name, output in outputs.items()}


def _deployment(state_dir: Path, seconds: float, summary: str) -> LocalDeployment:
    outputs = local_outputs(state_dir)
    return LocalDeployment(
        seconds=seconds,
        summary=summary,
        jobs=tuple(outputs["glue_job_names"]),
        pipelines=tuple(outputs["sfn_state_machine_names"]),
        buckets=dict(outputs["s3_bucket_ids"]),
        core_wheel_uri=str(outputs["core_wheel_s3_uri"]),
    )


def apply_local(settings: Settings, *, tuned: bool = True, say: Callable[[str], None] = print) -> LocalDeployment:
    """Core wheel and ``terraform apply`` of environments/local to the running lakehouse: only the
    changes when Terraform deployed to it before (its state is there). ``just push``."""
    from emulator.stack import supervisor

    started = time.monotonic()
    if not supervisor.is_up(settings):
        raise TerraformError("the lakehouse is not running: start it with `just up`")
    say(f"built {build_wheel().name}")
    cwd, data = local_init(settings.state_dir, reuse=tuned)
    adopt = buckets_to_adopt(settings)
    if adopt:
        say(f"adopting the lakehouse's buckets into Terraform's state: {', '.join(adopt)}")
    say("terraform apply (environments/local → the lakehouse) ...")
    output = terraform(["apply", "-auto-approve", "-input=false", "-no-color", *local_variables(settings, adopt)],
                       cwd, data)  # fmt: skip
    summary = next((line for line in reversed(output.splitlines()) if line.startswith("Apply complete!")), "")
    say(summary or output[-2000:])
    return _deployment(settings.state_dir, time.monotonic() - started, summary)


def deploy_local(settings: Settings | None = None, *, fresh: bool = False, tuned: bool = True,
                 say: Callable[[str], None] = print) -> LocalDeployment:  # fmt: skip
    """``just deploy-local``: start the lakehouse if it is down (its state kept), or a fresh one with
    ``fresh`` (everything wiped; Terraform then creates every bucket too), then ``apply_local``.
    ``tuned=False`` runs ``init`` every time: bench/deploy_local.py compares the two."""
    from emulator.settings import load_settings
    from emulator.stack import supervisor

    started = time.monotonic()
    settings = settings or load_settings()
    if fresh:
        say("starting a fresh lakehouse: Terraform creates every resource")
        supervisor.up(settings, fresh=True, create_buckets=False, say=say)
    elif not supervisor.is_up(settings):
        supervisor.up(settings, say=say)
    else:
        say("applying the changes to the running lakehouse (`--fresh` starts over)")
    deployment = apply_local(settings, tuned=tuned, say=say)
    return replace(deployment, seconds=time.monotonic() - started)


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
    else:
        data = state_layout().terraform_data(environment)
        terraform(["init", "-input=false", "-no-color", "-backend-config=backend.hcl"], cwd, data)
    say(terraform(["plan", "-input=false", "-no-color", *extra], cwd, data, capture=False))


def apply_saved_plan(environment: str, plan_file: Path, say: Callable[[str], None] = print) -> None:
    """Apply exactly a plan saved by ``plan ENV -out=FILE`` (what the deploy workflow's reviewers saw)."""
    if environment == "local":
        raise TerraformError("the local environment is applied with `just deploy-local`")
    cwd = TERRAFORM_ROOT / "environments" / environment
    data = state_layout().terraform_data(environment)
    terraform(["init", "-input=false", "-no-color", "-backend-config=backend.hcl"], cwd, data)
    say(terraform(["apply", "-input=false", "-no-color", str(plan_file.resolve())], cwd, data, capture=False))


def _main(argv: list[str] | None = None) -> int:
    from emulator.settings import load_settings

    parser = argparse.ArgumentParser(prog="python -m tools.terraform", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("validate", help="fmt -check and validate every environment and module example")
    deploy = commands.add_parser(
        "deploy-local", help="apply environments/local to the lakehouse, starting it if it is down"
    )
    start = deploy.add_mutually_exclusive_group()
    start.add_argument("--fresh", action="store_true", help="start a fresh lakehouse first, whatever runs")
    start.add_argument("--keep", action="store_true", help="apply to the running lakehouse (error if it is not up)")
    commands.add_parser("push", help="apply environments/local to the running lakehouse (scripts, wheel, jobs, ...)")
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
        elif options.command in {"deploy-local", "push"}:
            settings = load_settings()
            if options.command == "push" or options.keep:
                deployment = apply_local(settings)
            else:
                deployment = deploy_local(settings, fresh=options.fresh)
            print(f"deployed {len(deployment.jobs)} Glue jobs and {len(deployment.pipelines)} pipeline(s) "
                  f"({', '.join(deployment.pipelines)}) in {deployment.seconds:.0f}s; "
                  "run one: just pipeline sales_daily --run_date 2026-11-26")  # fmt: skip
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
