"""DynamicFrame on a DataFrame, with the methods AWS's Glue PySpark reference documents.

A DynamicFrame here wraps one Spark DataFrame: every transform is a DataFrame operation, and
``toDF()`` returns it. What cannot be the same as Glue's (choice types, error records, the schema
classes) is listed in the README's differences table; those cases raise
:class:`~awsglue.errors.GlueUnsupportedError`. The keyword arguments Glue uses for its error
accounting (``info``, ``stageThreshold``, ``totalThreshold``) are accepted and have no effect: local
readers never produce error records (see ``errorsCount``).
"""

# ruff: noqa: N802, N803  (Glue's API names are camelCase)

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pyspark.sql import DataFrame
from pyspark.sql import types as T

from awsglue import choice as choice_module
from awsglue import fields, mapping, records, relationalize, splits
from awsglue.errors import GlueRuntimeError, GlueUnsupportedError
from awsglue.paths import split_path
from awsglue.structs import resolve, value_at

if TYPE_CHECKING:
    from awsglue.context import GlueContext


class DynamicFrame:
    """A distributed collection of records: here, a DataFrame with Glue's transform methods."""

    def __init__(self, df: DataFrame, glue_ctx: GlueContext | None, name: str = "") -> None:
        if not isinstance(df, DataFrame):
            raise GlueRuntimeError(f"DynamicFrame wraps a pyspark DataFrame, not {type(df).__name__}")
        self._df = df
        self.glue_ctx = glue_ctx
        self.name = name
        # Whether Glue could have made a field a choice here (records read from csv/json): only then is
        # resolveChoice(choice=...) without specs ambiguous locally. Typed sources and ApplyMapping are not.
        self.may_have_choices = False

    @classmethod
    def fromDF(cls, dataframe: DataFrame, glue_ctx: GlueContext | None, name: str = "") -> DynamicFrame:
        return cls(dataframe, glue_ctx, name)

    def toDF(self, options: Sequence[Any] | None = None) -> DataFrame:
        if options:
            raise GlueUnsupportedError("toDF(options=...) (ResolveSpec options) is not supported locally")
        return self._df

    def _wrap(self, df: DataFrame, name: str = "", may_have_choices: bool | None = None) -> DynamicFrame:
        frame = DynamicFrame(df, self.glue_ctx, name or self.name)
        frame.may_have_choices = self.may_have_choices if may_have_choices is None else may_have_choices
        return frame

    # --- inspection -------------------------------------------------------------------------------
    def count(self) -> int:
        return self._df.count()

    def schema(self) -> T.StructType:
        return self._df.schema

    def printSchema(self) -> None:
        self._df.printSchema()

    def show(self, num_rows: int = 20) -> None:
        self._df.show(num_rows, truncate=False)

    def getNumPartitions(self) -> int:
        return self._df.rdd.getNumPartitions()

    def errorsCount(self) -> int:
        """Always 0: local readers fail on a malformed record instead of keeping it as an error record."""
        return 0

    def stageErrorsCount(self) -> int:
        return 0

    def errorsAsDynamicFrame(self) -> DynamicFrame:
        return self._wrap(self._df.sparkSession.createDataFrame([], T.StructType([])), f"{self.name}_errors")

    def assertErrorThreshold(self) -> None:
        """No error records locally, so the threshold always holds."""

    # --- transforms -------------------------------------------------------------------------------
    def apply_mapping(
        self,
        mappings: Sequence[mapping.Mapping],
        case_sensitive: bool = False,
        transformation_ctx: str = "",
        **_accounting: Any,
    ) -> DynamicFrame:
        return self._wrap(mapping.apply_mapping(self._df, mappings, case_sensitive), may_have_choices=False)

    def resolveChoice(
        self,
        specs: Sequence[choice_module.Spec] | None = None,
        choice: str = "",
        database: str | None = None,
        table_name: str | None = None,
        transformation_ctx: str = "",
        catalog_id: str | None = None,
        **_accounting: Any,
    ) -> DynamicFrame:
        columns = None
        if database and table_name:
            ctx = self._context("resolveChoice with match_catalog")
            columns = lambda: ctx.catalog_column_types(database, table_name, catalog_id)  # noqa: E731
        resolved = choice_module.resolve_choice(self._df, specs, choice, columns, self.may_have_choices)
        return self._wrap(resolved, may_have_choices=self.may_have_choices and bool(specs))

    def drop_fields(self, paths: Sequence[str], transformation_ctx: str = "", **_accounting: Any) -> DynamicFrame:
        return self._wrap(fields.drop_fields(self._df, paths))

    def select_fields(self, paths: Sequence[str], transformation_ctx: str = "", **_accounting: Any) -> DynamicFrame:
        return self._wrap(fields.select_fields(self._df, paths))

    def rename_field(
        self,
        oldName: str,
        newName: str,
        transformation_ctx: str = "",
        **_accounting: Any,
    ) -> DynamicFrame:
        return self._wrap(fields.rename_field(self._df, oldName, newName))

    def drop_null_fields(self, transformation_ctx: str = "", **_accounting: Any) -> DynamicFrame:
        return self._wrap(fields.drop_null_fields(self._df))

    def filter(
        self, f: Callable[[records.Record], bool], transformation_ctx: str = "", **_accounting: Any
    ) -> DynamicFrame:
        rows = self._df.rdd.mapPartitions(records.keep_where(f))
        return self._wrap(self._df.sparkSession.createDataFrame(rows, self._df.schema))

    def map(
        self, f: Callable[[records.Record], records.Record], transformation_ctx: str = "", **_accounting: Any
    ) -> DynamicFrame:
        return self._wrap(_mapped(self._df, f))

    def join(
        self,
        paths1: str | Sequence[str],
        paths2: str | Sequence[str],
        frame2: DynamicFrame,
        transformation_ctx: str = "",
        **_accounting: Any,
    ) -> DynamicFrame:
        joined = _join(self._df, _as_list(paths1), _as_list(paths2), frame2.toDF())
        return self._wrap(joined, may_have_choices=self.may_have_choices or frame2.may_have_choices)

    def relationalize(
        self,
        root_table_name: str,
        staging_path: str = "",
        options: Mapping[str, Any] | None = None,
        transformation_ctx: str = "",
        **_accounting: Any,
    ) -> DynamicFrameCollection:
        tables = relationalize.relationalize(self._df, root_table_name)
        return DynamicFrameCollection({name: self._wrap(df, name) for name, df in tables.items()}, self.glue_ctx)

    def unbox(self, path: str, format: str, transformation_ctx: str = "", **options: Any) -> DynamicFrame:
        return self._wrap(_unbox(self._df, path, format))

    def split_fields(
        self, paths: Sequence[str], name1: str, name2: str, transformation_ctx: str = "", **_accounting: Any
    ) -> DynamicFrameCollection:
        """``name1``: the given fields; ``name2``: all the others."""
        selected, rest = fields.select_fields(self._df, paths), fields.drop_fields(self._df, paths)
        return DynamicFrameCollection(
            {name1: self._wrap(selected, name1), name2: self._wrap(rest, name2)}, self.glue_ctx
        )

    def split_rows(
        self,
        comparison_dict: Mapping[str, Mapping[str, Any]],
        name1: str,
        name2: str,
        transformation_ctx: str = "",
        **_accounting: Any,
    ) -> DynamicFrameCollection:
        """``name1``: the records meeting every comparison (``{"age": {">": 10, "<": 20}}``); ``name2``: the rest."""
        condition = splits.matching(self._df, comparison_dict)
        frames = {name1: self._df.filter(condition), name2: self._df.filter(~condition)}
        return DynamicFrameCollection({n: self._wrap(df, n) for n, df in frames.items()}, self.glue_ctx)

    def unnest(self, transformation_ctx: str = "", **_accounting: Any) -> DynamicFrame:
        """Nested fields become top-level fields named by their dotted path (``address.city``)."""
        return self._wrap(splits.unnest(self._df))

    def union(self, other_frame: DynamicFrame, transformation_ctx: str = "", **_accounting: Any) -> DynamicFrame:
        union = self._df.unionByName(other_frame.toDF(), allowMissingColumns=True)
        return self._wrap(union, may_have_choices=self.may_have_choices or other_frame.may_have_choices)

    def repartition(self, num_partitions: int, transformation_ctx: str = "", **_accounting: Any) -> DynamicFrame:
        return self._wrap(self._df.repartition(num_partitions))

    def coalesce(
        self, num_partitions: int, shuffle: bool = False, transformation_ctx: str = "", **_accounting: Any
    ) -> DynamicFrame:
        df = self._df.repartition(num_partitions) if shuffle else self._df.coalesce(num_partitions)
        return self._wrap(df)

    def spigot(self, path: str, options: Mapping[str, Any] | None = None, transformation_ctx: str = "") -> DynamicFrame:
        """Write a sample (``topk``, default 10 records) as JSON to ``path``, and return the frame unchanged."""
        top = int((options or {}).get("topk", 10))
        self._df.limit(top).write.mode("overwrite").json(path)
        return self

    def _context(self, what: str) -> GlueContext:
        if self.glue_ctx is None:
            raise GlueRuntimeError(f"{what} needs a GlueContext: build the frame with fromDF(df, glueContext, name)")
        return self.glue_ctx


