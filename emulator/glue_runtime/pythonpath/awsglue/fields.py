"""DropFields, SelectFields, RenameField and DropNullFields on DataFrames, nested paths included.

Paths that do not exist are ignored, as Glue ignores them (its records simply lack the field), with a
warning in the log so a typo is visible.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from awsglue.errors import GlueRuntimeError
from awsglue.paths import split_path
from awsglue.structs import nest, rebuild, resolve, type_at, value_at

_log = logging.getLogger(__name__)


def _existing(df: DataFrame, paths: Sequence[str], what: str) -> list[list[str]]:
    found: list[list[str]] = []
    for path in paths:
        parts = resolve(df.schema, split_path(path))
        if parts is None:
            _log.warning("%s: field %r does not exist; ignored", what, path)
        else:
            found.append(parts)
    return found


def drop_fields(df: DataFrame, paths: Sequence[str]) -> DataFrame:
    dropped = {tuple(parts) for parts in _existing(df, paths, "DropFields")}
    if not dropped:
        return df
    return rebuild(df, lambda path, _field: [] if tuple(path) in dropped else None)


def select_fields(df: DataFrame, paths: Sequence[str]) -> DataFrame:
    selected = _existing(df, paths, "SelectFields")
    if not selected:
        return df.select()  # Glue gives a frame of empty records
    return df.select(*nest([(parts, value_at(parts)) for parts in selected]))


def rename_field(df: DataFrame, old: str, new: str) -> DataFrame:
    found = _existing(df, [old], "RenameField")
    if not found:
        return df
    old_parts, new_parts = found[0], split_path(new)
    if old_parts[:-1] == new_parts[:-1]:  # same parent: rename in place, keeping the field's position
        target = tuple(old_parts)
        return rebuild(df, lambda path, _f: [(new_parts[-1], value_at(path))] if tuple(path) == target else None)
    value = value_at(old_parts)
    moved = drop_fields(df.withColumn("__glue_moved__", value), [_dotted(old_parts)])
    return _insert(moved, new_parts, F.col("__glue_moved__")).drop("__glue_moved__")


def _dotted(parts: list[str]) -> str:
    return ".".join(f"`{p}`" if "." in p else p for p in parts)


def _insert(df: DataFrame, parts: list[str], value: Column) -> DataFrame:
    """``df`` with ``value`` at ``parts`` (creating parent structs; replacing a field already there)."""
    if len(parts) == 1:
        return df.withColumn(parts[0], value)
    parent = resolve(df.schema, parts[:-1])
    if parent is None:
        head = resolve(df.schema, parts[:1])
        if head is not None:
            raise GlueRuntimeError(f"RenameField: cannot create {parts} under the existing field {head[0]!r}")
        return df.withColumn(parts[0], F.struct(*nest([(parts[1:], value)])))
    if not isinstance(type_at(df.schema, parent), T.StructType):
        raise GlueRuntimeError(f"RenameField: {parent} is not a struct, cannot hold {parts[-1]!r}")

    def visit(path: list[str], field: T.StructField) -> list[tuple[str, Column]] | None:
        if path != parent:
            return None
        assert isinstance(field.dataType, T.StructType)
        children = [
            value_at([*path, child.name]).alias(child.name)
            for child in field.dataType.fields
            if child.name != parts[-1]
        ]
        return [(field.name, F.struct(*children, value.alias(parts[-1])))]

    return rebuild(df, visit)


def drop_null_fields(df: DataFrame) -> DataFrame:
    """Drop the top-level columns whose every value is null (Glue's DropNullFields; NullType ones too)."""
    if not df.columns:
        return df
    counts = df.select(*[F.count(F.col(f"`{name}`")).alias(str(i)) for i, name in enumerate(df.columns)]).first()
    assert counts is not None
    keep = [name for i, name in enumerate(df.columns) if counts[str(i)] > 0]
    return df.select(*[F.col(f"`{name}`") for name in keep])
