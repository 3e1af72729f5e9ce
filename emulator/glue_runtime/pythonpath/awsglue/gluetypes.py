"""Glue's type names (as ApplyMapping and ResolveChoice spell them) to and from Spark types.

Glue's own ``gluetypes`` classes (Field, StructType, ChoiceType…) describe DynamicFrame schemas; on
DataFrames the schema is Spark's :class:`pyspark.sql.types.StructType`, so ``DynamicFrame.schema()``
returns that instead (see the README's differences table).
"""

from __future__ import annotations

import re

from pyspark.sql import types as T

from awsglue.errors import GlueRuntimeError

_SIMPLE: dict[str, T.DataType] = {
    "string": T.StringType(),
    "varchar": T.StringType(),
    "char": T.StringType(),
    "int": T.IntegerType(),
    "integer": T.IntegerType(),
    "long": T.LongType(),
    "bigint": T.LongType(),
    "short": T.ShortType(),
    "smallint": T.ShortType(),
    "byte": T.ByteType(),
    "tinyint": T.ByteType(),
    "float": T.FloatType(),
    "double": T.DoubleType(),
    "boolean": T.BooleanType(),
    "bool": T.BooleanType(),
    "timestamp": T.TimestampType(),
    "date": T.DateType(),
    "binary": T.BinaryType(),
    "null": T.NullType(),
}
_DECIMAL_RE = re.compile(r"^decimal\s*(?:\(\s*(\d+)\s*,\s*(\d+)\s*\))?$")
_PARAMETERISED_RE = re.compile(r"^(varchar|char)\s*\(\s*\d+\s*\)$")
# The names Glue gives Spark types (used for make_cols' ``<column>_<type>`` and make_struct's fields).
_GLUE_NAMES: dict[type[T.DataType], str] = {
    T.StringType: "string",
    T.IntegerType: "int",
    T.LongType: "long",
    T.ShortType: "short",
    T.ByteType: "byte",
    T.FloatType: "float",
    T.DoubleType: "double",
    T.BooleanType: "boolean",
    T.TimestampType: "timestamp",
    T.DateType: "date",
    T.BinaryType: "binary",
    T.DecimalType: "decimal",
    T.StructType: "struct",
    T.ArrayType: "array",
    T.MapType: "map",
    T.NullType: "null",
}


def spark_type(glue_name: str) -> T.DataType:
    """The Spark type for a Glue/Hive type name (``long``, ``decimal(10,2)``, ``array<string>``…)."""
    name = glue_name.strip().lower()
    if name in _SIMPLE:
        return _SIMPLE[name]
    if match := _DECIMAL_RE.match(name):
        precision, scale = match.groups()
        return T.DecimalType(int(precision), int(scale)) if precision else T.DecimalType(10, 0)
    if _PARAMETERISED_RE.match(name):
        return T.StringType()
    if name.startswith(("array<", "struct<", "map<")):
        try:
            return T._parse_datatype_string(name)
        except Exception as e:
            raise GlueRuntimeError(f"{glue_name!r} is not a Glue type name Spark can parse: {e}") from e
    raise GlueRuntimeError(f"{glue_name!r} is not a Glue type name (e.g. string, int, long, double, decimal(p,s))")


def glue_name(data_type: T.DataType) -> str:
    """The Glue name of a Spark type (``LongType`` → ``long``)."""
    return _GLUE_NAMES.get(type(data_type), data_type.simpleString())
