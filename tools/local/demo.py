"""``just demo``: the domain's three jobs end-to-end on local Spark and Iceberg, tables printed.

``embedded`` (the default) runs them the way AWS does, on the local lakehouse: it starts
the stack if needed (``just up``), deploys it with Terraform exactly as AWS gets it (``just
deploy-local``: the scripts, the core wheel, the Glue jobs, their roles and the ``sales_daily``
pipeline, only the changes when Terraform deployed to this lakehouse before), uploads the sample data (two days, with
malformed rows, duplicates and late updates) to the raw bucket, runs the pipeline through
Step Functions for each day (every job a real Glue job run of the deployed script), and
prints the Iceberg tables read back through the REST catalog. The stack keeps running.

``files`` needs no servers at all: a Hadoop Iceberg catalog and the raw zone in the state
directory's ``demo/`` (``.lakehouse/`` unless ``LAKEHOUSE_STATE_DIR``), recreated on every run;
each job is called in-process with the argv Glue would pass.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType

from core.args import glue_argv
from core.run_states import EXECUTION_SUCCEEDED
from core.state_layout import state_layout
from tools.data.samples import sample_files, seed
from tools.manifest import JobSpec, Manifests, load_manifests

DEMO_PIPELINE = "sales_daily"


def sample_run_dates() -> list[str]:
    """The ingest dates present in the sample data, oldest first."""
    dates = {m[1] for _, key in sample_files() if (m := re.search(r"ingest_date=(\d{4}-\d{2}-\d{2})", key))}
    return sorted(dates)


def pipeline_jobs(manifests: Manifests, pipeline: str = DEMO_PIPELINE) -> list[JobSpec]:
    return [manifests.jobs[name] for stage in manifests.pipelines[pipeline].stages for name in stage]


def load_script(spec: JobSpec) -> ModuleType:
    """Import a job script by path, as Glue does (it is a standalone file, not a package module)."""
    module_spec = importlib.util.spec_from_file_location(f"glue_script_{spec.glue_name}", spec.script_path)
    if module_spec is None or module_spec.loader is None:
        raise ImportError(f"cannot load job script {spec.script_path}")
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


def print_tables(show: Callable[[str], None], manifests: Manifests) -> None:
    tables = sorted({t for spec in manifests.jobs.values() for t in spec.writes_tables})
    for table in tables:
        print(f"\n=== {table}")
        show(table)


def run_files_demo(workdir: Path) -> None:
    from emulator.glue_runtime import PYTHONPATH_DIR

    # The scripts read their arguments with awsglue's getResolvedOptions, as on Glue: in this process
    # that is the lakehouse's clean-room awsglue, as `just run` and Glue job runs get it.
    if str(PYTHONPATH_DIR) not in sys.path:
        sys.path.append(str(PYTHONPATH_DIR))
    manifests = load_manifests()
    shutil.rmtree(workdir, ignore_errors=True)
    raw_root, warehouse = workdir / "raw", workdir / "warehouse"
    seed(str(raw_root))
    config_params = {
        "--DOMAIN_PROJECT_CATALOG_TYPE": "hadoop",
        "--DOMAIN_PROJECT_WAREHOUSE": warehouse.as_uri(),
        "--DOMAIN_PROJECT_RAW_ROOT": raw_root.as_uri(),
        "--ENV": "local",
    }
    for run_date in sample_run_dates():
        for spec in pipeline_jobs(manifests):
            started = time.monotonic()
            argv = glue_argv(
                str(spec.script_path),
                job_name=spec.glue_name,
                run_id=f"jr_demo_{run_date}_{spec.name}",
                default_arguments={f"--{k}": v for k, v in spec.arguments.items()},
                run_arguments={**config_params, "--run_date": run_date},
            )
            load_script(spec).main(argv)
            print(f"[demo] {spec.glue_name} --run_date {run_date}: {time.monotonic() - started:.1f}s", file=sys.stderr)

    from core.config import get_config
    from core.spark_session import get_spark

    spark = get_spark(get_config(catalog_type="hadoop", warehouse=warehouse.as_uri()))
    print_tables(lambda t: spark.table(t).orderBy(*spark.table(t).columns[:3]).show(100, truncate=48), manifests)


def run_embedded_demo() -> bool:
    """Returns True when every pipeline run succeeded."""
    from emulator.settings import load_settings
    from tools.data.samples import seed_raw
    from tools.data.tables import rest_catalog, show
    from tools.deploy.lakehouse import deploy_local
    from tools.deploy.terraform import TerraformError
    from tools.local.pipeline import run_pipeline

    settings = load_settings()
    try:
        deployment = deploy_local(settings, say=lambda line: print(f"[demo] {line}", file=sys.stderr))
    except TerraformError as e:
        print(f"[demo] error: {e}", file=sys.stderr)
        return False
    if DEMO_PIPELINE not in deployment.pipelines:
        deployed = ", ".join(deployment.pipelines)
        print(f"[demo] Terraform deployed no pipeline {DEMO_PIPELINE} (only: {deployed})", file=sys.stderr)
        return False
    print(f"[demo] deployed with Terraform in {deployment.seconds:.0f}s", file=sys.stderr)
    print(f"[demo] uploaded {len(seed_raw(settings))} sample files to s3://{settings.lakehouse.raw_bucket}")
    for run_date in sample_run_dates():
        described = run_pipeline(settings, DEMO_PIPELINE, {"run_date": run_date})
        if described["status"] != EXECUTION_SUCCEEDED:
            print(f"[demo] pipeline failed for {run_date}: {described.get('cause', '')}", file=sys.stderr)
            print("[demo] see `just status` and `just logs`", file=sys.stderr)
            return False
    catalog = rest_catalog(settings)
    print_tables(lambda table: show(catalog, table), load_manifests())
    print("\n[demo] the lakehouse is still running: `just status`, `just down`", file=sys.stderr)
    return True


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="just demo", description=__doc__.split("\n\n")[0])
    parser.add_argument("target", nargs="?", default="embedded", choices=["embedded", "files"], help="where to run")
    options = parser.parse_args(argv)
    started = time.monotonic()
    if options.target == "files":
        run_files_demo(state_layout().demo)
    elif not run_embedded_demo():
        return 1
    print(f"\n[demo] done in {time.monotonic() - started:.0f}s", file=sys.stderr)
    return 0
