"""Everything a Glue job run needs before its process starts, done the way Glue does it.

Fetch the deployed script, ``--extra-py-files``, ``--extra-files`` (into the working directory)
and ``--extra-jars`` from the lakehouse's S3; install ``--additional-python-modules``; write the
run's Spark defaults; build Glue's argv and the process environment: the Glue runtime's Python,
the clean-room ``awsglue`` first on the path, the region the run was started in.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.args import glue_argv
from core.jars import ensure_jars
from emulator.aws.glue.artifacts import ArtifactError, download, fetch
from emulator.glue_runtime import PYTHONPATH_DIR, parameters, python_env
from emulator.glue_runtime.exceptions import RunSetupError
from emulator.glue_runtime.spark_defaults import run_spark_defaults, write_conf_file
from emulator.settings import MACHINE_SETTINGS, Settings

CONF_ENV = "LAKEHOUSE_GLUE_SPARK_CONF"  # read by pythonpath/sitecustomize.py
REST_URI_ENV = "LAKEHOUSE_ICEBERG_REST_URI"  # read by the clean-room awsglue (from_catalog of Iceberg tables)
_NOT_INHERITED = {"CONFIG_PATH", "ENV", "VIRTUAL_ENV", "PYTHONHOME", "PYTHONPATH", "PYSPARK_PYTHON",
                  "PYSPARK_DRIVER_PYTHON", "SPARK_CONF_DIR", "UV_PROJECT_ENVIRONMENT"}  # fmt: skip


@dataclass(frozen=True)
class PreparedRun:
    command: list[str]
    env: dict[str, str]
    cwd: Path
    spark_defaults: dict[str, str] = field(default_factory=dict)  # what LAKEHOUSE_GLUE_SPARK_CONF holds
    python_path: tuple[Path, ...] = ()  # the PYTHONPATH entries, in order


def job_environment(
    settings: Settings, python: Path, python_path: list[Path], region: str, base: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The caller's environment minus its Python and lakehouse config, plus this stack's, in ``region``.

    Settings about this machine (where jars come from, Spark's size) are kept: in the compose
    image the jars are on Spark's classpath (DOMAIN_PROJECT_JARS_SOURCE=classpath)."""
    base = os.environ if base is None else base
    env = {
        k: v
        for k, v in base.items()
        if (not k.startswith("DOMAIN_PROJECT_") or k.startswith(MACHINE_SETTINGS)) and k not in _NOT_INHERITED
    }
    env.update(settings.client_environment())
    env.update({"AWS_REGION": region, "AWS_DEFAULT_REGION": region, "DOMAIN_PROJECT_REGION": region})
    env["PATH"] = os.pathsep.join([str(python.parent), env.get("PATH", "")])
    env["PYTHONPATH"] = os.pathsep.join(str(p) for p in python_path)
    env["PYSPARK_PYTHON"] = env["PYSPARK_DRIVER_PYTHON"] = str(python)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _download_all(s3: Any, uris: list[str], into: Path, what: str) -> list[Path]:
    return [download(s3, uri, into / Path(uri.rstrip("/")).name, what) for uri in uris]


def _python_modules(s3: Any, modules: list[str], run_dir: Path) -> list[str]:
    """Requirement strings for the installer; ``s3://`` wheels (or requirements files) fetched first."""
    resolved = []
    for module in modules:
        if module.startswith(("s3://", "s3a://")):
            local = download(s3, module, run_dir / "modules" / Path(module).name, "--additional-python-modules entry")
            resolved += ["-r", str(local)] if local.suffix == ".txt" else [str(local)]
        else:
            resolved.append(module)
    return resolved


def prepare_run(
    settings: Settings, s3: Any, *, job: Mapping[str, Any], run_id: str, job_name: str,
    arguments: Mapping[str, str], region: str, run_dir: Path,
) -> PreparedRun:  # fmt: skip
    """Raises RunSetupError (or ArtifactError) with the message the run's ErrorMessage shows."""
    params = parameters.parse(arguments)
    script_location = (job.get("Command") or {}).get("ScriptLocation")
    if not script_location:
        raise RunSetupError(f"job {job_name} has no Command.ScriptLocation")
    artifacts = fetch(s3, script_location, ",".join(params.extra_py_files), run_dir)
    _download_all(s3, params.extra_files, run_dir, "--extra-files entry")
    extra_jars = _download_all(s3, params.extra_jars, run_dir / "jars", "--extra-jars entry")
    config = settings.run_config
    python = python_env.ensure_runtime_python(settings.job_python)
    modules = python_env.ensure_additional_modules(
        python, _python_modules(s3, params.python_modules, run_dir), params.installer_options,
        config.jars_index_url,
    )  # fmt: skip
    defaults = run_spark_defaults(config, jar_paths=_jar_paths(settings), extra_jars=extra_jars, app_name=job_name,
                                  conf=params.spark_conf, job_python=python)  # fmt: skip
    conf_file = write_conf_file(run_dir, defaults, rest_uri=settings.catalog_uri, warehouse=config.warehouse,
                                glue_datacatalog=params.glue_datacatalog)  # fmt: skip
    python_path = [PYTHONPATH_DIR, *artifacts.python_path, *([modules] if modules else [])]
    env = _run_environment(settings, python, python_path, region, conf_file)
    argv = glue_argv(str(artifacts.script), job_name=job_name, run_id=run_id, default_arguments=dict(arguments),
                     run_arguments={"--ENV": "local"})  # fmt: skip
    return PreparedRun(command=[str(python), *argv], env=env, cwd=run_dir, spark_defaults=defaults,
                       python_path=tuple(python_path))  # fmt: skip


def _jar_paths(settings: Settings) -> list[Path]:
    config = settings.run_config
    if config.jars_source == "pypi":  # in the compose image they are on Spark's classpath already
        return ensure_jars(config.jars_cache_dir, index_url=config.jars_index_url)
    return []


def _run_environment(
    settings: Settings, python: Path, python_path: list[Path], region: str, conf_file: Path
) -> dict[str, str]:
    env = job_environment(settings, python, python_path, region)
    env[CONF_ENV] = str(conf_file)
    env[REST_URI_ENV] = settings.catalog_uri
    return env


def prepare_warm_driver(settings: Settings, pool_dir: Path) -> PreparedRun:
    """A warm driver's process: a run of no job yet, in the stack's region with Glue's default parameters
    (``_lakehouse_runtime.warm_driver`` is the script; the run's own script comes later, on stdin)."""
    python = python_env.ensure_runtime_python(settings.job_python)
    config = settings.run_config
    defaults = run_spark_defaults(config, jar_paths=_jar_paths(settings), extra_jars=[],
                                  app_name="lakehouse-warm-driver", conf={}, job_python=python)  # fmt: skip
    conf_file = write_conf_file(pool_dir, defaults, rest_uri=settings.catalog_uri, warehouse=config.warehouse,
                                glue_datacatalog=False)  # fmt: skip
    env = _run_environment(settings, python, [PYTHONPATH_DIR], settings.lakehouse.region, conf_file)
    command = [str(python), "-m", "_lakehouse_runtime.warm_driver"]  # + the driver's marker (warm_pool)
    return PreparedRun(command=command, env=env, cwd=pool_dir, spark_defaults=defaults,
                       python_path=(PYTHONPATH_DIR,))  # fmt: skip


__all__ = ["ArtifactError", "PreparedRun", "RunSetupError", "job_environment", "prepare_run", "prepare_warm_driver"]
