"""``just run JOB [--name value ...]``: run one job script locally exactly as Glue calls it.

JOB is a Glue job name (``sales_daily_sales``), ``sales/daily_sales`` or the script path
(``sales/job_daily_sales``). The command line is built the way Glue builds it: Glue's own
arguments (``--JOB_ID``, ``--JOB_RUN_ID``, ``--job-bookmark-option``, ``--JOB_NAME``), then
the manifest's default arguments, overridden key by key by the ones given here. The script
runs as its own process with ``ENV=local`` (unless ENV is set) from the repository root.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import uuid
from collections.abc import Mapping, Sequence

from core.args import glue_argv
from emulator.glue_runtime import PYTHONPATH_DIR
from tools.manifest import JobSpec, ManifestError, load_manifests
from tools.repository import REPO_ROOT


def parse_pairs(tokens: Sequence[str]) -> dict[str, str]:
    """``--a 1 --b=2`` → ``{"--a": "1", "--b": "2"}``; anything else is an error naming the token."""
    pairs: dict[str, str] = {}
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if not token.startswith("--") or len(token) == 2:
            raise ValueError(f"expected --name value, got {token!r}")
        if "=" in token:
            key, value = token.split("=", 1)
            i += 1
        elif i + 1 < len(tokens) and not tokens[i + 1].startswith("--"):
            key, value = token, tokens[i + 1]
            i += 2
        else:
            raise ValueError(f"argument {token} has no value")
        pairs[key] = value
    return pairs


def local_command(spec: JobSpec, run_arguments: Mapping[str, str], run_id: str | None = None) -> list[str]:
    defaults = {f"--{k}": v for k, v in spec.arguments.items()}
    run_id = run_id or f"jr_local_{uuid.uuid4().hex[:16]}"
    argv = glue_argv(
        str(spec.script_path),
        job_name=spec.glue_name,
        run_id=run_id,
        default_arguments=defaults,
        run_arguments=run_arguments,
    )
    return [sys.executable, *argv]


JOB_HELP = "sales_daily_sales, sales/daily_sales or sales/job_daily_sales"


def job_and_arguments(job: str, tokens: Sequence[str]) -> tuple[JobSpec, dict[str, str]] | None:
    """The manifest entry and ``--name value`` arguments of a command line; None (reported) if bad."""
    try:
        return load_manifests().job(job), parse_pairs(tokens)
    except (ManifestError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return None


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="just run", description=__doc__.split("\n\n")[0])
    parser.add_argument("job", help=JOB_HELP)
    parser.add_argument("--dry-run", action="store_true", help="print the command line and exit")
    options, rest = parser.parse_known_args(argv)
    resolved = job_and_arguments(options.job, rest)
    if resolved is None:
        return 2
    command = local_command(*resolved)
    if options.dry_run:
        print(" ".join(command))
        return 0
    # awsglue (getResolvedOptions, GlueContext) comes from the lakehouse's Glue runtime, as in its job runs.
    python_path = os.pathsep.join(filter(None, [str(PYTHONPATH_DIR), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "ENV": os.environ.get("ENV", "local"), "PYTHONPATH": python_path}
    return subprocess.run(command, cwd=REPO_ROOT, env=env, check=False).returncode
