"""``just validate`` (``python -m tools validate``) and ``python -m tools list-jobs``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator

from tools.manifest.loading import load_manifests, manifest_paths
from tools.manifest.model import JobSpec, Manifests
from tools.manifest.script_checks import validate


def iter_jobs(manifests: Manifests) -> Iterator[JobSpec]:
    return iter(sorted(manifests.jobs.values(), key=lambda s: s.glue_name))


def validate_command(argv: list[str]) -> int:
    """``just validate``: every problem, with the file and the entry it is in."""
    parser = argparse.ArgumentParser(
        prog="just validate", description="Check the job manifests against the scripts on disk"
    )
    parser.parse_args(argv)
    problems = validate()
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if problems:
        return 1
    manifests = load_manifests()
    counts = f"{len(manifests.jobs)} jobs and {len(manifests.pipelines)} pipelines"
    print(f"ok: {counts} in {len(manifest_paths())} manifests")
    return 0


def list_jobs_command(argv: list[str]) -> int:
    """Every Glue job the manifests declare: name, script key, workers, execution class."""
    parser = argparse.ArgumentParser(prog="python -m tools list-jobs", description="List the manifests' Glue jobs")
    parser.parse_args(argv)
    for spec in iter_jobs(load_manifests()):
        workers = f"{spec.worker_type} x{spec.number_of_workers}"
        print(f"{spec.glue_name:40} {spec.script_key:45} {workers} {spec.execution_class}")
    return 0
