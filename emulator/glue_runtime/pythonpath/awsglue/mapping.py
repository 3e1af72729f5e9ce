"""ApplyMapping on a DataFrame: select, rename, cast and (with dotted targets) nest fields.

Each mapping is ``(source, source_type, target, target_type)`` (or ``(source, target, target_type)``).
Unmapped fields are dropped. Source paths are matched case-insensitively unless ``case_sensitive``,
as Glue does. A source path that does not exist yields no target field (Glue's records simply lack
it); the returned list names those so the caller can log them.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from awsglue.errors import GlueRuntimeError
from awsglue.gluetypes import spark_type
from awsglue.paths import split_path
from awsglue.structs import nest, resolve, value_at

_log = logging.getLogger(__name__)
Mapping = tuple[str, str, str, str] | tuple[str, str, str]


def apply_mapping(df: DataFrame, mappings: Sequence[Mapping], case_sensitive: bool = False) -> DataFrame:
    """``df`` projected through ``mappings``."""
    leaves: list[tuple[Sequence[str], Column]] = []
    if not df.columns:
        # An empty source (e.g. a bookmarked one with no new files) has no schema: give it the targets'.
        return df.select(
            *nest([(split_path(t), F.lit(None).cast(spark_type(tt))) for _s, _st, t, tt in map(_normalise, mappings)])
        )
    for mapping in mappings:
        source, source_type, target, target_type = _normalise(mapping)
        spark_type(source_type)  # refuse an unknown type name even if the column is missing
        parts = resolve(df.schema, split_path(source), case_sensitive)
        if parts is None:
            _log.warning("ApplyMapping: source field %r does not exist; %r is not produced", source, target)
            continue
        leaves.append((split_path(target), value_at(parts).cast(spark_type(target_type))))
    if not leaves:
        raise GlueRuntimeError(f"ApplyMapping: none of the source fields exist in the frame ({df.columns})")
    return df.select(*nest(leaves))


def _normalise(mapping: Mapping) -> tuple[str, str, str, str]:
    if len(mapping) == 4:
        return mapping
    if len(mapping) == 3:
        source, target, target_type = mapping
        return source, target_type, target, target_type
    raise GlueRuntimeError(
        f"ApplyMapping: mapping {mapping!r} must be (source, source_type, target, target_type) "
        "or (source, target, target_type)"
    )
