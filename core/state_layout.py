"""The local lakehouse's state directory: where it is and every path in it, named once.

One directory holds everything a local stack and the local tools write: the emulator's durable
state (S3 journal, Glue store, catalog.db, run folders), the stack record and client environment,
service logs, the warm-driver pool, Terraform's local state and data directories, generated data
and the file-only demo. It is ``LAKEHOUSE_STATE_DIR`` when set, else ``.lakehouse/`` at the
repository root (git-ignored). Read once at the edge (:func:`state_layout`) and passed in.

In ``core`` because ``core.config`` finds a running stack's ``stack.env`` through it; the emulator
and tools depend on core, never the other way.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

STATE_DIR_ENV = "LAKEHOUSE_STATE_DIR"
DEFAULT_DIR_NAME = ".lakehouse"
STACK_ENV_NAME = "stack.env"
STACK_RECORD_NAME = "stack.json"
VERSION_NAME = "VERSION"
REPO_ROOT = Path(__file__).resolve().parents[1]  # in the repository; a wheel never resolves a default


@dataclass(frozen=True)
class StateLayout:
    """Every path under one state directory."""

    root: Path

    @property
    def stack_env(self) -> Path:
        """The client environment of a running stack (``eval "$(just env)"``, read by core.config)."""
        return self.root / STACK_ENV_NAME

    @property
    def stack_record(self) -> Path:
        """The supervisor's record of the running services (pids with their identities)."""
        return self.root / STACK_RECORD_NAME

    @property
    def version_file(self) -> Path:
        return self.root / VERSION_NAME

    @property
    def aws(self) -> Path:
        """The AWS endpoint's durable state (journal and snapshots)."""
        return self.root / "aws"

    @property
    def glue(self) -> Path:
        return self.root / "glue"

    @property
    def catalog_db(self) -> Path:
        return self.root / "catalog.db"

    @property
    def runs(self) -> Path:
        """One folder per Glue job run (its script, environment and output)."""
        return self.root / "runs"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    def service_log(self, service: str) -> Path:
        return self.logs / f"{service}.log"

    @property
    def warm_drivers(self) -> Path:
        return self.root / "warm-drivers"

    @property
    def terraform(self) -> Path:
        """Terraform's local state file and data directories (one per target)."""
        return self.root / "terraform"

    @property
    def terraform_state(self) -> Path:
        return self.terraform / "local.tfstate"

    def terraform_data(self, target: str) -> Path:
        """``TF_DATA_DIR`` of one target: ``data`` (environments/local), an environment, ``fmt``, ``validate/...``."""
        return self.terraform / target

    @property
    def generated_raw(self) -> Path:
        """``just gen-data``'s raw files."""
        return self.root / "generated" / "raw"

    @property
    def demo(self) -> Path:
        """``just demo files``: recreated on every run."""
        return self.root / "demo"


def state_layout(environ: Mapping[str, str] | None = None, repo_root: Path = REPO_ROOT) -> StateLayout:
    """The layout of the state directory ``environ`` names (default: ``.lakehouse/`` in ``repo_root``)."""
    environ = os.environ if environ is None else environ
    return StateLayout(Path(environ.get(STATE_DIR_ENV) or repo_root / DEFAULT_DIR_NAME).resolve())


if __name__ == "__main__":  # `just clean` deletes what this prints: the state directory, wherever it is
    print(state_layout().root)  # noqa: T201 - the command's output
