from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from chispa import assert_df_equality
from pyspark.sql import SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from core.exceptions import ReadError, ReconciliationError, SchemaMismatchError
from core.readers import QUARANTINE_SCHEMA, ReadResult, read_csv, read_json_lines, read_parquet
from tests.conftest import nullable

SCHEMA = T.StructType(
    [
        T.StructField("id", T.LongType(), False),
        T.StructField("amount", T.DecimalType(8, 2), True),
        T.StructField("day", T.DateType(), True),
        T.StructField("note", T.StringType(), True),
    ]
)


@pytest.fixture
def csv_dir(tmp_path: Path) -> Path:
    (tmp_path / "a.csv").write_text(
        "id,amount,day,note\n"
        "1,10.50,2026-11-26,ok\n"
        "2,abc,2026-11-26,bad amount\n"
        ",3.00,2026-11-26,no id\n"
        "4,1.00\n"
        "\n"
        "5,2.00,2026-11-26,ok,extra\n"
    )
    (tmp_path / "b.csv").write_text("id,amount,day,note\n6,7.25,2026-13-01,bad day\n7,,2026-11-27,\n")
    return tmp_path


def _bad(result: ReadResult) -> list[tuple[str, str, str]]:
    rows = result.bad.orderBy("raw_record").collect()
    return [(Path(r["source"]).name, r["raw_record"], r["reason"]) for r in rows]


def test_csv_splits_good_and_bad_with_a_reason_per_row(spark: SparkSession, csv_dir: Path) -> None:
    result = read_csv(spark, str(csv_dir), SCHEMA)
    expected = spark.createDataFrame(
        [(1, Decimal("10.50"), dt.date(2026, 11, 26), "ok"), (7, None, dt.date(2026, 11, 27), None)], nullable(SCHEMA)
    )
    assert_df_equality(result.good, expected, ignore_row_order=True)
    assert _bad(result) == [
        ("a.csv", "4,1.00", "malformed record: wrong number of fields"),
        ("a.csv", "5,2.00,2026-11-26,ok,extra", "malformed record: wrong number of fields"),
        ("a.csv", '{"amount":"3.00","day":"2026-11-26","note":"no id"}', "column id is required"),
        ("a.csv", '{"id":"2","amount":"abc","day":"2026-11-26","note":"bad amount"}',
         "column amount: 'abc' is not a valid decimal(8,2)"),
        ("b.csv", '{"id":"6","amount":"7.25","day":"2026-13-01","note":"bad day"}',
         "column day: '2026-13-01' is not a valid date"),
    ]  # fmt: skip
    assert [(f.name, f.dataType) for f in result.bad.schema] == [(f.name, f.dataType) for f in QUARANTINE_SCHEMA]


def test_counts_reconcile_against_the_input_lines(spark: SparkSession, csv_dir: Path) -> None:
    counts = read_csv(spark, str(csv_dir), SCHEMA).reconcile()
    assert (counts.read, counts.good, counts.bad) == (7, 2, 5)


def test_reconcile_fails_when_records_went_missing(spark: SparkSession, csv_dir: Path) -> None:
    result = read_csv(spark, str(csv_dir), SCHEMA)
    lossy = ReadResult(result.frame.limit(3), result.schema, result.source, result.expected_records)
    with pytest.raises(ReconciliationError, match="7 records in the input but 3 parsed"):
        lossy.reconcile()


def test_business_rules_add_reasons_and_keep_counts(spark: SparkSession, csv_dir: Path) -> None:
    result = read_csv(spark, str(csv_dir), SCHEMA).validate(
        {"amount_present": F.col("amount").isNotNull(), "note_present": F.col("note").isNotNull()}
    )
    assert [r["id"] for r in result.good.collect()] == [1]
    reasons = {r["reason"] for r in result.bad.collect()}
    assert "rule amount_present failed; rule note_present failed" in reasons
    assert "column id is required" in reasons  # parse reasons are kept, not overwritten
    assert result.reconcile().bad == 6


def test_missing_input_is_a_read_error(spark: SparkSession, tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="no input at .*absent"):
        read_csv(spark, str(tmp_path / "absent"), SCHEMA)


def test_json_lines(spark: SparkSession, tmp_path: Path) -> None:
    (tmp_path / "c.jsonl").write_text(
        '{"id": 1, "amount": 2.5, "day": "2026-11-26", "note": "x"}\n'
        '{"id": "x", "amount": 1}\n'
        '{"id": 3, "amount": 1\n'
        '{"id": 4, "note": "no amount"}\n'
    )
    result = read_json_lines(spark, str(tmp_path), SCHEMA)
    expected = spark.createDataFrame(
        [(1, Decimal("2.50"), dt.date(2026, 11, 26), "x"), (4, None, None, "no amount")], nullable(SCHEMA)
    )
    assert_df_equality(result.good, expected, ignore_row_order=True)
    assert sorted(r for _, _, r in _bad(result)) == [
        "column id: 'x' is not a valid bigint",
        "malformed record: not a JSON object",
    ]
    assert result.reconcile().read == 4


def test_parquet_checks_columns_and_allows_only_safe_widening(spark: SparkSession, tmp_path: Path) -> None:
    source = spark.createDataFrame([(1, 2.5, "a"), (None, 1.0, "b")], "id int, amount float, note string")
    source.write.parquet(str(tmp_path / "p"))
    schema = T.StructType([T.StructField("id", T.LongType(), False), T.StructField("amount", T.DoubleType(), True)])
    result = read_parquet(spark, str(tmp_path / "p"), schema)
    assert_df_equality(result.good, spark.createDataFrame([(1, 2.5)], nullable(schema)))
    assert [r["reason"] for r in result.bad.collect()] == ["column id is required"]
    assert result.reconcile().read == 2
    with pytest.raises(SchemaMismatchError, match="column 'note' is string, expected int"):
        read_parquet(spark, str(tmp_path / "p"), T.StructType([T.StructField("note", T.IntegerType())]))
    with pytest.raises(SchemaMismatchError, match="column 'missing' is missing"):
        read_parquet(spark, str(tmp_path / "p"), T.StructType([T.StructField("missing", T.IntegerType())]))
