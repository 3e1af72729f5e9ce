"""``just new-job <domain> <name>``: scaffold a job (`terraform validate` passes; its test fails until it is written).

Writes ``jobs/<domain>/job_<name>.py`` (thin ``main()``, a ``transform`` stub that raises
``NotImplementedError``), ``tests/test_job_<domain>_<name>.py`` (a chispa test that fails until
``transform`` is written and its expected rows are filled in) and the job's entry in
``jobs/<domain>/jobs.yaml``. A new domain also gets its manifest, ``terraform/jobs/<domain>_jobs.tf``
and its place in ``wired_domains``. Existing files are never overwritten.

Until ``transform`` is written, ``just validate`` reports the job as a stub (see
``tools.manifest.script_checks.is_scaffold_stub``) and its test fails: an unfinished job cannot pass CI.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from tools.repository import REPO_ROOT

_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,40}$")

SCRIPT = '''"""{title}: TODO say what this job reads, what it produces and why.

Run as Glue runs it: ``job_{name}.py --JOB_NAME {domain}_{name} --run_date 2026-11-26``.
"""

from __future__ import annotations

from collections.abc import Sequence

from pyspark.sql import DataFrame

from core.job import start_job

# Declare every table the job reads and writes: `just validate` checks them against jobs.yaml,
# and Terraform grants the job's role exactly these.
TABLES_READ: tuple[str, ...] = ()
TABLES_WRITTEN: tuple[str, ...] = ()


def transform(df: DataFrame) -> DataFrame:
    """The job's logic as a pure DataFrame → DataFrame function (tested in tests/test_job_{domain}_{name}.py)."""
    raise NotImplementedError("{domain}_{name}: transform() is the `just new-job` stub; write it and its test")


def main(argv: Sequence[str] | None = None) -> None:
    with start_job(argv, required=["run_date"]) as job:
        run_date = job.args.date("run_date")
        job.log.info("nothing to do yet", extra={{"run_date": run_date.isoformat()}})


if __name__ == "__main__":
    main()
'''

TEST = """from __future__ import annotations

from chispa import assert_df_equality
from pyspark.sql import SparkSession

from jobs.{domain} import job_{name} as job


def test_transform(spark: SparkSession) -> None:
    # TODO: input rows that exercise every rule of the job (edge cases too), and exactly the rows,
    # types and order transform() must return for them. Fails until transform() is written.
    source = spark.createDataFrame([(1, "a")], "id bigint, value string")
    expected = spark.createDataFrame([(1, "a")], "id bigint, value string")
    assert_df_equality(job.transform(source), expected)
"""

ENTRY = """  {name}:
    script: job_{name}.py
    description: TODO one line on what {domain}_{name} does
    reads: {{}}
    writes: {{}}
"""

MANIFEST = """# Glue jobs of the {domain} domain (see jobs/sales/jobs.yaml for the format).
domain: {domain}
defaults:
  worker_type: G.1X
  number_of_workers: 2
  timeout_minutes: 30
  max_retries: 0
  execution_class: STANDARD
  max_concurrent_runs: 1
jobs:
"""

DOMAIN_TF = """# Glue jobs and pipelines of the {domain} domain, from jobs/{domain}/jobs.yaml: add jobs there, not here.

module "{domain}_jobs" {{
  source   = "../modules/glue_job"
  for_each = local.jobs_of["{domain}"]

  job      = each.value
  platform = local.platform

  depends_on = [aws_s3_object.script, aws_s3_object.core_wheel]
}}

module "{domain}_pipelines" {{
  source   = "../modules/stepfunction_pipeline"
  for_each = try(local.pipelines_of["{domain}"], {{}})

  name               = each.value.name
  description        = each.value.description
  stages             = each.value.stages
  schedule           = each.value.schedule
  schedule_enabled   = var.schedules_enabled
  failure_topic_arn  = var.central.sns_topic_arn
  kms_key_arn        = var.central.kms_key_arn
  log_retention_days = var.log_retention_days
  tags               = local.tags
}}
"""


class ScaffoldError(ValueError):
    """The job cannot be scaffolded (bad name, already exists)."""


def _insert_job_entry(manifest: Path, entry: str) -> None:
    """Add ``entry`` at the end of the manifest's ``jobs:`` block, keeping comments and order."""
    lines = manifest.read_text().splitlines(keepends=True)
    try:
        start = next(i for i, line in enumerate(lines) if line.rstrip() == "jobs:")
    except StopIteration as e:
        raise ScaffoldError(f"{manifest} has no top-level 'jobs:' block") from e
    end = next((i for i in range(start + 1, len(lines)) if lines[i][:1].isalpha()), len(lines))
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    if lines and not lines[end - 1].endswith("\n"):
        lines[end - 1] += "\n"
    lines[end:end] = [entry]
    manifest.write_text("".join(lines))


def _wire_domain(root: Path, domain: str) -> list[Path]:
    jobs_tf = root / "terraform" / "jobs"
    domain_file = jobs_tf / f"{domain}_jobs.tf"
    domain_file.write_text(DOMAIN_TF.format(domain=domain))
    main = jobs_tf / "main.tf"
    text = main.read_text()
    match = re.search(r"wired_domains = \[([^\]]*)\]", text)
    if match is None:
        raise ScaffoldError(f"{main} has no wired_domains list")
    domains = sorted({*re.findall(r'"([a-z0-9_]+)"', match[1]), domain})
    main.write_text(text.replace(match[0], "wired_domains = [" + ", ".join(f'"{d}"' for d in domains) + "]"))
    return [domain_file, main]


def scaffold(domain: str, name: str, root: Path = REPO_ROOT) -> list[Path]:
    """Create the job; returns every file written or changed."""
    for what, value in (("domain", domain), ("name", name)):
        if not _NAME_RE.match(value):
            raise ScaffoldError(f"{what} {value!r} must be lower_snake_case (a-z, 0-9, _), starting with a letter")
    folder = root / "jobs" / domain
    script = folder / f"job_{name}.py"
    test = root / "tests" / f"test_job_{domain}_{name}.py"
    for path in (script, test):
        if path.exists():
            raise ScaffoldError(f"{path.relative_to(root)} already exists")
    manifest = folder / "jobs.yaml"
    changed: list[Path] = []
    if not manifest.exists():
        folder.mkdir(parents=True)
        manifest.write_text(MANIFEST.format(domain=domain))
        changed += _wire_domain(root, domain)
    elif re.search(rf"^  {re.escape(name)}:\s*$", manifest.read_text(), re.MULTILINE):
        raise ScaffoldError(f"{manifest.relative_to(root)} already has a job {name!r}")
    title = name.replace("_", " ").capitalize()
    script.write_text(SCRIPT.format(title=title, name=name, domain=domain))
    test.write_text(TEST.format(domain=domain, name=name))
    _insert_job_entry(manifest, ENTRY.format(name=name, domain=domain))
    return [script, test, manifest, *changed]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="just new-job", description=__doc__.split("\n\n")[0])
    parser.add_argument("domain")
    parser.add_argument("name", help="job name without the job_ prefix, e.g. returns")
    options = parser.parse_args(argv)
    try:
        written = scaffold(options.domain, options.name)
    except ScaffoldError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path.relative_to(REPO_ROOT)}")
    print(
        "next: write transform() (the stub raises NotImplementedError, so its test fails and `just validate` names it)"
        " and its test's rows, declare TABLES_*, then `just validate` and `just unit`"
    )
    return 0
