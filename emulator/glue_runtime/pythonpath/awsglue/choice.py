"""ResolveChoice on DataFrames, where no column is ever a choice type.

Glue makes a field a *choice* when records disagree on its type (``int`` in some, ``string`` in
others). Spark's readers instead widen such a field to one type (JSON: usually ``string``), so:

* ``cast:<type>`` casts the field (as Glue casts each choice branch; uncastable values become null);
* ``project:<type>`` is a no-op when the field already has that type on a typed frame, and fails loudly
  otherwise (on csv/json records Spark may already have converted values Glue would drop)
  (which values "were" of that type is lost once Spark widened them);
* ``make_cols`` gives ``<field>_<type>`` for the field's one type; ``make_struct`` a struct with one
  field named after the type;
* ``match_catalog`` casts to the column types of the Data Catalog table;
* ``choice="..."`` without specs (resolve every choice field) is a no-op where Glue could have no choice
  either (typed sources, ``fromDF``, after ApplyMapping, as Glue's generated scripts do) and fails loudly
  on records read from csv/json, where Glue might have resolved fields that Spark has widened.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from awsglue.errors import GlueRuntimeError, GlueUnsupportedError
from awsglue.gluetypes import glue_name, spark_type
from awsglue.paths import split_path
from awsglue.structs import rebuild, resolve, value_at

CatalogColumns = Callable[[], Mapping[str, str]]  # lower-cased column name → Glue type name
Spec = tuple[str, str]


def resolve_choice(
    df: DataFrame,
    specs: Sequence[Spec] | None,
    choice: str,
    catalog_columns: CatalogColumns | None,
    may_have_choices: bool = True,
) -> DataFrame:
    if specs and choice:
        raise GlueRuntimeError("resolveChoice: give either specs or choice, not both (as Glue requires)")
    if specs:
        for path, action in specs:
            df = _resolve_one(df, path, action, catalog_columns, may_have_choices)
        return df
    if not choice:
        return df  # Glue would resolve the schema's choices; locally there are none
    if choice == "match_catalog":
        columns = _catalog(catalog_columns, "match_catalog")
        casts = {name: spark_type(columns[name.lower()]) for name in df.columns if name.lower() in columns}
        return df.select(*[value_at([n]).cast(casts[n]).alias(n) if n in casts else value_at([n]) for n in df.columns])
    if choice.partition(":")[0] not in ("cast", "project", "make_cols", "make_struct"):
        raise GlueRuntimeError(
            f"resolveChoice: choice {choice!r} is not cast:<type>, project:<type>, make_cols, "
            "make_struct or match_catalog"
        )
    if not may_have_choices:
        return df  # typed source, fromDF or ApplyMapping: no field can be a choice, in Glue either
    raise GlueUnsupportedError(
        f"resolveChoice(choice={choice!r}) without specs on records read from csv/json: Glue would resolve the "
        "fields whose records disagree on type, but locally Spark has already widened them to one type, so which "
        "fields those are is unknown; apply_mapping first, or name the fields: specs=[('field', 'cast:<type>')]"
    )


def _resolve_one(
    df: DataFrame, path: str, action: str, catalog_columns: CatalogColumns | None, may_have_choices: bool
) -> DataFrame:
    parts = resolve(df.schema, split_path(path))
    if parts is None:
        raise GlueRuntimeError(f"resolveChoice: field {path!r} does not exist in the frame")
    name = parts[-1]
    kind, _, argument = action.partition(":")
    if kind == "cast":
        target = spark_type(argument)
        return _replace(df, parts, lambda v, _t: [(name, v.cast(target))])
    if kind == "project":
        return _project(df, parts, path, argument, may_have_choices)
    if kind == "make_cols":
        return _replace(df, parts, lambda v, t: [(f"{name}_{glue_name(t)}", v)])
    if kind == "make_struct":
        return _replace(df, parts, lambda v, t: [(name, F.struct(v.alias(glue_name(t))))])
    if kind == "match_catalog":
        columns = _catalog(catalog_columns, "match_catalog")
        if name.lower() not in columns:
            raise GlueRuntimeError(
                f"resolveChoice: the catalog table has no column {name!r} (it has {sorted(columns)})"
            )
        target = spark_type(columns[name.lower()])
        return _replace(df, parts, lambda v, _t: [(name, v.cast(target))])
    raise GlueRuntimeError(
        f"resolveChoice: action {action!r} for {path!r} is not one of cast:<type>, project:<type>, "
        "make_cols, make_struct, match_catalog"
    )


def _project(df: DataFrame, parts: list[str], path: str, type_name: str, may_have_choices: bool) -> DataFrame:
    wanted = spark_type(type_name)
    actual = _type_at(df.schema, parts)
    if actual == wanted and not may_have_choices:
        return df
    if actual == wanted:
        # Glue keeps only the values that were of that type; Spark has already converted the others.
        raise GlueUnsupportedError(
            f"resolveChoice project:{type_name} on {path!r} of records read from csv/json: Glue keeps only the "
            f"values that were {type_name} and drops the others, but locally Spark has already converted every "
            f"value to {glue_name(actual)}, so which ones to drop is unknown; use cast:<type> (every value "
            "converted), or apply_mapping first"
        )
    raise GlueUnsupportedError(
        f"resolveChoice project:{type_name} on {path!r}: locally the field is one {glue_name(actual)} column "
        "(Spark widened mixed values), so which values were originally "
        f"{type_name} is unknown; use cast:{type_name} if converting every value is what you want"
    )


def _type_at(schema: T.StructType, parts: list[str]) -> T.DataType:
    current: T.DataType = schema
    for part in parts:
        assert isinstance(current, T.StructType)
        current = current[part].dataType
    return current


def _replace(
    df: DataFrame, parts: list[str], make: Callable[[Column, T.DataType], list[tuple[str, Column]]]
) -> DataFrame:
    target = list(parts)
    return rebuild(df, lambda path, field: make(value_at(path), field.dataType) if path == target else None)


def _catalog(catalog_columns: CatalogColumns | None, action: str) -> Mapping[str, str]:
    if catalog_columns is None:
        raise GlueRuntimeError(f"resolveChoice {action} needs database= and table_name= (the catalog table)")
    return catalog_columns()
