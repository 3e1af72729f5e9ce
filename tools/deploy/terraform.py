"""Terraform the way this repository runs it, and ``just tf-validate``.

Every command gets ``TF_IN_AUTOMATION``, no prompts, a data directory outside the source tree
(``terraform/`` in the state directory: ``LAKEHOUSE_STATE_DIR``, default ``.lakehouse/``; see
``core.state_layout``) and, where the provider mirror exists (/opt/tf-plugins), the repository's CLI
configuration so ``init`` works offline.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from core.state_layout import state_layout
from tools.repository import REPO_ROOT, TERRAFORM_ROOT

PROVIDER_MIRROR = Path("/opt/tf-plugins")
CLI_CONFIG = TERRAFORM_ROOT / "terraformrc.hcl"
ENVIRONMENTS = ("dev", "int", "prod", "local")
GO_GC_PERCENT = "400"
ENDPOINT_OVERRIDE_PREFIX = "AWS_ENDPOINT_URL"  # AWS_ENDPOINT_URL and every AWS_ENDPOINT_URL_<SERVICE>


class TerraformError(RuntimeError):
    """A terraform command failed; the message carries its output."""


def terraform_env(
    data_dir: Path, base: Mapping[str, str] | None = None, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """``base`` (default: this process's environment) without AWS endpoint overrides, then ``extra``.

    The AWS provider sends every request to ``AWS_ENDPOINT_URL`` when set, and a shell that ran
    ``eval "$(just env)"`` has it set to the lakehouse: only the local environment passes it, in
    ``extra``, so a plan of dev, int or prod never goes to the emulator."""
    inherited = os.environ if base is None else base
    env = {key: value for key, value in inherited.items() if not key.startswith(ENDPOINT_OVERRIDE_PREFIX)}
    env.update({"TF_IN_AUTOMATION": "1", "TF_INPUT": "0", "TF_DATA_DIR": str(data_dir), "CHECKPOINT_DISABLE": "1"})
    # Terraform and the AWS provider (which inherits this environment) spend most of a small apply
    # building and decoding the provider's schema, allocation-bound: a 4x heap target cut a local
    # plan from 26-27 s to 17-22 s on 2 busy cores for ~300 MB more peak memory. A caller's GOGC wins.
    env.setdefault("GOGC", GO_GC_PERCENT)
    if PROVIDER_MIRROR.is_dir():
        env["TF_CLI_CONFIG_FILE"] = str(CLI_CONFIG)
    env.update(extra or {})
    return env


def terraform(
    args: Sequence[str], cwd: Path, data_dir: Path, *, capture: bool = True, extra_env: Mapping[str, str] | None = None
) -> str:
    done = subprocess.run(
        ["terraform", *args], cwd=cwd, env=terraform_env(data_dir, extra=extra_env), text=True, check=False,
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
    """``fmt -check`` over everything, then ``init -backend=false`` + ``validate`` per target, the
    targets side by side (each is a provider start-up and a schema load: CPU-bound, one core each).
    Every invalid target is reported, not only the first."""
    started = time.monotonic()
    terraform(["fmt", "-check", "-recursive", "-diff"], TERRAFORM_ROOT, state_layout().terraform_data("fmt"))
    targets = validate_targets()
    failures: list[str] = []
    with ThreadPoolExecutor(max_workers=min(len(targets), os.cpu_count() or 1)) as pool:
        checks = [(target, pool.submit(_validate_one, target)) for target in targets]
        for target, check in checks:
            try:
                check.result()
            except TerraformError as e:
                failures.append(str(e))
            else:
                say(f"valid: {target.relative_to(REPO_ROOT)}")
    if failures:
        raise TerraformError("\n\n".join(failures))
    return time.monotonic() - started


def _validate_one(target: Path) -> None:
    data = state_layout().terraform_data(f"validate/{'-'.join(target.relative_to(TERRAFORM_ROOT).parts)}")
    terraform(["init", "-backend=false", "-input=false", "-no-color"], target, data)
    terraform(["validate", "-no-color"], target, data)
