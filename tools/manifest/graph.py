"""``just graph``: every pipeline of the manifests as a Mermaid diagram, into jobs/PIPELINES.md.

Only a picture: the pipelines themselves (Amazon States Language) are rendered by Terraform's
stepfunction_pipeline module, the one definition the emulator and AWS both run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tools.manifest.loading import load_manifests
from tools.manifest.model import Manifests, PipelineSpec
from tools.repository import JOBS_ROOT

GRAPH_FILE = JOBS_ROOT / "PIPELINES.md"


def mermaid(pipeline: PipelineSpec) -> str:
    lines = ["flowchart LR", "  start((start))"]
    previous = ["start"]
    for index, stage in enumerate(pipeline.stages):
        for job in stage:
            lines.append(f"  {job}[{job}]")
            lines.extend(f"  {p} --> {job}" for p in previous)
        previous = list(stage)
        if index == len(pipeline.stages) - 1:
            lines.append("  done((done))")
            lines.extend(f"  {p} --> done" for p in previous)
    return "\n".join(lines)


def render_graph(manifests: Manifests) -> str:
    parts = [
        "# Pipelines",
        "",
        "Generated from `jobs/*/jobs.yaml` by `just graph`; do not edit (a test checks it is current).",
        "",
        "Each pipeline is a Step Functions state machine rendered by Terraform's `modules/stepfunction_pipeline`",
        "(stages in order, each stage's jobs side by side) and deployed by Terraform only: `just push` or",
        "`just deploy-local` on the local lakehouse, the deploy workflow on AWS. Run one locally with",
        "`just pipeline <name> --run_date YYYY-MM-DD`.",
    ]
    for name in sorted(manifests.pipelines):
        pipeline = manifests.pipelines[name]
        schedule = f" · schedule `{pipeline.schedule}`" if pipeline.schedule else ""
        parts += ["", f"## {name}", "", f"{pipeline.description}{schedule}", "", "```mermaid", mermaid(pipeline), "```"]
    return "\n".join(parts) + "\n"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="just graph", description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if jobs/PIPELINES.md is stale")
    options = parser.parse_args(argv)
    text = render_graph(load_manifests())
    if options.check:
        current = GRAPH_FILE.read_text() if GRAPH_FILE.is_file() else ""
        if current != text:
            shown = GRAPH_FILE.relative_to(Path.cwd()) if GRAPH_FILE.is_relative_to(Path.cwd()) else GRAPH_FILE
            print(f"{shown} is stale: run `just graph`", file=sys.stderr)
            return 1
        return 0
    GRAPH_FILE.write_text(text)
    print(f"wrote {GRAPH_FILE}")
    return 0
