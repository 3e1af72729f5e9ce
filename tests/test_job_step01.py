from __future__ import annotations

import datetime as dt
from decimal import Decimal

from chispa import assert_df_equality
from pyspark.sql import SparkSession

from jobs.customers.job_customer_delta import CUSTOMER_DIM_SCHEMA
from jobs.legacy_refactor import job_step01 as job
from jobs.sales.job_daily_sales import ORDERS_SCHEMA

AS_OF = dt.date(2026, 11, 26)


def _order(oid: str, cust: int, amount: str, day: dt.date, status: str = "PLACED") -> tuple[object, ...]:
    ts = dt.datetime.combine(day, dt.time(10))
    return (oid, cust, "P", 1, Decimal(amount), Decimal(amount), "EUR", status, ts, day, ts)


def test_legacy_sql_port_gives_the_legacy_answer(spark: SparkSession) -> None:
    t0 = dt.datetime(2026, 11, 1)
    customers = spark.createDataFrame(
        [
            (1, "Ada", "a@x.io", "GB", "retail", t0, None, True),
            (2, "Grace", "g@x.io", "US", "enterprise", t0, None, True),
            (3, "Alan", "old@x.io", "GB", "retail", t0, dt.datetime(2026, 11, 20), False),  # closed version
            (3, "Alan", "al@x.io", "US", "retail", dt.datetime(2026, 11, 20), None, True),
            (4, "Edsger", "e@x.io", "NL", "smb", t0, None, True),
        ],
        CUSTOMER_DIM_SCHEMA,
    )
    orders = spark.createDataFrame(
        [
            _order("a", 1, "600.00", dt.date(2026, 11, 20)),
            _order("b", 1, "500.00", dt.date(2026, 11, 26)),
            _order("c", 2, "150.00", dt.date(2026, 11, 25)),
            _order("d", 2, "900.00", dt.date(2026, 11, 25), "CANCELLED"),  # excluded
            _order("e", 3, "10.00", dt.date(2026, 11, 27)),  # after the as-of date: excluded
        ],
        ORDERS_SCHEMA,
    )
    expected = spark.createDataFrame(
        [
            (1, "Ada", "GB", "retail", 2, Decimal("1100.00"), dt.date(2026, 11, 26), "HIGH", AS_OF),
            (2, "Grace", "US", "enterprise", 1, Decimal("150.00"), dt.date(2026, 11, 25), "MEDIUM", AS_OF),
            (3, "Alan", "US", "retail", 0, Decimal("0.00"), None, "LOW", AS_OF),
            (4, "Edsger", "NL", "smb", 0, Decimal("0.00"), None, "LOW", AS_OF),
        ],
        job.CUSTOMER_VALUE_SCHEMA,
    )
    assert_df_equality(job.transform(orders, customers, AS_OF), expected, ignore_row_order=True)
