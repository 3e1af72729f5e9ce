"""Customer delta: CDC changes (JSON lines) → SCD type 2 ``customers.customer_dim``.

Run as Glue runs it: ``job_customer_delta.py --JOB_NAME customers_customer_delta --run_date 2026-11-26``.

Each change is ``{"op": "I|U|D", "customer_id": …, attributes…, "changed_at": …}``. Valid
changes are normalised and applied in one MERGE: the current version of a changed
customer is closed and new versions opened (``valid_from``/``valid_to``/``is_current``);
deletes close without opening. Changes already applied, older than the current version,
or repeating it are skipped, so re-running a day changes nothing. Rejected changes go to
``customers.quarantine`` with the reason.
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
from core.readers import read_json_lines
from core.writers import scd2_merge, write_quarantine

DIM_TABLE = "customers.customer_dim"
QUARANTINE_TABLE = "customers.quarantine"
TABLES_READ = (DIM_TABLE,)
TABLES_WRITTEN = (DIM_TABLE, QUARANTINE_TABLE)
OPERATIONS = ("I", "U", "D")

RAW_CHANGES_SCHEMA = T.StructType(
    [
        T.StructField("op", T.StringType(), False),
        T.StructField("customer_id", T.LongType(), False),
        T.StructField("name", T.StringType(), True),
        T.StructField("email", T.StringType(), True),
        T.StructField("country", T.StringType(), True),
        T.StructField("segment", T.StringType(), True),
        T.StructField("changed_at", T.TimestampType(), False),
    ]
)
CUSTOMER_DIM_SCHEMA = T.StructType(
    [
        T.StructField("customer_id", T.LongType(), True),
        T.StructField("name", T.StringType(), True),
        T.StructField("email", T.StringType(), True),
        T.StructField("country", T.StringType(), True),
        T.StructField("segment", T.StringType(), True),
        T.StructField("valid_from", T.TimestampType(), True),
        T.StructField("valid_to", T.TimestampType(), True),
        T.StructField("is_current", T.BooleanType(), True),
    ]
)


def raw_changes_uri(config: Config, run_date: dt.date) -> str:
    return config.raw_uri("customers/changes", f"ingest_date={run_date.isoformat()}")


def change_rules() -> dict[str, Column]:
    """Rules a parsed change must pass. Deletes only need a key and a time."""
    op = F.upper(F.trim("op"))
    upsert = op != "D"
    return {
        "op_known": op.isin(*OPERATIONS),
        "email_valid": ~upsert | F.trim("email").rlike(r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
        "country_iso2": ~upsert | F.trim("country").rlike(r"^[A-Za-z]{2}$"),
    }


def transform(changes: DataFrame) -> DataFrame:
    """Normalise valid changes: trimmed names, lower-case e-mail, ISO country in upper case."""
    return changes.select(
        "customer_id",
        F.trim("name").alias("name"),
        F.lower(F.trim("email")).alias("email"),
        F.upper(F.trim("country")).alias("country"),
        F.lower(F.trim("segment")).alias("segment"),
        "changed_at",
        F.upper(F.trim("op")).alias("op"),
    )


def main(argv: Sequence[str] | None = None) -> None:
    with start_job(argv, required=["run_date"]) as job:
        run_date = job.args.date("run_date")
        checked = read_json_lines(job.spark, raw_changes_uri(job.config, run_date), RAW_CHANGES_SCHEMA).validate(
            change_rules()
        )
        counts = checked.reconcile()
        job.log.info("changes read", extra={"read": counts.read, "good": counts.good, "quarantined": counts.bad})
        ensure_table(job.spark, DIM_TABLE, CUSTOMER_DIM_SCHEMA, comment="Customers, SCD type 2")
        result = scd2_merge(
            transform(checked.good), DIM_TABLE, ["customer_id"], changed_at="changed_at", operation="op"
        )
        write_quarantine(
            checked.bad, QUARANTINE_TABLE, job=job.args.job_name, run_key=run_date.isoformat(), run_id=job.args.run_id
        )
        job.log.info("customer dimension merged", extra={"merge": result.summary})
        checked.unpersist()


if __name__ == "__main__":
    main()
