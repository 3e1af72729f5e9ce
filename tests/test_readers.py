from __future__ import annotations

import datetime as dt
from collections.abc import Callable
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


@pytest.mark.parametrize("reader", [read_csv, read_json_lines, read_parquet])
def test_missing_input_is_a_read_error(
    spark: SparkSession, tmp_path: Path, reader: Callable[[SparkSession, str, T.StructType], ReadResult]
) -> None:
    with pytest.raises(ReadError, match="no input at .*absent"):
        reader(spark, str(tmp_path / "absent"), SCHEMA)


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


# ---------------------------------------------------------------- bytes that are not UTF-8

TEXT_SCHEMA = T.StructType([T.StructField("id", T.LongType(), False), T.StructField("note", T.StringType(), True)])


def test_csv_rows_with_invalid_utf8_are_quarantined_and_a_real_replacement_character_is_kept(
    spark: SparkSession, tmp_path: Path
) -> None:
    (tmp_path / "t.csv").write_bytes(
        b"id,note\n"
        b"1,caf\xc3\xa9\n"  # valid UTF-8
        b"2,bad\xff\xfebytes\n"  # not UTF-8 at all
        b"3,legit \xef\xbf\xbd kept\n"  # U+FFFD really in the input: data, not an error
        b'4,"latin-1, caf\xe9"\n'  # ISO-8859-1 bytes inside quotes
        b"5\xe9,x\n"  # a bad byte in the key column
        b"6,x,\xff\n"  # wrong number of fields, the bad byte beyond the schema
    )
    result = read_csv(spark, str(tmp_path), TEXT_SCHEMA)
    expected = spark.createDataFrame([(1, "café"), (3, "legit \ufffd kept")], nullable(TEXT_SCHEMA))
    assert_df_equality(result.good, expected, ignore_row_order=True)
    assert _bad(result) == [
        ("t.csv", "6,x,\ufffd",
         "record contains bytes that are not valid UTF-8; malformed record: wrong number of fields"),
        ("t.csv", '{"id":"2","note":"bad\ufffd\ufffdbytes"}', "column note: contains bytes that are not valid UTF-8"),
        ("t.csv", '{"id":"4","note":"latin-1, caf\ufffd"}', "column note: contains bytes that are not valid UTF-8"),
        ("t.csv", '{"id":"5\ufffd","note":"x"}',
         "column id: contains bytes that are not valid UTF-8; column id: '5\ufffd' is not a valid bigint"),
    ]  # fmt: skip
    assert (result.reconcile().read, result.reconcile().bad) == (6, 4)


def test_csv_with_a_non_ascii_delimiter_and_header(spark: SparkSession, tmp_path: Path) -> None:
    schema = T.StructType([T.StructField("id", T.LongType(), False), T.StructField("prénom", T.StringType(), True)])
    (tmp_path / "t.csv").write_bytes("id§prénom\n1§Zoé\n2§Lu§extra\n".encode())
    result = read_csv(spark, str(tmp_path), schema, delimiter="§")
    assert_df_equality(result.good, spark.createDataFrame([(1, "Zoé")], nullable(schema)))
    assert _bad(result) == [("t.csv", "2§Lu§extra", "malformed record: wrong number of fields")]


def test_json_lines_with_invalid_utf8_are_quarantined_and_escapes_are_data(spark: SparkSession, tmp_path: Path) -> None:
    (tmp_path / "t.jsonl").write_bytes(
        b'{"id": 1, "note": "caf\xc3\xa9"}\n'
        b'{"id": 2, "note": "bad\xffbytes"}\n'
        b'{"id": 3, "note": "legit \xef\xbf\xbd kept"}\n'
        b'{"id": 4, "note": "escaped \\u00e9 \\ufffd"}\n'
        b'{"id": 5, "n\xffote": "bad key"}\n'
        b'[{"id": 6}, {"id": 7}]\n'  # one line, one record: an array is not an object
    )
    result = read_json_lines(spark, str(tmp_path), TEXT_SCHEMA)
    expected = spark.createDataFrame(
        [(1, "café"), (3, "legit \ufffd kept"), (4, "escaped é \ufffd")], nullable(TEXT_SCHEMA)
    )
    assert_df_equality(result.good, expected, ignore_row_order=True)
    assert _bad(result) == [
        ("t.jsonl", '[{"id": 6}, {"id": 7}]', "malformed record: not a JSON object"),
        ("t.jsonl", '{"id": 2, "note": "bad\ufffdbytes"}', "column note: contains bytes that are not valid UTF-8"),
        ("t.jsonl", '{"id": 5, "n\ufffdote": "bad key"}', "record contains bytes that are not valid UTF-8"),
    ]
    counts = result.reconcile()
    assert (counts.read, counts.good, counts.bad) == (6, 3, 3)


