from __future__ import annotations

import datetime as dt

from chispa import assert_df_equality
from pyspark.sql import SparkSession
from pyspark.sql import types as T

from core.readers import read_json_lines
from jobs.customers import job_customer_delta as job
from tests.conftest import REPO_ROOT, nullable

SAMPLE = REPO_ROOT / "jobs/customers/sample_data/changes"
CHANGED = dt.datetime(2026, 11, 26, 5, 0)


def test_sample_delta_quarantine_reasons(spark: SparkSession) -> None:
    checked = read_json_lines(spark, str(SAMPLE / "ingest_date=2026-11-26"), job.RAW_CHANGES_SCHEMA).validate(
        job.change_rules()
    )
    assert checked.reconcile().read == 10
    assert sorted(r["reason"] for r in checked.bad.collect()) == [
        "malformed record: not a JSON object",
        "rule email_valid failed",
        "rule op_known failed",
    ]


def test_transform_normalises_changes(spark: SparkSession) -> None:
    raw = spark.createDataFrame(
        [("u", 3, "  Alan Turing ", " Alan.Turing@Example.COM ", " gb", "Retail", CHANGED),
         ("D", 5, None, None, None, None, CHANGED)],
        nullable(job.RAW_CHANGES_SCHEMA),
    )  # fmt: skip
    expected_schema = T.StructType(
        [
            *[f for f in nullable(job.RAW_CHANGES_SCHEMA) if f.name != "op"],
            T.StructField("op", T.StringType(), True),
        ]
    )
    expected = spark.createDataFrame(
        [(3, "Alan Turing", "alan.turing@example.com", "GB", "retail", CHANGED, "U"),
         (5, None, None, None, None, CHANGED, "D")],
        expected_schema,
    )  # fmt: skip
    assert_df_equality(job.transform(raw), expected, ignore_row_order=True)


def test_rules_let_deletes_through_without_attributes(spark: SparkSession) -> None:
    from pyspark.sql import functions as F

    raw = spark.createDataFrame(
        [("D", 5, None, None, None, None, CHANGED), ("U", 6, "x", "no-at", "us", "smb", CHANGED),
         ("I", 7, "y", "y@x.io", "usa", "smb", CHANGED)],
        nullable(job.RAW_CHANGES_SCHEMA),
    )  # fmt: skip
    failed = raw.select("customer_id", *[(~cond).alias(name) for name, cond in job.change_rules().items()]).where(
        F.col("email_valid") | F.col("country_iso2") | F.col("op_known")
    )
    assert sorted((r["customer_id"], r["email_valid"], r["country_iso2"]) for r in failed.collect()) == [
        (6, True, False),
        (7, False, True),
    ]
