"""Glue's special job parameters that bring code into a run: --extra-py-files (a zip on S3) and
--additional-python-modules (a PyPI package Glue does not preinstall)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from tests.glue_compat.conftest import ARTIFACTS_BUCKET, GlueUser, data_uri
from tests.glue_compat.s3data import as_tuples, parquet_rows, text_of

pytestmark = pytest.mark.glue_compat

HELPERS = {
    "compat_helpers/__init__.py": '"""Helpers a team ships next to its Glue scripts."""\n',
    "compat_helpers/names.py": (
        "def normalise_name(raw):\n    return ' '.join(part.capitalize() for part in raw.split())\n"
    ),
}


def test_extra_py_files_zip_is_importable_on_driver_and_executors(user: GlueUser, tmp_path: Path) -> None:
    archive = tmp_path / "helpers.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for name, code in HELPERS.items():
            z.writestr(name, code)
    user.s3.upload_file(str(archive), ARTIFACTS_BUCKET, "libs/helpers.zip")
    job = user.deploy("compat_extra_py_files", "extra_py_files.py",
                      {"--extra-py-files": f"s3://{ARTIFACTS_BUCKET}/libs/helpers.zip"})  # fmt: skip
    output = data_uri("extra-py-files", "out")
    run = user.run_ok(job, {"--output": output})
    assert "driver sees: Ada Lovelace" in user.output(run)
    assert as_tuples(parquet_rows(user.s3, output), "id", "name") == [(1, "Ada Lovelace"), (2, "Grace Hopper")]


TABULATE_REPORT = (
    "| fruit   |   qty |\n"
    "|---------|-------|\n"
    "| apple   |     3 |\n"
    "| pear    |    10 |\n"
    "| fig     |   125 |"
)  # tabulate 0.9.0, tablefmt="github"


def test_additional_python_modules_installs_a_pypi_package(user: GlueUser) -> None:
    job = user.deploy("compat_additional_modules", "additional_modules.py",
                      {"--additional-python-modules": "tabulate==0.9.0"})  # fmt: skip
    output = data_uri("additional-modules", "out")
    run = user.run_ok(job, {"--output": output})
    assert "tabulate 0.9.0" in user.output(run)
    assert text_of(user.s3, output) == TABULATE_REPORT + "\n"


def test_extra_files_are_copied_to_the_scripts_working_directory(user: GlueUser) -> None:
    user.s3.put_object(Bucket=ARTIFACTS_BUCKET, Key="config/thresholds.json", Body=b'{"high": 90, "low": 10}')
    job = user.deploy("compat_extra_files", "extra_files.py",
                      {"--extra-files": f"s3://{ARTIFACTS_BUCKET}/config/thresholds.json"})  # fmt: skip
    output = data_uri("extra-files", "out")
    user.run_ok(job, {"--output": output})
    assert as_tuples(parquet_rows(user.s3, output), "level", "min") == [("high", 90), ("low", 10)]
