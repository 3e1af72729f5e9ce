"""Relationalize on DataFrames: nested structs flattened, arrays split out into child tables.

As the Relationalize docs show (the ``hist_root`` example): struct fields become top-level columns
named with ``.``-joined paths (``name.first``); an array field becomes, in its table, a column holding
a join key, and a child table ``<root>_<column>`` with ``id`` (that key), ``index`` (the element's
position, from 0) and ``<column>.val`` (the element; struct elements flattened to
``<column>.val.<field>``). Arrays inside elements repeat this, naming the table after the full column
(``<root>_<column>.val.<field>``). Keys are unique per table but, unlike Glue's, not consecutive; a
null array has a null key, an empty one a key with no child rows. Map columns are kept as they are.
"""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from awsglue.paths import quote

_KEY = "__glue_relationalize_key__"


def relationalize(df: DataFrame, root_table_name: str) -> dict[str, DataFrame]:
    """The tables of ``df``'s relational form, the root one first."""
    tables: dict[str, DataFrame] = {}
    _emit(df, root_table_name, root_table_name, tables)
    return tables


def _leaves(struct: T.StructType, prefix: list[str]) -> list[tuple[str, list[str], T.DataType]]:
    """(flat name, path, type) of every non-struct field; arrays are leaves."""
    found: list[tuple[str, list[str], T.DataType]] = []
    for field in struct.fields:
        path = [*prefix, field.name]
        if isinstance(field.dataType, T.StructType) and field.dataType.fields:
            found.extend(_leaves(field.dataType, path))
        else:
            found.append((".".join(path), path, field.dataType))
    return found


def _ref(path: list[str]) -> Column:
    return F.col(".".join(quote(part) for part in path))


def _emit(df: DataFrame, name: str, root: str, tables: dict[str, DataFrame]) -> None:
    leaves = _leaves(df.schema, [])
    arrays = [(flat, path) for flat, path, data_type in leaves if isinstance(data_type, T.ArrayType)]
    if arrays:
        # Materialised so the keys the parent table shows are the keys its child tables get.
        df = df.withColumn(_KEY, F.monotonically_increasing_id()).localCheckpoint(eager=True)
    columns = []
    for flat, path, data_type in leaves:
        value = _ref(path)
        if isinstance(data_type, T.ArrayType):
            value = F.when(value.isNull(), F.lit(None).cast("long")).otherwise(F.col(_KEY))
        columns.append(value.alias(flat))
    tables[name] = df.select(*columns)
    for flat, path in arrays:
        child = df.select(F.col(_KEY).alias("id"), F.posexplode(_ref(path)).alias("index", f"{flat}.val")).select(
            "id", "index", F.col(quote(f"{flat}.val"))
        )
        _emit(child, f"{root}_{flat}", root, tables)
