"""Legacy step 01: the customer value snapshot, ported faithfully from the legacy SQL pipeline.

Run as Glue runs it: ``job_step01.py --JOB_NAME legacy_refactor_step01 --run_date 2026-11-26``.

The legacy warehouse ran ``STEP01_SQL`` nightly against two staging tables. The port keeps
the SQL text as it was (only the table names became temp views and the date a named
parameter), so the business logic can be diffed against the original and is now under
tests. Output: ``legacy_refactor.customer_value``, one partition per ``as_of_date``,
replaced on re-run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from pyspark.sql import DataFrame
from pyspark.sql import types as T

from core.iceberg import ensure_table
from core.job import start_job
from core.readers import read_table
from core.writers import overwrite_partitions

ORDERS_TABLE = "sales.orders"
CUSTOMERS_TABLE = "customers.customer_dim"
OUTPUT_TABLE = "legacy_refactor.customer_value"
TABLES_READ = (ORDERS_TABLE, CUSTOMERS_TABLE)
TABLES_WRITTEN = (OUTPUT_TABLE,)

# The legacy views were STG_ORDERS and DIM_CUSTOMER_CURRENT; their names are kept.
ORDERS_VIEW = "stg_orders"
CUSTOMERS_VIEW = "dim_customer_current"
STEP01_SQL = """
SELECT c.customer_id,
       c.name                                       AS customer_name,
       c.country,
       c.segment,
       COUNT(o.order_id)                            AS orders_count,
       CAST(COALESCE(SUM(o.amount), 0) AS DECIMAL(18, 2)) AS total_amount,
       MAX(o.order_date)                            AS last_order_date,
       CASE
         WHEN COALESCE(SUM(o.amount), 0) >= 1000 THEN 'HIGH'
         WHEN COALESCE(SUM(o.amount), 0) >= 100  THEN 'MEDIUM'
         ELSE 'LOW'
       END                                          AS value_band,
       CAST(:as_of AS DATE)                         AS as_of_date
FROM dim_customer_current c
LEFT JOIN stg_orders o
       ON o.customer_id = c.customer_id
      AND o.status <> 'CANCELLED'
      AND o.order_date <= CAST(:as_of AS DATE)
GROUP BY c.customer_id, c.name, c.country, c.segment
"""

CUSTOMER_VALUE_SCHEMA = T.StructType(
    [
        T.StructField("customer_id", T.LongType(), True),
        T.StructField("customer_name", T.StringType(), True),
        T.StructField("country", T.StringType(), True),
        T.StructField("segment", T.StringType(), True),
        T.StructField("orders_count", T.LongType(), False),
        T.StructField("total_amount", T.DecimalType(18, 2), True),
        T.StructField("last_order_date", T.DateType(), True),
        T.StructField("value_band", T.StringType(), False),
        T.StructField("as_of_date", T.DateType(), True),
    ]
)


def transform(orders: DataFrame, customers: DataFrame, as_of: dt.date) -> DataFrame:
    """Run the legacy SQL over ``orders`` and the current ``customers``, as of a date."""
    spark = orders.sparkSession
    orders.createOrReplaceTempView(ORDERS_VIEW)
    customers.where("is_current").createOrReplaceTempView(CUSTOMERS_VIEW)
    return spark.sql(STEP01_SQL, args={"as_of": as_of.isoformat()})


def main(argv: Sequence[str] | None = None) -> None:
    with start_job(argv, required=["run_date"]) as job:
        as_of = job.args.date("run_date")
        snapshot = transform(read_table(job.spark, ORDERS_TABLE), read_table(job.spark, CUSTOMERS_TABLE), as_of)
        ensure_table(job.spark, OUTPUT_TABLE, CUSTOMER_VALUE_SCHEMA, partitioned_by=["as_of_date"])
        result = overwrite_partitions(snapshot, OUTPUT_TABLE)
        job.log.info("customer value snapshot written", extra={"as_of": as_of.isoformat(), "write": result.summary})


if __name__ == "__main__":
    main()
