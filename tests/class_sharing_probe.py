"""A local driver started by ``core.get_spark`` in a process of its own, for tests/test_class_sharing.py.

``python -m tests.class_sharing_probe <warehouse-uri>``: writes and reads back an Iceberg table and
prints the rows as one JSON line; core's class-sharing log lines go to stderr. The archive folder
comes from ``XDG_CACHE_HOME``, the jars from ``DOMAIN_PROJECT_JARS_CACHE_DIR``.
"""

from __future__ import annotations

import json
import logging
import os
import sys

from core.config import load_config
from core.spark_session import get_spark


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(name)s %(message)s", stream=sys.stderr)
    machine = {k: v for k, v in os.environ.items() if k.startswith("DOMAIN_PROJECT_JARS_")}
    config = load_config(
        {"catalog_type": "hadoop", "warehouse": sys.argv[1], "spark_shuffle_partitions": 2}, environ=machine
    )
    spark = get_spark(config, app_name="class-sharing-probe")
    spark.sql("CREATE NAMESPACE IF NOT EXISTS probe")
    spark.sql("CREATE OR REPLACE TABLE probe.squares (n BIGINT, square BIGINT) USING iceberg")
    spark.sql("INSERT INTO probe.squares SELECT id, id * id FROM range(5)")
    rows = [[r.n, r.square] for r in spark.table("probe.squares").collect()]
    print(json.dumps(sorted(rows)))


if __name__ == "__main__":
    main()
