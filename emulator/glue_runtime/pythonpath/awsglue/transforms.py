"""``awsglue.transforms``: the documented transform classes, each with ``apply(frame=..., ...)``.

``from awsglue.transforms import *`` gives the same names as Glue's module does for these transforms.
Calling the class (``ApplyMapping.apply(...)`` or ``ApplyMapping()(...)``) runs the DynamicFrame method.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from awsglue.dynamicframe import DynamicFrame, DynamicFrameCollection
from awsglue.errors import GlueRuntimeError

__all__ = [
    "ApplyMapping",
    "DropFields",
    "DropNullFields",
    "Filter",
    "GlueTransform",
    "Join",
    "Map",
    "Relationalize",
    "RenameField",
    "ResolveChoice",
    "SelectFields",
    "SelectFromCollection",
    "Spigot",
    "SplitFields",
    "SplitRows",
    "Unbox",
    "UnnestFrame",
]


class GlueTransform:
    """Base class: ``Transform.apply(**kwargs)`` is ``Transform()(**kwargs)``."""

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        return cls()(*args, **kwargs)

    @classmethod
    def name(cls) -> str:
        return cls.__name__

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError


def _frame(frame: Any, transform: str) -> DynamicFrame:
    if not isinstance(frame, DynamicFrame):
        raise GlueRuntimeError(f"{transform}: frame= must be a DynamicFrame, not {type(frame).__name__}")
    return frame


class ApplyMapping(GlueTransform):
    def __call__(
        self,
        frame: DynamicFrame,
        mappings: Sequence[Any],
        case_sensitive: bool = False,
        transformation_ctx: str = "",
        **kwargs: Any,
    ) -> DynamicFrame:
        return _frame(frame, "ApplyMapping").apply_mapping(mappings, case_sensitive, transformation_ctx)


class ResolveChoice(GlueTransform):
    def __call__(
        self,
        frame: DynamicFrame,
        specs: Sequence[tuple[str, str]] | None = None,
        choice: str = "",
        database: str | None = None,
        table_name: str | None = None,
        transformation_ctx: str = "",
        catalog_id: str | None = None,
        **kwargs: Any,
    ) -> DynamicFrame:
        return _frame(frame, "ResolveChoice").resolveChoice(
            specs=specs,
            choice=choice,
            database=database,
            table_name=table_name,
            transformation_ctx=transformation_ctx,
            catalog_id=catalog_id,
        )


class DropFields(GlueTransform):
    def __call__(
        self, frame: DynamicFrame, paths: Sequence[str], transformation_ctx: str = "", **kwargs: Any
    ) -> DynamicFrame:
        return _frame(frame, "DropFields").drop_fields(paths)


class SelectFields(GlueTransform):
    def __call__(
        self, frame: DynamicFrame, paths: Sequence[str], transformation_ctx: str = "", **kwargs: Any
    ) -> DynamicFrame:
        return _frame(frame, "SelectFields").select_fields(paths)


class RenameField(GlueTransform):
    def __call__(
        self, frame: DynamicFrame, old_name: str, new_name: str, transformation_ctx: str = "", **kwargs: Any
    ) -> DynamicFrame:
        return _frame(frame, "RenameField").rename_field(old_name, new_name)


class DropNullFields(GlueTransform):
    def __call__(self, frame: DynamicFrame, transformation_ctx: str = "", **kwargs: Any) -> DynamicFrame:
        return _frame(frame, "DropNullFields").drop_null_fields()


class Filter(GlueTransform):
    def __call__(
        self, frame: DynamicFrame, f: Callable[[dict[str, Any]], bool], transformation_ctx: str = "", **kwargs: Any
    ) -> DynamicFrame:
        return _frame(frame, "Filter").filter(f)


class Map(GlueTransform):
    def __call__(
        self,
        frame: DynamicFrame,
        f: Callable[[dict[str, Any]], dict[str, Any]],
        transformation_ctx: str = "",
        **kwargs: Any,
    ) -> DynamicFrame:
        return _frame(frame, "Map").map(f)


class Join(GlueTransform):
    def __call__(
        self,
        frame1: DynamicFrame,
        frame2: DynamicFrame,
        keys1: str | Sequence[str],
        keys2: str | Sequence[str],
        transformation_ctx: str = "",
        **kwargs: Any,
    ) -> DynamicFrame:
        return _frame(frame1, "Join").join(keys1, keys2, _frame(frame2, "Join"))


class Relationalize(GlueTransform):
    def __call__(
        self,
        frame: DynamicFrame,
        staging_path: str = "",
        name: str = "roottable",
        options: dict[str, Any] | None = None,
        transformation_ctx: str = "",
        **kwargs: Any,
    ) -> DynamicFrameCollection:
        return _frame(frame, "Relationalize").relationalize(name, staging_path, options)


class SelectFromCollection(GlueTransform):
    def __call__(self, dfc: DynamicFrameCollection, key: str, transformation_ctx: str = "") -> DynamicFrame:
        if not isinstance(dfc, DynamicFrameCollection):
            raise GlueRuntimeError(f"SelectFromCollection: dfc= must be a DynamicFrameCollection, not {type(dfc)}")
        return dfc.select(key)


class Spigot(GlueTransform):
    def __call__(
        self, frame: DynamicFrame, path: str, options: dict[str, Any] | None = None, transformation_ctx: str = ""
    ) -> DynamicFrame:
        return _frame(frame, "Spigot").spigot(path, options)


class Unbox(GlueTransform):
    def __call__(
        self, frame: DynamicFrame, path: str, format: str, transformation_ctx: str = "", **kwargs: Any
    ) -> DynamicFrame:
        return _frame(frame, "Unbox").unbox(path, format)


class SplitFields(GlueTransform):
    def __call__(
        self, frame: DynamicFrame, paths: Sequence[str], name1: str | None = None, name2: str | None = None,
        transformation_ctx: str = "", **kwargs: Any,
    ) -> DynamicFrameCollection:  # fmt: skip
        name = frame.name or "frame"
        return _frame(frame, "SplitFields").split_fields(paths, name1 or f"{name}1", name2 or f"{name}2")


class SplitRows(GlueTransform):
    def __call__(
        self, frame: DynamicFrame, comparison_dict: dict[str, dict[str, Any]], name1: str = "", name2: str = "",
        transformation_ctx: str = "", **kwargs: Any,
    ) -> DynamicFrameCollection:  # fmt: skip
        name = frame.name or "frame"
        return _frame(frame, "SplitRows").split_rows(comparison_dict, name1 or f"{name}1", name2 or f"{name}2")


class UnnestFrame(GlueTransform):
    def __call__(self, frame: DynamicFrame, transformation_ctx: str = "", **kwargs: Any) -> DynamicFrame:
        return _frame(frame, "UnnestFrame").unnest()