def _as_list(paths: str | Sequence[str]) -> list[str]:
    return [paths] if isinstance(paths, str) else list(paths)


def _mapped(df: DataFrame, f: Callable[[records.Record], records.Record]) -> DataFrame:
    rows = df.rdd.mapPartitions(records.mapped_with(f))
    if rows.isEmpty():
        return df  # nothing to infer a schema from; Glue's empty result has no records either
    original = {field.name: field.dataType for field in df.schema.fields}
    result = df.sparkSession.createDataFrame(
        rows.map(lambda row: row.asDict(recursive=True)), _returned_schema(rows, original)
    )
    # Python ints infer as long and Decimals as decimal(38,18): give unchanged fields back their type.
    casts = [
        value_at([field.name]).cast(original[field.name]).alias(field.name)
        if field.name in original and original[field.name] != field.dataType and _atomic(field.dataType)
        else value_at([field.name])
        for field in result.schema.fields
    ]
    return result.select(*casts)


def _returned_schema(rows: Any, original: Mapping[str, T.DataType]) -> T.StructType:
    """The schema of every returned record merged (Spark samples only the first ones); a field that is
    null in every record keeps its input type, or is NullType when new (Glue keeps it; DropNullFields drops it)."""
    from pyspark.sql.types import _infer_schema, _merge_type  # pyspark's own inference, applied to all records

    merged = rows.map(lambda row: _infer_schema(row, infer_dict_as_struct=True)).reduce(_merge_type)
    return T.StructType(
        [
            T.StructField(
                f.name, original.get(f.name, T.NullType()) if isinstance(f.dataType, T.NullType) else f.dataType
            )
            for f in merged.fields
        ]
    )


