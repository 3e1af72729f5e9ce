"""Table maintenance of one domain's Iceberg tables: compact, rewrite manifests, expire, remove orphans.

One script for every domain: each domain's manifest (``jobs/<domain>/jobs.yaml``, block
``maintenance``) deploys it as the Glue job ``<domain>_table_maintenance`` with its policy in the
``--maintenance_policy`` argument (JSON: domain defaults and one entry per table; see
``core.maintenance_policy``), scheduled by a Glue trigger. Run it as Glue does::

    job_table_maintenance.py --JOB_NAME sales_table_maintenance \\
        --maintenance_policy '{"defaults": {"retain_last": 5}, "tables": {"sales.orders": {}}}'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from core import maintenance
from core.job import start_job
from core.maintenance_policy import parse_argument

POLICY_ARGUMENT = "maintenance_policy"
TABLES_READ: tuple[str, ...] = ()  # the tables come from the policy, not from this script
TABLES_WRITTEN: tuple[str, ...] = ()


def main(argv: Sequence[str] | None = None) -> None:
    with start_job(argv, required=[POLICY_ARGUMENT]) as job:
        policies = parse_argument(job.args[POLICY_ARGUMENT])  # extract
        steps = maintenance.plan(policies, now=dt.datetime.now(dt.UTC))  # pure transform
        job.log.info("maintenance planned", extra={"tables": sorted(steps)})
        report = maintenance.run(job.spark, steps, log=job.log)  # load
        job.log.info("maintenance finished", extra=report.summary)
        report.raise_for_failures()


if __name__ == "__main__":
    main()
