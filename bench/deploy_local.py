"""`just deploy-local` wall times, before and after the tuning, in one run on spare ports.

1. fresh, untuned: a fresh lakehouse, ``init`` every time, Go's default GC target; 2. fresh,
   tuned (`just deploy-local --fresh`); 3. again with nothing changed (`just push`, the inner loop:
   the apply goes to the lakehouse Terraform already deployed to); 4. `just deploy-local` after
   `just down` (it starts the lakehouse, state kept, then applies).
A fresh apply is bounded by the AWS provider's fixed waits (see tools/terraform.py's docstring).
"""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from emulator.settings import load_settings
from emulator.stack import supervisor
from tests.emulator.servers import free_port
from tools import terraform as tf


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


def _untuned() -> float:
    """As before the tuning: init every time, Go's default GC target."""
    os.environ["GOGC"] = "100"
    try:
        return tf.deploy_local(load_settings(), fresh=True, tuned=False, say=lambda _: None).seconds
    finally:
        del os.environ["GOGC"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skip-untuned", action="store_true", help="leave out the ~130 s 'before' apply")
    options = parser.parse_args()
    quiet: Callable[[str], None] = lambda _: None  # noqa: E731 - a sink for deploy_local's progress
    cases: list[tuple[str, Callable[[], float]]] = [
        ("fresh, untuned (before)", _untuned),
        ("fresh, tuned (--fresh)", lambda: tf.deploy_local(load_settings(), fresh=True, say=quiet).seconds),
        ("again, nothing changed (push, incremental)", lambda: tf.apply_local(load_settings(), say=quiet).seconds),
        ("after down (deploy-local starts it, durable state, incremental)", _down_then_deploy),
    ]
    if options.skip_untuned:
        cases = cases[1:]
    with _own_lakehouse():
        for name, run in cases:
            print(f"deploy-local, {name}: {run():.1f}s", flush=True)


if __name__ == "__main__":
    main()
