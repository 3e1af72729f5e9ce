"""Job manifests (``jobs/<domain>/jobs.yaml``): the model, loading and validation, and the graph.

One manifest per domain lists its Glue jobs (script, workers, timeout, retries, execution
class, concurrency, default arguments, what each reads and writes) and its Step Functions
pipelines (stages of jobs; jobs in a stage run in parallel), and optionally its table
maintenance (``maintenance``: one more job running the shared ``jobs/_shared`` script, on a
schedule). Terraform, ``just run``, the emulator and ``just graph`` all read the same files
through here (Terraform via yamldecode).

- ``model``: the specs (``JobSpec``, ``PipelineSpec``, ``MaintenanceSpec``, ``Manifests``) and Glue's values
- ``entries``: one job or pipeline entry → its spec; ``maintenance``: the maintenance block → its job
- ``loading``: every manifest → ``Manifests`` (``load_manifests``); ``script_checks``: against the scripts
- ``commands``: ``just validate``; ``graph``: ``just graph`` (jobs/PIPELINES.md)

What other packages use is importable from here.
"""

from tools.manifest.loading import load_manifests, manifest_paths
from tools.manifest.model import (
    MAINTENANCE_ARGUMENT,
    MAINTENANCE_SCRIPT,
    SHARED_DIR,
    JobSpec,
    ManifestError,
    Manifests,
    PipelineSpec,
)
from tools.manifest.script_checks import declared_tables, is_scaffold_stub, validate

__all__ = [
    "MAINTENANCE_ARGUMENT",
    "MAINTENANCE_SCRIPT",
    "SHARED_DIR",
    "JobSpec",
    "ManifestError",
    "Manifests",
    "PipelineSpec",
    "declared_tables",
    "is_scaffold_stub",
    "load_manifests",
    "manifest_paths",
    "validate",
]
