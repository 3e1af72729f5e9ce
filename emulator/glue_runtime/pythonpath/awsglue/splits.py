"""``split_fields``, ``split_rows`` and ``unnest`` on DataFrames (DynamicFrame's documented semantics)."""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from functools import reduce
from typing import Any

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from awsglue.errors import GlueRuntimeError
from awsglue.paths import split_path
from awsglue.structs import value_at

_COMPARISONS: Mapping[str, Callable[[Column, Any], Column]] = {
    "<": operator.lt, ">": operator.gt, "<=": operator.le, ">=": operator.ge, "=": operator.eq, "!=": operator.ne,
}  # fmt: skip


def matching(df: DataFrame, comparison_dict: Mapping[str, Mapping[str, Any]]) -> Column:
    """Rows where every ``{path: {op: value}}`` comparison holds (a null compares false, so it goes to the rest)."""
    conditions = []
    for path, comparisons in comparison_dict.items():
        for op, value in comparisons.items():
            if op not in _COMPARISONS:
                raise GlueRuntimeError(f"split_rows: {op!r} on {path!r} is not one of {', '.join(_COMPARISONS)}")
            conditions.append(F.coalesce(_COMPARISONS[op](value_at(split_path(path)), F.lit(value)), F.lit(False)))
    if not conditions:
        raise GlueRuntimeError("split_rows: comparison_dict names no comparison")
    return reduce(operator.and_, conditions)


def unnest(df: DataFrame) -> DataFrame:
    """Nested struct fields become top-level columns named by their dotted path; arrays stay as they are."""

    def leaves(struct: T.StructType, prefix: list[str]) -> list[Column]:
        columns = []
        for field in struct.fields:
            path = [*prefix, field.name]
            if isinstance(field.dataType, T.StructType) and field.dataType.fields:
                columns += leaves(field.dataType, path)
            else:
                columns.append(value_at(path).alias(".".join(path)))
        return columns

    return df.select(*leaves(df.schema, []))
