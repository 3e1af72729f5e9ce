"""GlueContext on a SparkContext: Glue's readers, writers and helpers over plain Spark.

As in Glue, GlueContext is a :class:`pyspark.sql.SQLContext`, so ``glueContext.sql(...)`` and
``glueContext.createDataFrame(...)`` work, and ``spark_session`` is the process's SparkSession.
"""

# ruff: noqa: N802, N803  (Glue's API names are camelCase)

from __future__ import annotations

import time
import warnings
from collections.abc import Mapping
from typing import Any

from pyspark.context import SparkContext
from pyspark.sql import DataFrame, SparkSession, SQLContext

from awsglue import catalog, hadoopfs
from awsglue._bookmarks import BookmarkSession
from awsglue.dynamicframe import DynamicFrame
from awsglue.errors import GlueRuntimeError, GlueUnsupportedError
from awsglue.logger import GlueLogger
from awsglue.readwrite import DataFrameReader, DataSink, DataSource, DynamicFrameReader, DynamicFrameWriter


class GlueContext(SQLContext):
    """The entry point of a Glue script: ``glueContext = GlueContext(SparkContext.getOrCreate())``."""

    def __init__(self, sparkContext: SparkContext, **options: Any) -> None:
        # The process's one session (a script's own builder settings, or the run's Spark defaults).
        session = SparkSession.getActiveSession() or SparkSession.builder.getOrCreate()
        if sparkContext is not None and sparkContext is not session.sparkContext:
            raise GlueRuntimeError("GlueContext(sc): sc is not the SparkContext of this process's SparkSession")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # SQLContext is deprecated; Glue still subclasses it
            super().__init__(session.sparkContext, session)
        self.spark_session = session
        self._options = dict(options)
        self._glue: Any = None
        self.bookmarks: BookmarkSession | None = None  # set by Job.init
        self.create_dynamic_frame = DynamicFrameReader(self)
        self.create_data_frame = DataFrameReader(self)
        self.write_dynamic_frame = DynamicFrameWriter(self)
        self.write_data_frame = DynamicFrameWriter(self)

    # --- helpers our modules use ------------------------------------------------------------------
    def glue_client(self) -> Any:
        """The process's boto3 Glue client (the emulator's, through AWS_ENDPOINT_URL), made on first use."""
        if self._glue is None:
            self._glue = catalog.glue_client()
        return self._glue

    def catalog_column_types(self, database: str, table_name: str, catalog_id: str | None = None) -> dict[str, str]:
        table = catalog.get_table(self.glue_client(), database, table_name, catalog_id)
        if table is None:
            raise GlueRuntimeError(f"the Glue Data Catalog has no table {database}.{table_name}")
        return catalog.column_types(table)

    def untyped_catalog_table(self, database: str, table_name: str, catalog_id: str | None) -> bool:
        """Whether a from_catalog read is of a csv/json Data Catalog table (whose records Glue types one by one)."""
        table = catalog.get_table(self.glue_client(), database, table_name, catalog_id)
        if table is None or catalog.is_iceberg(table):
            return False
        return catalog.catalog_table(table, database).format in ("csv", "json")

    # --- Glue's API -------------------------------------------------------------------------------
    def get_logger(self) -> GlueLogger:
        return GlueLogger()

    def getSource(
        self,
        connection_type: str,
        format: str | None = None,
        transformation_ctx: str = "",
        **options: Any,
    ) -> DataSource:
        source = DataSource(self, connection_type, {**options, "transformation_ctx": transformation_ctx})
        if format:
            source.setFormat(format)
        return source

    def getSink(
        self,
        connection_type: str,
        format: str | None = None,
        transformation_ctx: str = "",
        **options: Any,
    ) -> DataSink:
        sink = DataSink(self, connection_type, options)
        if format:
            sink.setFormat(format)
        return sink

    def create_dynamic_frame_from_options(
        self,
        connection_type: str,
        connection_options: Mapping[str, Any] | None = None,
        format: str | None = None,
        format_options: Mapping[str, Any] | None = None,
        transformation_ctx: str = "",
        **kwargs: Any,
    ) -> DynamicFrame:
        return self.create_dynamic_frame.from_options(
            connection_type=connection_type,
            connection_options=connection_options,
            format=format,
            format_options=format_options,
            transformation_ctx=transformation_ctx,
            **kwargs,
        )

    def create_dynamic_frame_from_catalog(
        self, database: str | None = None, table_name: str | None = None, **kwargs: Any
    ) -> DynamicFrame:
        return self.create_dynamic_frame.from_catalog(database=database, table_name=table_name, **kwargs)

    def create_data_frame_from_options(
        self,
        connection_type: str,
        connection_options: Mapping[str, Any] | None = None,
        format: str | None = None,
        format_options: Mapping[str, Any] | None = None,
        transformation_ctx: str = "",
        **kwargs: Any,
    ) -> DataFrame:
        return self.create_data_frame.from_options(
            connection_type=connection_type,
            connection_options=connection_options,
            format=format,
            format_options=format_options,
            transformation_ctx=transformation_ctx,
            **kwargs,
        )

    def create_data_frame_from_catalog(
        self, database: str | None = None, table_name: str | None = None, **kwargs: Any
    ) -> DataFrame:
        return self.create_data_frame.from_catalog(database=database, table_name=table_name, **kwargs)

    def write_dynamic_frame_from_options(
        self,
        frame: DynamicFrame,
        connection_type: str = "s3",
        connection_options: Mapping[str, Any] | None = None,
        format: str | None = None,
        format_options: Mapping[str, Any] | None = None,
        transformation_ctx: str = "",
        **kwargs: Any,
    ) -> DynamicFrame:
        return self.write_dynamic_frame.from_options(
            frame,
            connection_type=connection_type,
            connection_options=connection_options,
            format=format,
            format_options=format_options,
            transformation_ctx=transformation_ctx,
            **kwargs,
        )

    write_from_options = write_dynamic_frame_from_options

    def write_dynamic_frame_from_catalog(
        self, frame: DynamicFrame, database: str | None = None, table_name: str | None = None, **kwargs: Any
    ) -> DynamicFrame:
        return self.write_dynamic_frame.from_catalog(frame, database=database, table_name=table_name, **kwargs)

    def purge_s3_path(
        self, s3_path: str, options: Mapping[str, Any] | None = None, transformation_ctx: str = ""
    ) -> None:
        """Delete the files under ``s3_path`` older than ``retentionPeriod`` hours (default 168, as in Glue).

        Storage classes do not exist locally, so ``excludeStorageClasses`` has nothing to exclude.
        """
        hours = float((options or {}).get("retentionPeriod", 168))
        cutoff = int((time.time() - hours * 3600) * 1000)
        hadoopfs.delete_older_than(self.spark_session, s3_path, cutoff)

    def forEachBatch(self, frame: Any, batch_function: Any, options: Mapping[str, Any] | None = None) -> None:
        raise GlueUnsupportedError("forEachBatch (Glue streaming) is not supported locally")

    def purge_table(
        self,
        database: str,
        table_name: str,
        options: Mapping[str, Any] | None = None,
        transformation_ctx: str = "",
        catalog_id: str | None = None,
    ) -> None:
        table = catalog.get_table(self.glue_client(), database, table_name, catalog_id)
        if table is None:
            raise GlueRuntimeError(f"purge_table: the Glue Data Catalog has no table {database}.{table_name}")
        self.purge_s3_path(catalog.catalog_table(table, database).location, options, transformation_ctx)
