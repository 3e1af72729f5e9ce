"""ApplyMapping, SelectFields, DropFields, RenameField, DropNullFields, Filter, Map, Join, union."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from awsglue.context import GlueContext
from awsglue.dynamicframe import DynamicFrame
from awsglue.errors import GlueRuntimeError, GlueUnsupportedError
from awsglue.transforms import *  # noqa: F403 - as Glue scripts import it
from awsglue.transforms import (
    ApplyMapping,
    DropFields,
    Filter,
    Join,
    Map,
    RenameField,
    SelectFields,
    SplitFields,
    SplitRows,
    UnnestFrame,
)
from chispa import assert_df_equality
from pyspark.sql import SparkSession
from pyspark.sql import types as T

PERSON = T.StructType(
    [
        T.StructField("Id", T.StringType()),
        T.StructField(
            "name", T.StructType([T.StructField("first", T.StringType()), T.StructField("last", T.StringType())])
        ),
        T.StructField("amount", T.StringType()),
        T.StructField("day", T.StringType()),
        T.StructField("empty", T.StringType()),
    ]
)
ROWS = [("1", ("Ada", "Lovelace"), "10.50", "2026-11-26", None), ("2", ("Alan", None), "3", "2026-11-27", None)]


@pytest.fixture
def people(spark: SparkSession, glue_context: GlueContext) -> DynamicFrame:
    return DynamicFrame.fromDF(spark.createDataFrame(ROWS, PERSON), glue_context, "people")


def _schema(*fields: tuple[str, T.DataType]) -> T.StructType:
    return T.StructType([T.StructField(name, data_type) for name, data_type in fields])


def test_apply_mapping_casts_renames_nests_and_drops_unmapped(spark: SparkSession, people: DynamicFrame) -> None:
    mapped = ApplyMapping.apply(
        frame=people,
        mappings=[
            ("id", "string", "person.id", "long"),  # case-insensitive source, dotted target
            ("name.first", "string", "person.first_name", "string"),  # nested source
            ("amount", "string", "amount", "decimal(10,2)"),
            ("day", "string", "day", "date"),
        ],
    )
    person = _schema(("id", T.LongType()), ("first_name", T.StringType()))
    expected = spark.createDataFrame(
        [((1, "Ada"), Decimal("10.50"), dt.date(2026, 11, 26)), ((2, "Alan"), Decimal("3.00"), dt.date(2026, 11, 27))],
        _schema(("person", person), ("amount", T.DecimalType(10, 2)), ("day", T.DateType())),
    )
    assert_df_equality(mapped.toDF(), expected, ignore_nullable=True)


def test_apply_mapping_case_sensitive_skips_a_missing_source(people: DynamicFrame) -> None:
    mapped = people.apply_mapping(
        [("id", "string", "id", "long"), ("day", "string", "d", "string")], case_sensitive=True
    )
    assert mapped.toDF().columns == ["d"]


def test_apply_mapping_refuses_an_unknown_type(people: DynamicFrame) -> None:
    with pytest.raises(GlueRuntimeError, match="'money' is not a Glue type name"):
        people.apply_mapping([("amount", "string", "amount", "money")])


def test_select_fields_keeps_nested_parents(spark: SparkSession, people: DynamicFrame) -> None:
    selected = SelectFields.apply(frame=people, paths=["Id", "name.last"]).toDF()
    expected = spark.createDataFrame(
        [("1", ("Lovelace",)), ("2", (None,))],
        _schema(("Id", T.StringType()), ("name", _schema(("last", T.StringType())))),
    )
    assert_df_equality(selected, expected, ignore_nullable=True)


def test_drop_fields_nested_and_top_level(spark: SparkSession, people: DynamicFrame) -> None:
    dropped = DropFields.apply(frame=people, paths=["name.first", "amount", "day", "empty", "no_such"]).toDF()
    expected = spark.createDataFrame(
        [("1", ("Lovelace",)), ("2", (None,))],
        _schema(("Id", T.StringType()), ("name", _schema(("last", T.StringType())))),
    )
    assert_df_equality(dropped, expected, ignore_nullable=True)


def test_rename_field_in_place_and_into_another_struct(people: DynamicFrame) -> None:
    renamed = RenameField.apply(frame=people, old_name="name.first", new_name="name.given").toDF()
    assert renamed.schema["name"].dataType.fieldNames() == ["given", "last"]
    assert sorted(r["name"]["given"] for r in renamed.collect()) == ["Ada", "Alan"]
    moved = people.rename_field("day", "meta.day").toDF()
    assert moved.columns == ["Id", "name", "amount", "empty", "meta"]
    assert sorted((r["Id"], r["meta"]["day"]) for r in moved.collect()) == [("1", "2026-11-26"), ("2", "2026-11-27")]


def test_drop_null_fields_drops_all_null_columns(people: DynamicFrame) -> None:
    assert DropNullFields.apply(frame=people).toDF().columns == ["Id", "name", "amount", "day"]  # noqa: F405


def test_filter_sees_records_as_dicts(people: DynamicFrame) -> None:
    kept = Filter.apply(frame=people, f=lambda r: r["name"]["last"] is not None and r["Id"] == "1").toDF()
    assert kept.schema == people.toDF().schema
    assert [r["Id"] for r in kept.collect()] == ["1"]


def test_map_changes_records_and_keeps_unchanged_types(spark: SparkSession, people: DynamicFrame) -> None:
    def shout(record: dict[str, Any]) -> dict[str, Any]:
        record["name"]["first"] = record["name"]["first"].upper()
        record["cents"] = round(float(record["amount"]) * 100)
        del record["empty"]
        return record

    mapped = Map.apply(frame=people, f=shout).toDF()
    assert sorted((r["Id"], r["name"]["first"], r["cents"]) for r in mapped.collect()) == [
        ("1", "ADA", 1050), ("2", "ALAN", 300),
    ]  # fmt: skip
    assert mapped.schema["Id"].dataType == T.StringType()
    assert mapped.schema["cents"].dataType == T.LongType()


def test_map_keeps_a_field_null_in_every_record(spark: SparkSession, glue_context: GlueContext) -> None:
    frame = DynamicFrame.fromDF(
        spark.createDataFrame([(1, None), (2, None)], "id int, note string"), glue_context, "notes"
    )

    def tag(record: dict[str, Any]) -> dict[str, Any]:
        record["flag"] = None  # a new field that no record gives a value
        record["label"] = f"n{record['id']}"
        return record

    mapped = Map.apply(frame=frame, f=tag).toDF()
    assert sorted(tuple(r) for r in mapped.select("id", "note", "flag", "label").collect()) == [
        (1, None, None, "n1"), (2, None, None, "n2"),
    ]  # fmt: skip
    assert (mapped.schema["note"].dataType, mapped.schema["flag"].dataType) == (T.StringType(), T.NullType())


def test_join_keeps_both_keys(spark: SparkSession, glue_context: GlueContext) -> None:
    orders = DynamicFrame.fromDF(
        spark.createDataFrame([("o1", 1), ("o2", 2), ("o3", 9)], "oid string, person_id int"), glue_context, "orders"
    )
    persons = DynamicFrame.fromDF(
        spark.createDataFrame([(1, "Ada"), (2, "Alan")], "id int, name string"), glue_context, "persons"
    )
    joined = Join.apply(orders, persons, "person_id", "id").toDF()
    assert sorted(tuple(r) for r in joined.select("oid", "person_id", "id", "name").collect()) == [
        ("o1", 1, 1, "Ada"), ("o2", 2, 2, "Alan"),
    ]  # fmt: skip


def test_join_with_a_name_on_both_sides_fails_loudly(spark: SparkSession, glue_context: GlueContext) -> None:
    left = DynamicFrame.fromDF(spark.createDataFrame([(1, "a")], "id int, v string"), glue_context, "l")
    right = DynamicFrame.fromDF(spark.createDataFrame([(1, "b")], "id int, v string"), glue_context, "r")
    with pytest.raises(GlueUnsupportedError, match=r"both frames have fields \['id', 'v'\]"):
        left.join(["id"], ["id"], right)


def test_union_by_name_with_missing_fields(spark: SparkSession, glue_context: GlueContext) -> None:
    a = DynamicFrame.fromDF(spark.createDataFrame([(1, "x")], "id int, v string"), glue_context, "a")
    b = DynamicFrame.fromDF(spark.createDataFrame([("y", 2)], "v string, id int"), glue_context, "b")
    b_extra = b.toDF().withColumnRenamed("v", "w")
    union = a.union(DynamicFrame.fromDF(b_extra, glue_context, "b")).toDF()
    assert sorted(tuple(r) for r in union.collect()) == [(1, "x", None), (2, None, "y")]
    assert a.union(b).count() == 2
    assert sorted(tuple(r) for r in a.union(b).toDF().collect()) == [(1, "x"), (2, "y")]


def _orders(spark: SparkSession, glue_context: GlueContext) -> DynamicFrame:
    rows = [(1, 5, ("Oslo", "NO")), (2, 15, ("Lyon", "FR")), (3, None, ("Graz", "AT")), (4, 25, ("Bonn", "DE"))]
    schema = "id int, qty int, ship struct<city:string, country:string>"
    return DynamicFrame.fromDF(spark.createDataFrame(rows, schema), glue_context, "orders")


def test_split_fields_gives_the_named_fields_and_the_rest(spark: SparkSession, glue_context: GlueContext) -> None:
    split = SplitFields.apply(frame=_orders(spark, glue_context), paths=["id", "ship.city"], name1="keys", name2="rest")
    assert sorted(split.keys()) == ["keys", "rest"]
    keys = split.select("keys").toDF()
    assert sorted((r["id"], r["ship"]["city"]) for r in keys.collect()) == [
        (1, "Oslo"), (2, "Lyon"), (3, "Graz"), (4, "Bonn"),
    ]  # fmt: skip
    rest = split.select("rest").toDF()
    assert sorted((r["qty"] or 0, r["ship"]["country"]) for r in rest.collect()) == [
        (0, "AT"), (5, "NO"), (15, "FR"), (25, "DE"),
    ]  # fmt: skip
    assert "id" not in rest.columns


def test_split_rows_sends_nulls_and_misses_to_the_second_frame(spark: SparkSession, glue_context: GlueContext) -> None:
    split = SplitRows.apply(
        frame=_orders(spark, glue_context), comparison_dict={"qty": {">": 10, "<": 20}}, name1="mid", name2="other"
    )
    assert sorted(r["id"] for r in split.select("mid").toDF().collect()) == [2]
    assert sorted(r["id"] for r in split.select("other").toDF().collect()) == [1, 3, 4]


def test_unnest_names_nested_fields_by_their_path(spark: SparkSession, glue_context: GlueContext) -> None:
    flat = UnnestFrame.apply(frame=_orders(spark, glue_context)).toDF()
    assert flat.columns == ["id", "qty", "ship.city", "ship.country"]
    assert sorted(tuple(r) for r in flat.collect() if r["id"] in (1, 2)) == [
        (1, 5, "Oslo", "NO"),
        (2, 15, "Lyon", "FR"),
    ]
