"""What a job manifest declares: its jobs, pipelines and table maintenance, and the Glue values they may take."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core import maintenance_policy
from core.args import GLUE_PASSED_NAMES
from tools.repository import JOBS_ROOT

MANIFEST_NAME = "jobs.yaml"

WORKER_TYPES = ("G.1X", "G.2X", "G.4X", "G.8X", "G.12X", "G.16X", "R.1X", "R.2X", "R.4X", "R.8X")
FLEX_WORKER_TYPES = ("G.1X", "G.2X")
EXECUTION_CLASSES = ("STANDARD", "FLEX")
# Glue passes these itself; terraform/modules/glue_job sets --conf and --extra-py-files from the manifest.
RESERVED_ARGUMENTS = GLUE_PASSED_NAMES | {"JOB_NAME", "conf", "extra-py-files"}
JOB_DEFAULTS: Mapping[str, Any] = {
    "worker_type": "G.1X",
    "number_of_workers": 2,
    "timeout_minutes": 60,
    "max_retries": 0,
    "execution_class": "STANDARD",
    "max_concurrent_runs": 1,
}
# Table maintenance: one job per domain running one shared script (jobs/_shared/), its policy as an argument.
SHARED_DIR = "_shared"  # never a domain: domain names start with a letter
MAINTENANCE_JOB = "table_maintenance"
MAINTENANCE_SCRIPT = "job_table_maintenance.py"
MAINTENANCE_ARGUMENT = "maintenance_policy"


class ManifestError(Exception):
    """A manifest cannot be loaded; ``problems`` lists every issue found."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class JobSpec:
    """One Glue job as its manifest declares it."""

    domain: str
    name: str
    script: str
    description: str
    worker_type: str
    number_of_workers: int
    timeout_minutes: int
    max_retries: int
    execution_class: str
    max_concurrent_runs: int
    arguments: Mapping[str, str] = field(default_factory=dict)
    reads_raw: tuple[str, ...] = ()
    reads_tables: tuple[str, ...] = ()
    writes_tables: tuple[str, ...] = ()
    script_dir: str = ""  # the folder under jobs/ holding the script: the domain's unless shared (SHARED_DIR)
    jobs_root: Path = field(default=JOBS_ROOT, compare=False, repr=False)

    @property
    def glue_name(self) -> str:
        """The Glue job name, the same locally and in every AWS account: ``<domain>_<name>``."""
        return f"{self.domain}_{self.name}"

    @property
    def script_path(self) -> Path:
        return self.jobs_root / (self.script_dir or self.domain) / self.script

    @property
    def script_key(self) -> str:
        """Where the script lives in the artifacts bucket."""
        return f"jobs/{self.script_dir or self.domain}/{self.script}"


@dataclass(frozen=True)
class PipelineSpec:
    """A Step Functions pipeline: stages run in order, jobs within a stage in parallel."""

    domain: str
    name: str
    description: str
    schedule: str | None
    stages: tuple[tuple[str, ...], ...]  # Glue job names

    @property
    def state_machine_name(self) -> str:
        return f"{self.domain}_{self.name}"


@dataclass(frozen=True)
class MaintenanceSpec:
    """A domain's table maintenance: its Glue job (also in ``Manifests.jobs``), schedule and policies."""

    domain: str
    job: str  # Glue name
    schedule: str
    policies: tuple[maintenance_policy.TablePolicy, ...]

    @property
    def trigger_name(self) -> str:
        return f"{self.job}_schedule"


@dataclass(frozen=True)
class Manifests:
    jobs: Mapping[str, JobSpec]  # by Glue name
    pipelines: Mapping[str, PipelineSpec]  # by state machine name
    maintenance: Mapping[str, MaintenanceSpec] = field(default_factory=dict)  # by domain

    def job(self, reference: str) -> JobSpec:
        """Find a job by Glue name (``sales_daily_sales``), ``sales/daily_sales`` or ``sales/job_daily_sales``."""
        ref = reference.removesuffix(".py").removeprefix("jobs/")
        for spec in self.jobs.values():
            if ref in {
                spec.glue_name,
                f"{spec.domain}/{spec.name}",
                f"{spec.domain}/{spec.script.removesuffix('.py')}",
            }:
                return spec
        known = ", ".join(sorted(self.jobs))
        raise ManifestError([f"no job {reference!r} in any jobs/*/{MANIFEST_NAME} (known: {known})"])
