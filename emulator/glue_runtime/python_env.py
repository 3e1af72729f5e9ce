"""The Python a job run gets: Glue 5.1's preinstalled modules, never the emulator's own venv.

The ``runtime`` dependency group of pyproject.toml is Glue's environment (the glue-runtime image
installs the same group). Embedded, it is a venv built once per requirement set with uv, cached
next to the jars (``~/.cache/domain-project/glue-runtime/<hash>``); in a container
``LAKEHOUSE_JOB_PYTHON`` names the image's own. ``--additional-python-modules`` are installed, as
Glue installs them with pip, into a target folder cached per requirement set and put on the path.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from emulator.glue_runtime.exceptions import RunSetupError
from emulator.settings import REPO_ROOT

RUNTIME_GROUP = "runtime"
_COMPLETE = ".complete"


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "domain-project"


def _uv() -> str:
    found = os.environ.get("UV") or shutil.which("uv")
    if not found:
        raise RunSetupError(
            "uv is needed to build the Glue job runtime (run ./scripts/bootstrap.sh), "
            "or set LAKEHOUSE_JOB_PYTHON to a Python with the runtime group installed"
        )
    return found


def _run(command: Sequence[str], what: str) -> str:
    done = subprocess.run(list(command), cwd=REPO_ROOT, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        raise RunSetupError(f"{what} failed (exit {done.returncode}): " + " | ".join(tail))
    return done.stdout


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One builder at a time per target, across the emulator's threads and other processes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.with_name(path.name + ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _installer(python: Path) -> list[str]:
    """uv where it is (embedded); the runtime's own pip otherwise (the glue-runtime image), as Glue uses pip."""
    if os.environ.get("UV") or shutil.which("uv"):
        return [_uv(), "pip", "install", "--quiet", "--python", str(python)]
    return [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]


@functools.cache
def runtime_requirements() -> str:
    """The runtime group, pinned by uv.lock (what the glue-runtime image installs, too); read once per
    process (a changed uv.lock is picked up by the next `just up`)."""
    command = [_uv(), "export", "--frozen", "--no-emit-project", "--only-group", RUNTIME_GROUP, "--no-header"]
    return _run(command, "uv export of the runtime group")


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]


def ensure_runtime_python(override: str | None = None) -> Path:
    """The job Python's path, building the cached runtime venv on first use."""
    if override:
        python = Path(override)
        if not python.is_file():
            raise RunSetupError(f"LAKEHOUSE_JOB_PYTHON={override} does not exist")
        return python
    requirements = runtime_requirements()
    venv = cache_root() / "glue-runtime" / _digest(requirements, sys.version)
    python = venv / "bin" / "python"
    if (venv / _COMPLETE).is_file():
        return python
    with _locked(venv):
        if (venv / _COMPLETE).is_file():
            return python
        shutil.rmtree(venv, ignore_errors=True)
        _run([_uv(), "venv", "--quiet", "--python", sys.executable, str(venv)], "creating the Glue runtime venv")
        listing = venv / "requirements.txt"
        listing.write_text(requirements)
        # Compiled here: where PYTHONDONTWRITEBYTECODE is set, every run would compile pyspark and pandas again.
        _run([_uv(), "pip", "install", "--quiet", "--compile-bytecode", "--python", str(python),
              "--require-hashes", "-r", str(listing)], "installing the Glue runtime (uv pip install)")  # fmt: skip
        (venv / _COMPLETE).write_text(requirements)
    return python


def ensure_additional_modules(
    python: Path, modules: Sequence[str], installer_options: Sequence[str], index_url: str | None
) -> Path | None:
    """``--additional-python-modules`` installed into a target folder (cached per requirement set)."""
    if not modules:
        return None
    target = cache_root() / "glue-modules" / _digest(str(python), *modules, "\0", *installer_options, index_url or "")
    if (target / _COMPLETE).is_file():
        return target
    with _locked(target):
        if (target / _COMPLETE).is_file():
            return target
        shutil.rmtree(target, ignore_errors=True)
        command = [*_installer(python), "--target", str(target)]
        if index_url:
            command += ["--index-url", index_url]
        _run([*command, *installer_options, *modules], f"--additional-python-modules {','.join(modules)}")
        (target / _COMPLETE).write_text("\n".join(modules))
    return target


def _main() -> None:
    """``python -m emulator.glue_runtime.python_env``: build the runtime now and print its Python."""
    sys.stdout.write(f"{ensure_runtime_python(os.environ.get('LAKEHOUSE_JOB_PYTHON') or None)}\n")


if __name__ == "__main__":
    _main()
