"""A clean-room ``awsglue`` for local Glue job runs, written from AWS's public documentation.

It runs on plain PySpark DataFrames: :class:`~awsglue.dynamicframe.DynamicFrame` wraps a DataFrame,
:class:`~awsglue.context.GlueContext` reads and writes S3 and the Data Catalog through Spark, and
:class:`~awsglue.job.Job` keeps job bookmarks in the local lakehouse's Glue endpoint. Where Glue's
behaviour cannot be matched on DataFrames (choice types, error records) the call fails loudly
(:class:`~awsglue.errors.GlueUnsupportedError`) rather than returning different data.

Glue Studio's generated scripts do ``from awsglue import DynamicFrame``; it is resolved lazily so
that ``import awsglue.utils`` does not import PySpark.
"""

from __future__ import annotations

from typing import Any

__all__ = ["DynamicFrame"]


def __getattr__(name: str) -> Any:
    if name == "DynamicFrame":
        from awsglue.dynamicframe import DynamicFrame

        return DynamicFrame
    raise AttributeError(f"module 'awsglue' has no attribute {name!r}")
