"""`just deploy-local` wall times, before and after the tuning, in one run on spare ports.

Before the tuning (a copy of terraform/ whose provider gets the lakehouse's endpoint from an
`endpoints` block, ``init`` and the wheel build every time, Go's default GC target): 1. fresh (a
fresh lakehouse, Terraform creates everything); 2. again with nothing changed. After it: 3. fresh
(`just deploy-local --fresh`); 4. again with nothing changed (`just push`, the inner loop: the apply
goes to the lakehouse Terraform already deployed to); 5. `just deploy-local` after `just down` (it
starts the lakehouse, state kept, then applies). A fresh apply is bounded by the AWS provider's fixed
waits for a new KMS key (see tools/deploy/lakehouse.py's docstring).
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from emulator.settings import load_settings
from emulator.stack import supervisor
from tests.emulator.servers import free_port
from tools.deploy import lakehouse as tf
from tools.deploy.wheel import build_wheel
from tools.repository import REPO_ROOT


@contextmanager
def _own_lakehouse() -> Iterator[None]:
    """deploy_local reads its settings from the environment: point it at a throwaway stack."""
    saved = dict(os.environ)
    with tempfile.TemporaryDirectory() as state:
        os.environ.update({"LAKEHOUSE_STATE_DIR": state, "LAKEHOUSE_AWS_PORT": str(free_port()),
                           "LAKEHOUSE_CATALOG_PORT": str(free_port())})  # fmt: skip
        try:
            yield
        finally:
            supervisor.down(load_settings(), say=lambda _: None)
            os.environ.clear()
            os.environ.update(saved)


def _down_then_deploy() -> float:
    settings = load_settings()
    supervisor.down(settings, say=lambda _: None)
    return tf.deploy_local(settings, say=lambda _: None).seconds


# How environments/local reached the lakehouse before: an `endpoints` block, which the provider
# validates in every walk of every command (environments/local/main.tf).
ENDPOINTS_BEFORE = ("cloudwatch", "cloudwatchevents", "cloudwatchlogs", "glue", "iam", "kms", "s3", "sfn", "sns", "sts")


@contextmanager
def _configuration_before(endpoint: str) -> Iterator[None]:
    """A copy of terraform/ (and what it reads: jobs/, pyproject.toml, the wheel) whose provider has
    that block again (an override file), deployed instead of the checkout's for the 'before' cases."""
    wheel = build_wheel()
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder)
        for name in ("terraform", "jobs"):
            shutil.copytree(REPO_ROOT / name, copy / name, ignore=shutil.ignore_patterns(".terraform", "sample_data"))
        shutil.copy(REPO_ROOT / "pyproject.toml", copy)
        (copy / "dist").mkdir()
        shutil.copy(wheel, copy / "dist")
        endpoints = "".join(f'    {service} = "{endpoint}"\n' for service in ENDPOINTS_BEFORE)
        override = f'provider "aws" {{\n  endpoints {{\n{endpoints}  }}\n}}\n'
        (copy / "terraform/environments/local/endpoints_override.tf").write_text(override)
        checkout_root = tf.TERRAFORM_ROOT
        tf.TERRAFORM_ROOT = copy / "terraform"  # local_init reads the module's root: the copy, for now
        os.environ["GOGC"] = "100"  # Go's default GC target, as before
        try:
            yield
        finally:
            tf.TERRAFORM_ROOT = checkout_root
            del os.environ["GOGC"]


def _before(*, fresh: bool) -> float:
    """As before the tuning: the endpoints block, init and the wheel built every time, Go's default GC."""
    settings = load_settings()
    with _configuration_before(settings.aws_endpoint):
        if fresh:
            return tf.deploy_local(settings, fresh=True, tuned=False, say=lambda _: None).seconds
        return tf.apply_local(settings, tuned=False, say=lambda _: None).seconds


def _fresh_tuned() -> float:
    """`just deploy-local --fresh` as a developer runs it again: the data directory initialised from
    this checkout (done here, untimed, after the 'before' cases initialised it from their copy)."""
    settings = load_settings()
    tf.local_init(settings.state_dir, reuse=False)
    return tf.deploy_local(settings, fresh=True, say=lambda _: None).seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skip-before", action="store_true", help="leave out the two 'before' applies")
    options = parser.parse_args()
    quiet: Callable[[str], None] = lambda _: None  # noqa: E731 - a sink for deploy_local's progress
    before: list[tuple[str, Callable[[], float]]] = [
        ("fresh, before the tuning", lambda: _before(fresh=True)),
        ("again, nothing changed, before the tuning", lambda: _before(fresh=False)),
    ]
    cases: list[tuple[str, Callable[[], float]]] = [
        *([] if options.skip_before else before),
        ("fresh, tuned (--fresh)", _fresh_tuned),
        ("again, nothing changed (push, incremental)", lambda: tf.apply_local(load_settings(), say=quiet).seconds),
        ("after down (deploy-local starts it, durable state, incremental)", _down_then_deploy),
    ]
    with _own_lakehouse():
        for name, run in cases:
            print(f"deploy-local, {name}: {run():.1f}s", flush=True)


if __name__ == "__main__":
    main()
