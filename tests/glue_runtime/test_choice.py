"""resolveChoice on DataFrames: what works, and the cases that fail loudly instead of guessing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from awsglue.context import GlueContext
from awsglue.dynamicframe import DynamicFrame
from awsglue.errors import GlueRuntimeError, GlueUnsupportedError
from awsglue.transforms import ResolveChoice
from chispa import assert_df_equality
from pyspark.sql import SparkSession
from pyspark.sql import types as T


@pytest.fixture
def mixed(tmp_path: Path, glue_context: GlueContext) -> DynamicFrame:
    """JSON whose ``price`` is a number in one record and a string in another: a choice in Glue."""
    path = tmp_path / "prices.json"
    path.write_text("\n".join(json.dumps(r) for r in [{"id": 1, "price": 100}, {"id": 2, "price": "12.5"}]) + "\n")
    return glue_context.create_dynamic_frame.from_options("s3", {"paths": [path.as_uri()]}, "json")  # positional


def test_the_mixed_field_is_one_string_column_locally(mixed: DynamicFrame) -> None:
    assert mixed.schema()["price"].dataType == T.StringType()


def test_cast(spark: SparkSession, mixed: DynamicFrame) -> None:
    resolved = mixed.resolveChoice(specs=[("price", "cast:double")]).toDF()
    expected = spark.createDataFrame([(1, 100.0), (2, 12.5)], "id long, price double")
    assert_df_equality(resolved, expected, ignore_row_order=True, ignore_nullable=True)


def test_cast_through_the_transform_class_on_a_nested_field(spark: SparkSession, glue_context: GlueContext) -> None:
    frame = DynamicFrame.fromDF(spark.createDataFrame([(1, ("7",))], "id int, p struct<v:string>"), glue_context, "f")
    resolved = ResolveChoice.apply(frame=frame, specs=[("p.v", "cast:int")]).toDF()
    assert_df_equality(resolved, spark.createDataFrame([(1, (7,))], "id int, p struct<v:int>"), ignore_nullable=True)


def test_make_cols_names_the_column_after_its_type(spark: SparkSession, mixed: DynamicFrame) -> None:
    resolved = mixed.resolveChoice(specs=[("price", "make_cols")]).toDF()
    expected = spark.createDataFrame([(1, "100"), (2, "12.5")], "id long, price_string string")
    assert_df_equality(resolved, expected, ignore_row_order=True, ignore_nullable=True)


def test_make_struct_has_one_field_per_type(spark: SparkSession, mixed: DynamicFrame) -> None:
    resolved = mixed.resolveChoice(specs=[("price", "make_struct")]).toDF()
    expected = spark.createDataFrame([(1, ("100",)), (2, ("12.5",))], "id long, price struct<string:string>")
    assert_df_equality(resolved, expected, ignore_row_order=True, ignore_nullable=True)


def test_project_on_json_records_fails_loudly_even_to_the_widened_type(mixed: DynamicFrame) -> None:
    # Glue would keep only the values that were strings; Spark has already turned 100 into "100".
    with pytest.raises(GlueUnsupportedError, match=r"project:string on 'price' of records read from csv/json"):
        mixed.resolveChoice(specs=[("price", "project:string")])


def test_project_to_the_field_s_own_type_on_a_typed_frame_is_a_no_op(
    spark: SparkSession, glue_context: GlueContext
) -> None:
    typed = DynamicFrame.fromDF(
        spark.createDataFrame([(1, "100"), (2, "x")], "id int, price string"), glue_context, "t"
    )
    resolved = typed.resolveChoice(specs=[("price", "project:string")]).toDF()
    assert sorted(tuple(r) for r in resolved.collect()) == [(1, "100"), (2, "x")]


def test_project_to_another_type_fails_loudly(mixed: DynamicFrame) -> None:
    with pytest.raises(GlueUnsupportedError, match=r"project:double on 'price'.*use cast:double"):
        mixed.resolveChoice(specs=[("price", "project:double")])


def test_choice_without_specs_on_json_records_fails_loudly(mixed: DynamicFrame) -> None:
    with pytest.raises(GlueUnsupportedError, match="records read from csv/json.*apply_mapping first"):
        mixed.resolveChoice(choice="make_cols")


def test_choice_without_specs_after_apply_mapping_is_a_no_op_as_in_generated_scripts(mixed: DynamicFrame) -> None:
    # Glue's generated scripts: ApplyMapping, then ResolveChoice(choice="make_struct"), then DropNullFields.
    mapped = mixed.apply_mapping([("id", "long", "id", "long"), ("price", "string", "price", "double")])
    resolved = ResolveChoice.apply(frame=mapped, choice="make_struct", transformation_ctx="resolvechoice2")
    assert_df_equality(resolved.toDF(), mapped.toDF())
    assert resolved.toDF().schema == mapped.toDF().schema


def test_choice_without_specs_on_typed_sources(spark: SparkSession, tmp_path: Path, glue_context: GlueContext) -> None:
    spark.createDataFrame([(1, "a")], "id int, v string").write.parquet(str(tmp_path / "p"))
    typed = glue_context.create_dynamic_frame.from_options(
        connection_type="s3", connection_options={"paths": [(tmp_path / "p").as_uri()]}, format="parquet"
    )
    assert sorted(tuple(r) for r in typed.resolveChoice(choice="make_cols").toDF().collect()) == [(1, "a")]
    from_df = DynamicFrame.fromDF(typed.toDF(), glue_context, "f")
    assert from_df.resolveChoice(choice="cast:string").toDF().schema == typed.toDF().schema
    with pytest.raises(GlueRuntimeError, match="choice 'explode' is not"):
        from_df.resolveChoice(choice="explode")


def test_specs_and_choice_together_are_refused(mixed: DynamicFrame) -> None:
    with pytest.raises(GlueRuntimeError, match="either specs or choice"):
        mixed.resolveChoice(specs=[("price", "cast:int")], choice="make_cols")


def test_unknown_action_and_missing_field(mixed: DynamicFrame) -> None:
    with pytest.raises(GlueRuntimeError, match="action 'flatten'"):
        mixed.resolveChoice(specs=[("price", "flatten")])
    with pytest.raises(GlueRuntimeError, match="field 'cost' does not exist"):
        mixed.resolveChoice(specs=[("cost", "cast:int")])


def test_match_catalog_without_a_table_is_refused(mixed: DynamicFrame) -> None:
    with pytest.raises(GlueRuntimeError, match="needs database= and table_name="):
        mixed.resolveChoice(specs=[("price", "match_catalog")])
