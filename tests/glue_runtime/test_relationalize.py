"""Relationalize: structs flattened with dotted names, arrays split into child tables."""

from __future__ import annotations

from awsglue.context import GlueContext
from awsglue.dynamicframe import DynamicFrame, DynamicFrameCollection
from awsglue.transforms import Relationalize, SelectFromCollection
from pyspark.sql import SparkSession

SCHEMA = (
    "id int, name struct<first:string,last:string>, "
    "contacts array<struct<type:string,value:string>>, tags array<string>"
)
ROWS = [
    (1, ("Ada", "Lovelace"), [("email", "ada@x.io"), ("phone", "1")], ["math"]),
    (2, ("Alan", "Turing"), [], None),
]


def _collection(spark: SparkSession, glue_context: GlueContext) -> DynamicFrameCollection:
    frame = DynamicFrame.fromDF(spark.createDataFrame(ROWS, SCHEMA), glue_context, "people")
    return Relationalize.apply(frame=frame, staging_path="/tmp/unused", name="root")


def test_tables_and_their_columns(spark: SparkSession, glue_context: GlueContext) -> None:
    dfc = _collection(spark, glue_context)
    assert dfc.keys() == ["root", "root_contacts", "root_tags"]
    assert dfc["root"].toDF().columns == ["id", "name.first", "name.last", "contacts", "tags"]
    assert dfc["root_contacts"].toDF().columns == ["id", "index", "contacts.val.type", "contacts.val.value"]
    assert dfc["root_tags"].toDF().columns == ["id", "index", "tags.val"]


def test_child_rows_join_back_to_their_parent(spark: SparkSession, glue_context: GlueContext) -> None:
    dfc = _collection(spark, glue_context)
    root = dfc.select("root").toDF()
    contacts = SelectFromCollection.apply(dfc=dfc, key="root_contacts").toDF()
    joined = root.join(contacts, root["contacts"] == contacts["id"]).select(
        root["id"], "`name.first`", "index", "`contacts.val.type`", "`contacts.val.value`"
    )
    assert sorted(tuple(r) for r in joined.collect()) == [
        (1, "Ada", 0, "email", "ada@x.io"),
        (1, "Ada", 1, "phone", "1"),
    ]
    tags = dfc["root_tags"].toDF()
    tagged = root.join(tags, root["tags"] == tags["id"]).select(root["id"], "index", "`tags.val`")
    assert sorted(tuple(r) for r in tagged.collect()) == [(1, 0, "math")]


def test_null_array_has_a_null_key_and_empty_array_no_children(spark: SparkSession, glue_context: GlueContext) -> None:
    dfc = _collection(spark, glue_context)
    root = {r["id"]: r for r in dfc["root"].toDF().collect()}
    assert root[2]["tags"] is None
    assert root[2]["contacts"] is not None
    child_keys = {r["id"] for r in dfc["root_contacts"].toDF().collect()}
    assert root[2]["contacts"] not in child_keys
    assert root[1]["contacts"] in child_keys


def test_arrays_inside_elements_get_their_own_table(spark: SparkSession, glue_context: GlueContext) -> None:
    df = spark.createDataFrame([(1, [("a", [10, 11])])], "id int, orders array<struct<sku:string,qty:array<int>>>")
    dfc = DynamicFrame.fromDF(df, glue_context, "o").relationalize("r", "/tmp/unused")
    assert dfc.keys() == ["r", "r_orders", "r_orders.val.qty"]
    orders = dfc["r_orders"].toDF()
    qty = dfc["r_orders.val.qty"].toDF()
    joined = orders.join(qty, orders["`orders.val.qty`"] == qty["id"]).select(
        "`orders.val.sku`", qty["index"], "`orders.val.qty.val`"
    )
    assert sorted(tuple(r) for r in joined.collect()) == [("a", 0, 10), ("a", 1, 11)]
