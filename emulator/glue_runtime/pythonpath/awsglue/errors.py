"""The errors this clean-room ``awsglue`` raises, so scripts and tests can tell them apart."""

from __future__ import annotations


class GlueRuntimeError(Exception):
    """A call was given arguments Glue itself would refuse (a clear message says which)."""


class GlueUnsupportedError(GlueRuntimeError):
    """Glue behaviour that cannot be reproduced on plain DataFrames: failing beats different data."""
