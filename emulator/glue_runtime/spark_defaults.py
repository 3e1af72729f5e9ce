"""The Spark defaults of one Glue job run, as Glue provides them from outside the script.

Every session the run's process creates gets them (see ``pythonpath/_lakehouse_runtime``): local
Spark sized by core's local profile, ``s3://``/``s3a://``/``s3n://`` through S3A at the lakehouse,
the Iceberg runtime and SQL extensions, the run's ``--extra-jars`` and finally the run's ``--conf``
(which wins, as on Glue). ``spark_catalog`` stays Spark's default catalog, as on Glue; AWS catalog
settings are mapped to the lakehouse's REST catalog inside the job's process.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from core.class_sharing import Plan, fingerprint, java_executable, plan_for_driver, spark_home_of
from core.config import Config
from core.spark_conf import ICEBERG_EXTENSIONS, local_runtime_conf

CONF_FILE = "glue-spark-conf.json"


def run_spark_defaults(
    config: Config,
    *,
    jar_paths: Sequence[Path],
    extra_jars: Sequence[Path],
    app_name: str,
    conf: dict[str, str],
    job_python: Path | None = None,
) -> dict[str, str]:
    """``job_python``: the run's Python; its driver JVM then maps the machine's class-sharing archive
    for that Python's Spark, when one has been recorded (core jobs record it on their first run)."""
    defaults = local_runtime_conf(config, [*jar_paths, *extra_jars], app_name=app_name)
    if job_python is not None and config.spark_class_sharing:
        sharing = class_sharing_plan(config, job_python, jar_paths)
        if sharing.java_options:
            key = "spark.driver.extraJavaOptions"
            defaults[key] = f"{defaults[key]} {sharing.options_string()}"
    if theirs := conf.get("spark.jars"):  # the run's own jars come in addition to Glue's
        conf = {**conf, "spark.jars": ",".join(filter(None, [defaults.get("spark.jars"), theirs]))}
    defaults["spark.sql.extensions"] = ICEBERG_EXTENSIONS
    # core's S3A settings cover s3:// and s3a://; Glue scripts may also name the legacy s3n://.
    defaults["spark.hadoop.fs.s3n.impl"] = defaults["spark.hadoop.fs.s3a.impl"]
    return {**defaults, **conf}


def class_sharing_plan(config: Config, job_python: Path, jar_paths: Sequence[Path]) -> Plan:
    """The archive a run's driver maps: keyed by its Python's Spark and core's jars, not the run's
    ``--extra-jars`` (their classes load as usual; a key per jar set would fill the disk)."""
    return plan_for_driver(
        None,
        lambda: fingerprint(
            java=java_executable(),
            spark_home=spark_home_of(job_python),
            jars=jar_paths,
            driver_memory=config.spark_driver_memory,
        ),
        may_record=False,  # the emulator never sees the run's JVM exit; the job's own get_spark records
    )


def write_conf_file(
    run_dir: Path, spark_defaults: dict[str, str], *, rest_uri: str, warehouse: str, glue_datacatalog: bool
) -> Path:
    """The file the job process reads (named by LAKEHOUSE_GLUE_SPARK_CONF)."""
    path = run_dir / CONF_FILE
    payload = {
        "spark_defaults": spark_defaults,
        "rest_uri": rest_uri,
        "warehouse": warehouse,
        "glue_datacatalog": glue_datacatalog,
    }
    path.write_text(json.dumps(payload, indent=2, sort_keys=True))
    return path
