"""``glueContext.create_dynamic_frame`` / ``write_dynamic_frame`` / ``create_data_frame`` and getSource/getSink."""

# ruff: noqa: N802, N803  (Glue's API names are camelCase)

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pyspark.sql import DataFrame

from awsglue import s3io
from awsglue.dynamicframe import DynamicFrame
from awsglue.errors import GlueRuntimeError, GlueUnsupportedError

if TYPE_CHECKING:
    from awsglue.context import GlueContext


# Formats whose records carry no types of their own, where Glue infers a type per record.
UNTYPED_FORMATS = ("csv", "json")


def _frame(value: DynamicFrame | DataFrame, ctx: GlueContext) -> DataFrame:
    return value.toDF() if isinstance(value, DynamicFrame) else value


class DataFrameReader:
    """``glueContext.create_data_frame``: the same sources, returning DataFrames."""

    def __init__(self, glue_context: GlueContext) -> None:
        self._ctx = glue_context

    def from_options(
        self,
        connection_type: str,
        connection_options: Mapping[str, Any] | None = None,
        format: str | None = None,
        format_options: Mapping[str, Any] | None = None,
        transformation_ctx: str = "",
        **_kwargs: Any,
    ) -> DataFrame:
        return s3io.read_from_options(
            self._ctx, connection_type, connection_options or {}, format, format_options or {}, transformation_ctx
        )

    def from_catalog(
        self,
        database: str | None = None,
        table_name: str | None = None,
        redshift_tmp_dir: str = "",
        transformation_ctx: str = "",
        push_down_predicate: str = "",
        additional_options: Mapping[str, Any] | None = None,
        catalog_id: str | None = None,
        **kwargs: Any,
    ) -> DataFrame:
        database = database or kwargs.get("name_space")
        if not database or not table_name:
            raise GlueRuntimeError("from_catalog needs database= and table_name=")
        return s3io.read_from_catalog(
            self._ctx,
            database,
            table_name,
            transformation_ctx,
            push_down_predicate,
            additional_options or {},
            catalog_id,
        )


def _unsupported(what: str) -> GlueUnsupportedError:
    return GlueUnsupportedError(f"{what} is not supported locally: only S3 and Data Catalog tables are")


class DynamicFrameReader(DataFrameReader):
    """``glueContext.create_dynamic_frame``."""

    def from_rdd(
        self, data: Any, name: str, schema: Any = None, sampleRatio: Any = None, **_kwargs: Any
    ) -> DynamicFrame:
        df = self._ctx.spark_session.createDataFrame(data, schema, sampleRatio)
        return DynamicFrame(df, self._ctx, name)

    def from_jdbc_conf(self, *args: Any, **kwargs: Any) -> DynamicFrame:
        raise _unsupported("create_dynamic_frame.from_jdbc_conf (JDBC)")

    def from_options(  # type: ignore[override]
        self,
        connection_type: str,
        connection_options: Mapping[str, Any] | None = None,
        format: str | None = None,
        format_options: Mapping[str, Any] | None = None,
        transformation_ctx: str = "",
        **kwargs: Any,
    ) -> DynamicFrame:
        df = super().from_options(
            connection_type, connection_options, format, format_options, transformation_ctx, **kwargs
        )
        frame = DynamicFrame(df, self._ctx, transformation_ctx)
        frame.may_have_choices = str(format or "").lower() in UNTYPED_FORMATS
        return frame

    def from_catalog(  # type: ignore[override]
        self,
        database: str | None = None,
        table_name: str | None = None,
        redshift_tmp_dir: str = "",
        transformation_ctx: str = "",
        push_down_predicate: str = "",
        additional_options: Mapping[str, Any] | None = None,
        catalog_id: str | None = None,
        **kwargs: Any,
    ) -> DynamicFrame:
        database = database or kwargs.pop("name_space", None)
        df = super().from_catalog(
            database, table_name, redshift_tmp_dir, transformation_ctx, push_down_predicate, additional_options,
            catalog_id, **kwargs,
        )  # fmt: skip
        frame = DynamicFrame(df, self._ctx, table_name or "")
        frame.may_have_choices = self._ctx.untyped_catalog_table(str(database), str(table_name), catalog_id)
        return frame