def _atomic(data_type: T.DataType) -> bool:
    return not isinstance(data_type, (T.StructType, T.ArrayType, T.MapType))


def _join(left: DataFrame, paths1: list[str], paths2: list[str], right: DataFrame) -> DataFrame:
    if len(paths1) != len(paths2) or not paths1:
        raise GlueRuntimeError(f"Join: paths1 {paths1} and paths2 {paths2} must be non-empty and of equal length")
    left_keys = [_existing(left, p, "paths1") for p in paths1]
    right_keys = [_existing(right, p, "paths2") for p in paths2]
    if clash := sorted(set(left.columns) & set(right.columns)):
        raise GlueUnsupportedError(
            f"Join: both frames have fields {clash}; locally the result cannot hold two fields of one name. "
            "Rename one side's fields first (rename_field), as AWS's join examples do"
        )
    condition = None
    for lk, rk in zip(left_keys, right_keys, strict=True):
        term = left[".".join(f"`{p}`" for p in lk)] == right[".".join(f"`{p}`" for p in rk)]
        condition = term if condition is None else condition & term
    return left.join(right, condition, "inner")


def _existing(df: DataFrame, path: str, which: str) -> list[str]:
    parts = resolve(df.schema, split_path(path))
    if parts is None:
        raise GlueRuntimeError(f"Join: {which} field {path!r} does not exist in its frame ({df.columns})")
    return parts


def _unbox(df: DataFrame, path: str, format_name: str) -> DataFrame:
    from pyspark.sql import functions as F

    if format_name != "json":
        raise GlueUnsupportedError(f"unbox(format={format_name!r}): only json is supported locally")
    parts = resolve(df.schema, split_path(path))
    if parts is None or len(parts) != 1:
        raise GlueRuntimeError(f"unbox: {path!r} must name an existing top-level string field")
    texts = df.select(value_at(parts).alias("v")).where("v IS NOT NULL").rdd.map(lambda row: row[0])
    schema = df.sparkSession.read.json(texts).schema if not texts.isEmpty() else T.StructType([])
    return df.withColumn(parts[0], F.from_json(value_at(parts), schema))


class DynamicFrameCollection:
    """Named DynamicFrames (what relationalize returns), with Glue's dict-like methods."""

    def __init__(self, dynamic_frames: Mapping[str, DynamicFrame], glue_ctx: GlueContext | None) -> None:
        self._frames = dict(dynamic_frames)
        self.glue_ctx = glue_ctx

    def __getitem__(self, key: str) -> DynamicFrame:
        return self.select(key)

    def __len__(self) -> int:
        return len(self._frames)

    def __iter__(self) -> Iterator[str]:
        return iter(self._frames)

    def keys(self) -> list[str]:
        return list(self._frames)

    def values(self) -> list[DynamicFrame]:
        return list(self._frames.values())

    def select(self, key: str, transformation_ctx: str = "") -> DynamicFrame:
        if key not in self._frames:
            raise KeyError(f"DynamicFrameCollection has no frame {key!r}; it has {self.keys()}")
        return self._frames[key]

    def map(
        self,
        callable: Callable[[DynamicFrame, str], DynamicFrame],
        transformation_ctx: str = "",
    ) -> DynamicFrameCollection:
        return DynamicFrameCollection({k: callable(v, k) for k, v in self._frames.items()}, self.glue_ctx)

    def flatMap(
        self,
        f: Callable[[DynamicFrame, str], Any],
        transformation_ctx: str = "",
    ) -> DynamicFrameCollection:
        out: dict[str, DynamicFrame] = {}
        for key, frame in self._frames.items():
            result = f(frame, key)
            if isinstance(result, DynamicFrameCollection):
                out.update({f"{key}_{k}": v for k, v in result._frames.items()})
            else:
                out[key] = result
        return DynamicFrameCollection(out, self.glue_ctx)


def __getattr__(name: str) -> Any:
    # Glue defines its reader and writer classes in this module; ours live in awsglue.readwrite.
    if name in ("DynamicFrameReader", "DynamicFrameWriter"):
        from awsglue import readwrite

        return getattr(readwrite, name)
    raise AttributeError(f"module 'awsglue.dynamicframe' has no attribute {name!r}")
