"""Glue field paths: ``a.b.c`` names nested fields; a backticked part (``a.`b.c```) is one name with dots."""

from __future__ import annotations

from awsglue.errors import GlueRuntimeError, GlueUnsupportedError


def split_path(path: str) -> list[str]:
    """``"a.`b.c`.d"`` → ``["a", "b.c", "d"]``; array steps (``a[]``) are refused with a clear message."""
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for char in path:
        if char == "`":
            quoted = not quoted
        elif char == "." and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    if quoted:
        raise GlueRuntimeError(f"field path {path!r} has an unclosed backtick")
    parts.append("".join(current))
    if any(not part for part in parts):
        raise GlueRuntimeError(f"field path {path!r} has an empty part")
    if any(part.endswith("[]") for part in parts):
        raise GlueUnsupportedError(
            f"field path {path!r} steps into an array ('[]'): not supported locally; "
            "explode the array with toDF() and Spark, or relationalize the frame first"
        )
    return parts


def quote(name: str) -> str:
    """A Spark column reference for one (possibly dotted) name."""
    return "`" + name.replace("`", "``") + "`"


def column_ref(parts: list[str]) -> str:
    """Spark's reference to a nested field: ``a.`b.c```."""
    return ".".join(quote(part) for part in parts)


def join_path(parts: list[str]) -> str:
    """The Glue path for ``parts``, backticking names that contain dots."""
    return ".".join(f"`{part}`" if "." in part else part for part in parts)
