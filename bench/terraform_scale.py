"""`terraform plan` of the local environment with many generated jobs (default 300), on a
throwaway copy of the repository (`python -m tools many-jobs` writes the manifests; nothing is kept)."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from emulator.settings import load_settings
from emulator.stack import supervisor
from tools.deploy import lakehouse as local_env
from tools.deploy import terraform as tf
from tools.deploy.wheel import build_wheel
from tools.repository import REPO_ROOT


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=300)
    options = parser.parse_args()
    started = time.monotonic()
    tf.validate(say=lambda _: None)
    print(f"terraform validate, every environment and module example: {time.monotonic() - started:.0f}s")
    settings = load_settings()
    if not supervisor.is_up(settings):
        supervisor.up(settings, say=lambda _: None)
    wheel = build_wheel()
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder)
        for name in ("jobs", "terraform"):
            shutil.copytree(REPO_ROOT / name, copy / name, ignore=shutil.ignore_patterns(".terraform", "sample_data"))
        shutil.copy(REPO_ROOT / "pyproject.toml", copy)
        (copy / "dist").mkdir()
        shutil.copy(wheel, copy / "dist")
        subprocess.run([sys.executable, "-m", "tools", "many-jobs", "--jobs-root", str(copy / "jobs"),
                        "--total", str(options.jobs)], cwd=REPO_ROOT, check=True)  # fmt: skip
        local = copy / "terraform/environments/local"
        data = copy / ".data"
        env = tf.terraform_env(data, extra=local_env.local_environment(settings))
        subprocess.run(["terraform", "init", "-input=false", f"-backend-config=path={copy / 'scale.tfstate'}"],
                       cwd=local, env=env, check=True, capture_output=True)  # fmt: skip
        started = time.monotonic()
        done = subprocess.run(["terraform", "plan", "-input=false", "-no-color", "-refresh=false"], cwd=local,
                              env=env, capture_output=True, text=True, check=False)  # fmt: skip
        if done.returncode != 0:
            raise SystemExit(f"plan failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
        summary = [line for line in done.stdout.splitlines() if line.startswith("Plan:")]
        seconds = time.monotonic() - started
        print(f"terraform plan, local environment, {options.jobs} jobs: {seconds:.0f}s ({summary[-1]})")


if __name__ == "__main__":
    main()
