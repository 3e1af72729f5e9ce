"""``python -m tools many-jobs``: grow the manifests of a *copy* of jobs/ to --total jobs (for scale tests).

Every generated job reuses its domain's first script and declarations, so the copy still validates.
Never run it on the repository itself: it rewrites the manifests it is given.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools many-jobs", description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs-root", type=Path, required=True, help="a throwaway copy of jobs/")
    parser.add_argument("--total", type=int, default=300)
    options = parser.parse_args(argv)
    if (options.jobs_root.resolve() / "../.git").exists():
        raise SystemExit("refusing to rewrite the repository's own manifests: point --jobs-root at a copy")
    paths = sorted(options.jobs_root.glob("*/jobs.yaml"))
    manifests = {p: yaml.safe_load(p.read_text()) for p in paths}
    existing = sum(len(m["jobs"]) for m in manifests.values())
    for i in range(options.total - existing):
        path = paths[i % len(paths)]
        jobs = manifests[path]["jobs"]
        template = next(iter(jobs.values()))
        jobs[f"generated_{i:03d}"] = {**template, "description": f"generated job {i} for scale tests"}
    for path, manifest in manifests.items():
        path.write_text(yaml.safe_dump(manifest, sort_keys=False))
    print(f"{options.total} jobs in {len(paths)} manifests under {options.jobs_root}")
    return 0
