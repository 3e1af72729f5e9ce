"""The glue_job module's ``--conf`` as Terraform renders it, for tests that compare or run it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import REPO_ROOT
from tools.deploy import terraform as tf

SPARK_CONF_MODULE = REPO_ROOT / "terraform/modules/glue_job/spark_conf"


def init_spark_conf(tmp_path: Path, variables: dict[str, str | None]) -> Path:
    """A root module calling spark_conf with ``variables``, initialised; returns its data dir."""
    lines = [f"  {name} = {'null' if value is None else json.dumps(value)}" for name, value in variables.items()]
    (tmp_path / "main.tf").write_text(
        f'module "conf" {{\n  source = "{SPARK_CONF_MODULE}"\n' + "\n".join(lines) + "\n}\n"
        'output "map" { value = module.conf.spark_conf_map }\n'
        'output "argument" { value = module.conf.spark_conf_argument }\n'
    )
    data = tmp_path / ".data"
    tf.terraform(["init", "-input=false", "-no-color"], tmp_path, data)
    return data


def rendered_spark_conf(tmp_path: Path, variables: dict[str, str | None]) -> dict[str, Any]:
    """Apply the module and return its outputs: ``map`` (the settings) and ``argument`` (Glue's --conf value)."""
    data = init_spark_conf(tmp_path, variables)
    tf.terraform(["apply", "-auto-approve", "-input=false", "-no-color"], tmp_path, data)
    outputs = json.loads(tf.terraform(["output", "-json"], tmp_path, data))
    return {name: output["value"] for name, output in outputs.items()}
