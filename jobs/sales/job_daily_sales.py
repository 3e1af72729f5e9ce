"""Daily sales: raw orders (CSV) → ``sales.orders`` (MERGE by order_id) → ``sales.daily_sales``.

Run as Glue runs it: ``job_daily_sales.py --JOB_NAME sales_daily_sales --run_date 2026-11-26``.

1. Read ``<raw>/sales/orders/ingest_date=<run_date>/`` against an explicit schema; rows
   that do not parse or break a business rule go to ``sales.quarantine`` with the reason.
2. Upsert the valid orders into ``sales.orders`` by ``order_id``, latest ``updated_at``
   winning (re-runs are idempotent; a late, older record never undoes a newer one).
3. Recompute ``sales.daily_sales`` for the days this batch touched (the run date, and any
   earlier day a late update changed), overwriting only those partitions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from core.config import Config
from core.iceberg import ensure_table
from core.job import start_job
from core.readers import ReadResult, read_csv, read_table
from core.writers import merge_upsert, overwrite_partitions, write_quarantine

ORDERS_TABLE = "sales.orders"
DAILY_SALES_TABLE = "sales.daily_sales"
QUARANTINE_TABLE = "sales.quarantine"
TABLES_READ = (ORDERS_TABLE,)
TABLES_WRITTEN = (ORDERS_TABLE, DAILY_SALES_TABLE, QUARANTINE_TABLE)

STATUSES = ("PLACED", "SHIPPED", "CANCELLED", "RETURNED")
CURRENCIES = ("EUR", "USD", "GBP")

RAW_ORDERS_SCHEMA = T.StructType(
    [
        T.StructField("order_id", T.StringType(), False),
        T.StructField("customer_id", T.LongType(), False),
        T.StructField("product_id", T.StringType(), True),
        T.StructField("quantity", T.IntegerType(), False),
        T.StructField("unit_price", T.DecimalType(10, 2), False),
        T.StructField("currency", T.StringType(), False),
        T.StructField("status", T.StringType(), False),
        T.StructField("order_ts", T.TimestampType(), False),
        T.StructField("updated_at", T.TimestampType(), False),
    ]
)
ORDERS_SCHEMA = T.StructType(
    [
        T.StructField("order_id", T.StringType(), True),
        T.StructField("customer_id", T.LongType(), True),
        T.StructField("product_id", T.StringType(), True),
        T.StructField("quantity", T.IntegerType(), True),
        T.StructField("unit_price", T.DecimalType(10, 2), True),
        T.StructField("amount", T.DecimalType(12, 2), True),
        T.StructField("currency", T.StringType(), True),
        T.StructField("status", T.StringType(), True),
        T.StructField("order_ts", T.TimestampType(), True),
        T.StructField("order_date", T.DateType(), True),
        T.StructField("updated_at", T.TimestampType(), True),
    ]
)
DAILY_SALES_SCHEMA = T.StructType(
    [
        T.StructField("order_date", T.DateType(), True),
        T.StructField("currency", T.StringType(), True),
        T.StructField("orders", T.LongType(), False),
        T.StructField("cancelled_orders", T.LongType(), False),
        T.StructField("items", T.LongType(), False),
        T.StructField("customers", T.LongType(), False),
        T.StructField("gross_amount", T.DecimalType(18, 2), True),  # a decimal cast may overflow to null
    ]
)


def raw_orders_uri(config: Config, run_date: dt.date) -> str:
    return config.raw_uri("sales/orders", f"ingest_date={run_date.isoformat()}")


def order_rules() -> dict[str, Column]:
    """Business rules a parsed order must pass (name → condition that must hold)."""
    return {
        "quantity_positive": F.col("quantity") > 0,
        "unit_price_not_negative": F.col("unit_price") >= 0,
        "status_known": F.upper(F.trim("status")).isin(*STATUSES),
        "currency_known": F.upper(F.trim("currency")).isin(*CURRENCIES),
    }


def prepare_orders(orders: DataFrame) -> DataFrame:
    """Typed, validated raw orders → rows of ``sales.orders`` (normalised codes, amount, order date)."""
    return orders.select(
        F.upper(F.trim("order_id")).alias("order_id"),
        "customer_id",
        F.upper(F.trim("product_id")).alias("product_id"),
        "quantity",
        "unit_price",
        (F.col("quantity") * F.col("unit_price")).cast(T.DecimalType(12, 2)).alias("amount"),
        F.upper(F.trim("currency")).alias("currency"),
        F.upper(F.trim("status")).alias("status"),
        "order_ts",
        F.to_date("order_ts").alias("order_date"),
        "updated_at",
    )


def transform(orders: DataFrame, order_dates: Sequence[dt.date]) -> DataFrame:
    """Daily aggregates per order date and currency, for ``order_dates`` only.

    Cancelled orders are counted apart and excluded from items, customers and amount.
    """
    live = F.col("status") != "CANCELLED"
    return (
        orders.where(F.col("order_date").isin(list(order_dates)))
        .groupBy("order_date", "currency")
        .agg(
            F.count(F.when(live, True)).alias("orders"),
            F.count(F.when(~live, True)).alias("cancelled_orders"),
            F.coalesce(F.sum(F.when(live, F.col("quantity"))), F.lit(0)).cast("bigint").alias("items"),
            F.countDistinct(F.when(live, F.col("customer_id"))).alias("customers"),
            F.coalesce(F.sum(F.when(live, F.col("amount"))), F.lit(0)).cast(T.DecimalType(18, 2)).alias("gross_amount"),
        )
    )


def touched_dates(batch: DataFrame) -> list[dt.date]:
    return sorted(row["order_date"] for row in batch.select("order_date").distinct().collect())


def load(job_name: str, run_date: dt.date, run_id: str, checked: ReadResult) -> dict[str, object]:
    """Write the batch: MERGE orders, overwrite touched daily partitions, quarantine the rest."""
    spark = checked.frame.sparkSession
    ensure_table(
        spark, ORDERS_TABLE, ORDERS_SCHEMA, partitioned_by=["days(order_ts)"], comment="Orders, one row per order"
    )
    ensure_table(spark, DAILY_SALES_TABLE, DAILY_SALES_SCHEMA, partitioned_by=["order_date"])
    batch = prepare_orders(checked.good)
    merged = merge_upsert(batch, ORDERS_TABLE, keys=["order_id"], order_by="updated_at")
    dates = touched_dates(batch)
    daily = overwrite_partitions(transform(read_table(spark, ORDERS_TABLE), dates), DAILY_SALES_TABLE)
    write_quarantine(checked.bad, QUARANTINE_TABLE, job=job_name, run_key=run_date.isoformat(), run_id=run_id)
    return {"orders_merge": merged.summary, "daily_dates": [d.isoformat() for d in dates], "daily": daily.summary}


def main(argv: Sequence[str] | None = None) -> None:
    with start_job(argv, required=["run_date"]) as job:
        run_date = job.args.date("run_date")
        checked = read_csv(job.spark, raw_orders_uri(job.config, run_date), RAW_ORDERS_SCHEMA).validate(order_rules())
        counts = checked.reconcile()
        job.log.info("orders read", extra={"read": counts.read, "good": counts.good, "quarantined": counts.bad})
        job.log.info("orders loaded", extra=load(job.args.job_name, run_date, job.args.run_id, checked))
        checked.unpersist()


if __name__ == "__main__":
    main()
