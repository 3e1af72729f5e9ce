"""Reading and writing S3 (and Data Catalog tables) for GlueContext, on DataFrames.

Sources list their files through Hadoop's FileSystem first, so ``recurse``, ``exclusions`` and job
bookmarks (``transformation_ctx``) choose exactly which files Spark reads. Sinks append, as Glue's S3
sinks do.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from pyspark.errors import AnalysisException
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from awsglue import catalog, formats, hadoopfs
from awsglue.errors import GlueRuntimeError, GlueUnsupportedError

if TYPE_CHECKING:
    from awsglue.context import GlueContext

S3_TYPES = ("s3",)


def _check_s3(connection_type: str) -> None:
    if connection_type.lower() not in S3_TYPES:
        raise GlueUnsupportedError(
            f"connection_type {connection_type!r} is not supported locally: only s3 (and Data Catalog tables) are"
        )


def _paths(connection_options: Mapping[str, Any]) -> list[str]:
    paths = connection_options.get("paths", connection_options.get("path"))
    if isinstance(paths, str):
        paths = [paths]
    if not paths or not all(isinstance(p, str) and p for p in paths):
        raise GlueRuntimeError(f"connection_options needs 'paths' (a list of S3 URIs), got {dict(connection_options)}")
    return list(paths)


def _flag(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def _selected_files(
    ctx: GlueContext, paths: list[str], options: Mapping[str, Any], transformation_ctx: str, recurse: bool
) -> list[str]:
    spark = ctx.spark_session
    files = hadoopfs.list_files(spark, paths, recurse)
    files = hadoopfs.exclude(files, formats.exclusions(options.get("exclusions")))
    if ctx.bookmarks is not None:
        files = ctx.bookmarks.select(transformation_ctx, files)
    return [f.path for f in files]


def read_from_options(
    ctx: GlueContext,
    connection_type: str,
    connection_options: Mapping[str, Any],
    fmt: str | None,
    format_options: Mapping[str, Any],
    transformation_ctx: str,
) -> DataFrame:
    _check_s3(connection_type)
    if not fmt:
        raise GlueRuntimeError("create_dynamic_frame.from_options(connection_type='s3') needs format=")
    recurse = _flag(connection_options.get("recurse", False))
    files = _selected_files(ctx, _paths(connection_options), connection_options, transformation_ctx, recurse)
    return formats.read(ctx.spark_session, fmt, files, format_options)


def read_from_catalog(
    ctx: GlueContext,
    database: str,
    table_name: str,
    transformation_ctx: str,
    push_down_predicate: str,
    additional_options: Mapping[str, Any],
    catalog_id: str | None,
) -> DataFrame:
    table = catalog.get_table(ctx.glue_client(), database, table_name, catalog_id)
    if table is None or catalog.is_iceberg(table):
        name = catalog.iceberg_name(ctx.spark_session, database, table_name)
        with _iceberg_table(database, table_name, table is None):
            df = ctx.spark_session.table(name)
    else:
        info = catalog.catalog_table(table, database)
        recurse = bool(info.partition_keys) or _flag(additional_options.get("recurse", False))
        files = _selected_files(ctx, [info.location], additional_options, transformation_ctx, recurse)
        base = info.location if info.partition_keys else None
        df = formats.read(ctx.spark_session, info.format, files, info.format_options, info.schema(), base)
    return df.where(push_down_predicate) if push_down_predicate else df


@contextlib.contextmanager
def _iceberg_table(database: str, table_name: str, missing_in_glue: bool) -> Iterator[None]:
    """Name both catalogs when the table is in neither (Spark would only name its own)."""
    try:
        yield
    except AnalysisException as e:
        if "TABLE_OR_VIEW_NOT_FOUND" not in str(e):
            raise
        where = "the Glue Data Catalog nor " if missing_in_glue else ""
        raise GlueRuntimeError(
            f"table {database}.{table_name} is in neither {where}the Iceberg REST catalog "
            f"({catalog.REST_URI_ENV}); create it first"
        ) from e


def write_from_options(
    ctx: GlueContext,
    df: DataFrame,
    connection_type: str,
    connection_options: Mapping[str, Any],
    fmt: str,
    format_options: Mapping[str, Any],
) -> None:
    _check_s3(connection_type)
    path = connection_options.get("path")
    if not isinstance(path, str) or not path:
        raise GlueRuntimeError(f"connection_options needs 'path' (an S3 URI), got {dict(connection_options)}")
    _write(df, path, fmt, format_options, list(connection_options.get("partitionKeys", [])))


def _write(df: DataFrame, path: str, fmt: str, format_options: Mapping[str, Any], partition_keys: list[str]) -> None:
    name = formats.spark_format(fmt, formats.WRITE_FORMATS)
    if not df.columns:
        return  # an empty source's frame has no fields and no records: Glue writes nothing either
    if missing := [k for k in partition_keys if k not in df.columns]:
        raise GlueRuntimeError(f"partitionKeys {missing} are not fields of the frame ({df.columns})")
    writer = df.write.mode("append").format(name).options(**formats.write_options(name, format_options))
    if partition_keys:
        writer = writer.partitionBy(*partition_keys)
    writer.save(path)


def write_from_catalog(
    ctx: GlueContext,
    df: DataFrame,
    database: str,
    table_name: str,
    additional_options: Mapping[str, Any],
    catalog_id: str | None,
) -> None:
    table = catalog.get_table(ctx.glue_client(), database, table_name, catalog_id)
    if table is None or catalog.is_iceberg(table):
        name = catalog.iceberg_name(ctx.spark_session, database, table_name)
        with _iceberg_table(database, table_name, table is None):
            df.writeTo(name).append()
        return
    info = catalog.catalog_table(table, database)
    schema = info.schema()
    lower = {c.lower(): c for c in df.columns}
    if missing := [f.name for f in schema.fields if f.name.lower() not in lower]:
        raise GlueRuntimeError(f"write to {database}.{table_name}: the frame lacks the table's columns {missing}")
    aligned = df.select(*[F.col(f"`{lower[f.name.lower()]}`").cast(f.dataType).alias(f.name) for f in schema.fields])
    keys = [name for name, _type in info.partition_keys]
    _write(aligned, info.location, info.format, {**info.format_options, **additional_options}, keys)
