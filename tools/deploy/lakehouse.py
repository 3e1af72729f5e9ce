"""``just push`` and ``just deploy-local``: Terraform's ``environments/local`` applied to the lakehouse.

Terraform is the only deployer of AWS definitions, locally too: ``push`` and ``deploy-local`` build
the core wheel and apply ``terraform/environments/local`` to the lakehouse (buckets, KMS, the Glue
jobs with the scripts and wheel the apply uploads, pipelines, IAM), so what a Glue run on the
emulator executes is what AWS gets. Job and pipeline names come from the apply's outputs. The
state lives with the lakehouse's state (``core.state_layout``: ``terraform/`` in the state
directory), so after the first apply every one only changes what changed. ``just up`` creates the
stack's buckets (tools work before any deploy); the first apply to such a lakehouse adopts them
(``import``) instead of failing on BucketAlreadyOwnedByYou.

Where an apply's time goes (AWS provider 5.100.0, ``TF_LOG=debug`` and ``apply -json`` timings; the
emulator answers every read with what was written, so nothing retries):
- every command: Terraform checks the 700 MB provider binary against the lock file (~1-2 s), then
  starts the provider four times (schema, validate, plan and apply walks), the first one to build and
  decode its whole schema (~4-7 s). An ``endpoints`` block cost another ~2.5 s of CPU per walk: the
  endpoint comes from ``AWS_ENDPOINT_URL`` instead (``local_environment``);
- a fresh apply: the provider confirms some writes by reading them back a fixed number of times in a
  row whatever the answer (``retry.StateChangeConf``'s ``ContinuousTargetOccurence``): a new KMS key's
  rotation, policy and tags 5 reads 1 s apart each (~13 s; nearly everything is encrypted with the
  key or grants it, so it gates the rest), a bucket's versioning ~1.5 s, and a new S3 lifecycle
  configuration 10 reads 5 s apart after 10 s (55 s, hashicorp/terraform-provider-aws#41764:
  environments/local declares none, a difference from AWS it documents). Updates do not pay them;
- an unchanged apply: the refresh (~130 reads) and the walks above.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.state_layout import StateLayout
from tools.deploy.terraform import TerraformError, terraform, terraform_env
from tools.deploy.wheel import build_wheel
from tools.repository import TERRAFORM_ROOT

if TYPE_CHECKING:
    from emulator.settings import Settings

INIT_STAMP = "init.sha256"


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


def local_environment(settings: Settings) -> dict[str, str]:
    """What every terraform command of environments/local needs in its environment: the lakehouse's
    endpoint (its port may not be the default) for every AWS service, read by the provider from
    ``AWS_ENDPOINT_URL`` (environments/local/main.tf says why not from an ``endpoints`` block)."""
    return {"AWS_ENDPOINT_URL": settings.aws_endpoint}


def local_variables(settings: Settings, adopt_buckets: Sequence[str] = ()) -> list[str]:
    """The lakehouse's region, and the stack buckets the apply adopts (see ``buckets_to_adopt``)."""
    variables = ["-var", f"region={settings.lakehouse.region}"]
    if adopt_buckets:
        variables += ["-var", f"adopt_buckets={json.dumps(sorted(adopt_buckets))}"]
    return variables


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
    say(f"core wheel: {build_wheel(reuse=tuned).name}")
    cwd, data = local_init(settings.state_dir, reuse=tuned)
    adopt = buckets_to_adopt(settings)
    if adopt:
        say(f"adopting the lakehouse's buckets into Terraform's state: {', '.join(adopt)}")
    say("terraform apply (environments/local → the lakehouse) ...")
    output = terraform(["apply", "-auto-approve", "-input=false", "-no-color", *local_variables(settings, adopt)],
                       cwd, data, extra_env=local_environment(settings))  # fmt: skip
    summary = next((line for line in reversed(output.splitlines()) if line.startswith("Apply complete!")), "")
    say(summary or output[-2000:])
    return _deployment(settings.state_dir, time.monotonic() - started, summary)


def deploy_local(settings: Settings | None = None, *, fresh: bool = False, tuned: bool = True,
                 say: Callable[[str], None] = print) -> LocalDeployment:  # fmt: skip
    """``just deploy-local``: start the lakehouse if it is down (its state kept), or a fresh one with
    ``fresh`` (everything wiped; Terraform then creates every bucket too), then ``apply_local``.
    ``tuned=False`` builds the wheel and runs ``init`` every time: bench/deploy_local.py compares the two."""
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