class DynamicFrameWriter:
    """``glueContext.write_dynamic_frame`` (DataFrames are accepted too, for ``write_data_frame``)."""

    def __init__(self, glue_context: GlueContext) -> None:
        self._ctx = glue_context

    def from_jdbc_conf(self, *args: Any, **kwargs: Any) -> DynamicFrame:
        raise _unsupported("write_dynamic_frame.from_jdbc_conf (JDBC)")

    def from_options(
        self,
        frame: DynamicFrame | DataFrame,
        connection_type: str = "s3",
        connection_options: Mapping[str, Any] | None = None,
        format: str | None = None,
        format_options: Mapping[str, Any] | None = None,
        transformation_ctx: str = "",
        **_kwargs: Any,
    ) -> DynamicFrame:
        if not format:
            raise GlueRuntimeError("write_dynamic_frame.from_options(connection_type='s3') needs format=")
        df = _frame(frame, self._ctx)
        s3io.write_from_options(self._ctx, df, connection_type, connection_options or {}, format, format_options or {})
        return frame if isinstance(frame, DynamicFrame) else DynamicFrame(df, self._ctx, transformation_ctx)

    def from_catalog(
        self,
        frame: DynamicFrame | DataFrame,
        database: str | None = None,
        table_name: str | None = None,
        redshift_tmp_dir: str = "",
        transformation_ctx: str = "",
        additional_options: Mapping[str, Any] | None = None,
        catalog_id: str | None = None,
        **kwargs: Any,
    ) -> DynamicFrame:
        database = database or kwargs.get("name_space")
        if not database or not table_name:
            raise GlueRuntimeError("write_dynamic_frame.from_catalog needs database= and table_name=")
        df = _frame(frame, self._ctx)
        s3io.write_from_catalog(self._ctx, df, database, table_name, additional_options or {}, catalog_id)
        return frame if isinstance(frame, DynamicFrame) else DynamicFrame(df, self._ctx, transformation_ctx)


class DataSource:
    """``glueContext.getSource(connection_type, **options)``; ``setFormat`` then ``getFrame``."""

    def __init__(self, glue_context: GlueContext, connection_type: str, options: Mapping[str, Any]) -> None:
        self._ctx = glue_context
        self._connection_type = connection_type
        self._options = dict(options)
        self._transformation_ctx = str(self._options.pop("transformation_ctx", ""))
        self._format: str | None = None
        self._format_options: dict[str, Any] = {}

    def setFormat(self, format: str, **options: Any) -> None:
        self._format = format
        self._format_options = options

    def getFrame(self, **_kwargs: Any) -> DynamicFrame:
        df = s3io.read_from_options(
            self._ctx,
            self._connection_type,
            self._options,
            self._format,
            self._format_options,
            self._transformation_ctx,
        )
        return DynamicFrame(df, self._ctx, self._transformation_ctx)


class DataSink:
    """``glueContext.getSink(connection_type="s3", path=..., partitionKeys=[...])``; ``setFormat``, ``writeFrame``.

    ``setCatalogInfo`` with ``enableUpdateCatalog=True`` creates the Data Catalog table on first write
    (location = the sink's path, the frame's columns, classification = the format); later writes
    leave an existing table as it is.
    """

    def __init__(self, glue_context: GlueContext, connection_type: str, options: Mapping[str, Any]) -> None:
        self._ctx = glue_context
        self._connection_type = connection_type
        self._options = dict(options)
        self._format: str | None = None
        self._format_options: dict[str, Any] = {}
        self._catalog: tuple[str, str, str | None] | None = None

    def setFormat(self, format: str, **options: Any) -> None:
        self._format = format
        self._format_options = options

    def setCatalogInfo(self, catalogDatabase: str, catalogTableName: str, catalogId: str | None = None) -> None:
        self._catalog = (catalogDatabase, catalogTableName, catalogId)

    def writeFrame(self, dynamic_frame: DynamicFrame, info: str = "") -> DynamicFrame:
        fmt = self._format or "parquet"
        options = {k: v for k, v in self._options.items() if k != "transformation_ctx"}
        if "compression" in options:
            self._format_options.setdefault("compression", options.pop("compression"))
        df = dynamic_frame.toDF()
        s3io.write_from_options(self._ctx, df, self._connection_type, options, fmt, self._format_options)
        if self._catalog and str(options.get("enableUpdateCatalog", "")).lower() == "true":
            from awsglue import catalog_update

            catalog_update.ensure_table(self._ctx.glue_client(), self._catalog, df, options, fmt)
        return dynamic_frame

    def write(self, frame_or_dfc: DynamicFrame, info: str = "") -> DynamicFrame:
        return self.writeFrame(frame_or_dfc, info)