# ---------------------------------------------------------------- reconcile against an independent count


def test_reconcile_fails_when_the_csv_input_grew_after_it_was_read(spark: SparkSession, csv_dir: Path) -> None:
    result = read_csv(spark, str(csv_dir), SCHEMA)  # parsed and cached now: 7 records
    with (csv_dir / "b.csv").open("a") as late:  # a producer still writing: these records were never loaded
        late.write("8,1.00,2026-11-27,late\n9,2.00,2026-11-27,late\n")
    with pytest.raises(ReconciliationError, match=r"9 records in the input but 7 parsed \(2 good \+ 5 bad\)"):
        result.reconcile()


def test_reconcile_fails_when_a_json_file_appeared_after_the_read(spark: SparkSession, tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text('{"id": 1}\n{"id": 2}\n')
    result = read_json_lines(spark, str(tmp_path), TEXT_SCHEMA)
    (tmp_path / "b.jsonl").write_text('{"id": 3}\n')
    with pytest.raises(ReconciliationError, match=r"3 records in the input but 2 parsed"):
        result.reconcile()


def _corrupt_data_pages(file: Path) -> None:
    """Overwrite every byte between the leading magic number and the footer, leaving the footer intact."""
    data = bytearray(file.read_bytes())
    footer_start = len(data) - 8 - int.from_bytes(data[-8:-4], "little")
    data[4:footer_start] = b"\xff" * (footer_start - 4)
    file.write_bytes(bytes(data))
    (file.parent / f".{file.name}.crc").unlink()  # the local checksum would catch it before Parquet does


def test_parquet_reconcile_counts_the_footers_and_fails_when_spark_skipped_a_file(
    spark: SparkSession, tmp_path: Path
) -> None:
    rows = [(i, f"n{i}") for i in range(400)]
    spark.createDataFrame(rows, "id long, note string").repartition(2).write.parquet(str(tmp_path / "p"))
    intact = read_parquet(spark, str(tmp_path / "p"), TEXT_SCHEMA)
    assert intact.reconcile().read == 400
    intact.unpersist()  # else Spark would answer the next read of the same plan from this cache
    _corrupt_data_pages(sorted((tmp_path / "p").glob("*.parquet"))[0])
    spark.conf.set("spark.sql.files.ignoreCorruptFiles", "true")  # Spark now drops the file's rows silently
    try:
        result = read_parquet(spark, str(tmp_path / "p"), TEXT_SCHEMA)
    finally:
        spark.conf.unset("spark.sql.files.ignoreCorruptFiles")
    loaded = result.counts().read
    assert 0 < loaded < 400
    with pytest.raises(ReconciliationError, match=rf"400 records in the input but {loaded} parsed"):
        result.reconcile()


def test_unreadable_parquet_is_a_read_error(spark: SparkSession, tmp_path: Path) -> None:
    spark.createDataFrame([(1, "a")], "id long, note string").coalesce(1).write.parquet(str(tmp_path / "p"))
    _corrupt_data_pages(next((tmp_path / "p").glob("*.parquet")))
    with pytest.raises(ReadError, match=r"cannot read .*/p: java.io.IOException: can not read .*PageHeader"):
        read_parquet(spark, str(tmp_path / "p"), TEXT_SCHEMA)
