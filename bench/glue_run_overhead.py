"""A one-job Glue run on the embedded stack versus running the same script directly (same data, same stack).

Both runs use the stack's REST catalog and S3; the difference is the Glue path: StartJobRun,
artifact download from S3, the Glue runtime (its Python, Spark defaults, the session hook), process
launch, log shipping, and GetJobRun polling (1 s). Point it at a stack of its own with
LAKEHOUSE_STATE_DIR / LAKEHOUSE_AWS_PORT / LAKEHOUSE_CATALOG_PORT.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

from core.args import glue_argv
from core.run_states import SUCCEEDED
from emulator.glue_runtime import PYTHONPATH_DIR
from emulator.settings import REPO_ROOT, load_settings
from emulator.stack import supervisor
from tools.data.samples import seed_raw
from tools.deploy.lakehouse import deploy_local
from tools.local.glue_run import run_glue_job
from tools.manifest import load_manifests

JOB = "customers_customer_delta"
ROUNDS = 3


def main() -> None:
    settings = load_settings()
    if not supervisor.is_up(settings):
        supervisor.up(settings, say=lambda _: None)
    deploy_local(settings, say=lambda _: None)  # the job exactly as Terraform deploys it
    seed_raw(settings)
    spec = load_manifests().jobs[JOB]
    # Run directly as `just run` does: the repository's venv, the clean-room awsglue on the path.
    env = {**os.environ, **settings.client_environment(), "PYTHONPATH": f"{PYTHONPATH_DIR}{os.pathsep}{REPO_ROOT}"}
    direct, glue = [], []
    for _ in range(ROUNDS):
        started = time.monotonic()
        argv = glue_argv(str(spec.script_path), job_name=JOB, run_id="jr_bench", default_arguments={},
                         run_arguments={"--run_date": "2026-11-25"})  # fmt: skip
        subprocess.run([sys.executable, *argv], env=env, check=True, capture_output=True)
        direct.append(time.monotonic() - started)
        started = time.monotonic()
        run = run_glue_job(settings, JOB, {"--run_date": "2026-11-25"}, say=lambda _: None)
        assert run["JobRunState"] == SUCCEEDED, run
        glue.append(time.monotonic() - started)
    d, g = min(direct), min(glue)
    print(f"{JOB}: direct {', '.join(f'{x:.1f}s' for x in direct)}; Glue run {', '.join(f'{x:.1f}s' for x in glue)}")
    print(f"best of {ROUNDS}: direct {d:.1f}s, Glue run {g:.1f}s, overhead {100 * (g - d) / d:.0f}%")


if __name__ == "__main__":
    main()
