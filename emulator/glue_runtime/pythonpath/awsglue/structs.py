"""Rebuilding nested struct columns: what Glue does on records, done on DataFrame columns.

A DataFrame cannot drop or rename a field deep inside a struct in place, so these helpers rebuild
the affected top-level columns from the schema (other columns are passed through untouched).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from awsglue.paths import column_ref, quote

# One node of a projection tree: a leaf column, or children (name → node), in insertion order.
Tree = dict[str, "Column | Tree"]


def resolve(schema: T.StructType, parts: Sequence[str], case_sensitive: bool = True) -> list[str] | None:
    """The field names as the schema spells them along ``parts``, or None if the path does not exist."""
    resolved: list[str] = []
    current: T.DataType = schema
    for part in parts:
        if not isinstance(current, T.StructType):
            return None
        match = _field(current, part, case_sensitive)
        if match is None:
            return None
        resolved.append(match.name)
        current = match.dataType
    return resolved


def type_at(schema: T.StructType, parts: Sequence[str]) -> T.DataType:
    """The type of the (existing, exactly spelled) field at ``parts``."""
    current: T.DataType = schema
    for part in parts:
        assert isinstance(current, T.StructType)
        current = current[part].dataType
    return current


def _field(struct: T.StructType, name: str, case_sensitive: bool) -> T.StructField | None:
    for field in struct.fields:
        if field.name == name:
            return field
    if not case_sensitive:
        for field in struct.fields:
            if field.name.lower() == name.lower():
                return field
    return None


def value_at(parts: Sequence[str]) -> Column:
    return F.col(column_ref(list(parts)))


def nest(leaves: Sequence[tuple[Sequence[str], Column]]) -> list[Column]:
    """Columns that place each leaf at its path; shared prefixes become one struct (first-seen order)."""
    tree: Tree = {}
    for parts, column in leaves:
        node = tree
        for part in parts[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):  # a leaf already sits where a struct is needed
                child = node[part] = {}
            node = child
        node[parts[-1]] = column
    return [_build(name, node) for name, node in tree.items()]


def _build(name: str, node: Column | Tree) -> Column:
    if isinstance(node, dict):
        return F.struct(*[_build(child, sub) for child, sub in node.items()]).alias(name)
    return node.alias(name)


def all_leaves(schema: T.StructType) -> list[list[str]]:
    """Every path to a non-struct field, depth-first in schema order."""
    leaves: list[list[str]] = []
    for field in schema.fields:
        if isinstance(field.dataType, T.StructType):
            leaves.extend([field.name, *sub] for sub in all_leaves(field.dataType))
        else:
            leaves.append([field.name])
    return leaves


def rebuild(
    df: DataFrame,
    visit: Callable[[list[str], T.StructField], list[tuple[str, Column]] | None],
) -> DataFrame:
    """Project ``df`` after asking ``visit(path, field)`` about every field, top-down.

    ``visit`` returns None to keep the field (recursing into structs) or a list of ``(name, column)``
    that replace it (an empty list drops it).
    """
    return df.select(*_rebuild_struct(df.schema, [], visit))


def _rebuild_struct(
    struct: T.StructType,
    prefix: list[str],
    visit: Callable[[list[str], T.StructField], list[tuple[str, Column]] | None],
) -> list[Column]:
    columns: list[Column] = []
    for field in struct.fields:
        path = [*prefix, field.name]
        replaced = visit(path, field)
        if replaced is not None:
            columns.extend(column.alias(name) for name, column in replaced)
        elif isinstance(field.dataType, T.StructType) and _touches(field.dataType, path, visit):
            children = _rebuild_struct(field.dataType, path, visit)
            parent = value_at(path)
            # A null struct stays null instead of becoming a struct of nulls.
            columns.append(F.when(parent.isNull(), F.lit(None)).otherwise(F.struct(*children)).alias(field.name))
        else:
            columns.append(value_at(path).alias(field.name))
    return columns


def _touches(
    struct: T.StructType,
    prefix: list[str],
    visit: Callable[[list[str], T.StructField], list[tuple[str, Column]] | None],
) -> bool:
    for field in struct.fields:
        path = [*prefix, field.name]
        if visit(path, field) is not None:
            return True
        if isinstance(field.dataType, T.StructType) and _touches(field.dataType, path, visit):
            return True
    return False


def top_level(name: str) -> Column:
    return F.col(quote(name))
