"""Identifier rules: what a namespace level or a table name may be, checked before anything is stored.

Names become path segments of the default table location and keys in SQLite, so a name that could
change a path (``/``, ``..``), hide in logs (control characters) or collide with another name is refused
with 400 ``BadRequestException``:

- not empty, at most ``MAX_NAME_BYTES`` (200) bytes of UTF-8: a table's directory is its name plus a
  33-byte suffix (``-<uuid>``) and must stay within the common 255-byte file-name limit;
- no ``/`` or ``\\``, no ``..``, no control characters (Unicode category Cc) or lone surrogates;
- a namespace has 1 to ``MAX_NAMESPACE_LEVELS`` (8) levels, and a level contains no ``.``: the SQL
  catalog stores ``("a", "b")`` as ``"a.b"``, so a level ``"a.b"`` would be the same namespace;
- the levels joined by ``.`` are at most ``MAX_NAMESPACE_BYTES`` (255) bytes: that string is one
  directory name of the default table location.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from pyiceberg.typedef import Identifier

from emulator.catalog.errors import BadRequestError

MAX_NAME_BYTES = 200
MAX_NAMESPACE_LEVELS = 8
MAX_NAMESPACE_BYTES = 255
_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cs"})  # control characters; lone surrogates (not encodable)


def _problem(name: str) -> str | None:
    if not name:
        return "is empty"
    if any(unicodedata.category(c) in _FORBIDDEN_CATEGORIES for c in name):
        return "contains a control character"
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        return f"is longer than {MAX_NAME_BYTES} bytes"
    if "/" in name or "\\" in name:
        return "contains a path separator ('/' or '\\')"
    if ".." in name:
        return "contains '..'"
    return None


def check_name(name: str, what: str) -> str:
    """``name`` unchanged, or BadRequestError saying what is wrong with it."""
    if problem := _problem(name):
        raise BadRequestError(f"invalid {what} {name[:80]!r}: it {problem}")
    return name


def check_namespace(levels: Sequence[str]) -> Identifier:
    if not levels:
        raise BadRequestError("invalid namespace: it has no levels")
    if len(levels) > MAX_NAMESPACE_LEVELS:
        raise BadRequestError(f"invalid namespace: {len(levels)} levels, at most {MAX_NAMESPACE_LEVELS} are allowed")
    for level in levels:
        check_name(level, "namespace level")
        if "." in level:
            raise BadRequestError(
                f"invalid namespace level {level!r}: it contains '.', which would make it the same namespace as "
                f"{tuple(level.split('.'))!r}"
            )
    if len(".".join(levels).encode("utf-8")) > MAX_NAMESPACE_BYTES:
        raise BadRequestError(
            f"invalid namespace: its levels joined by '.' are longer than {MAX_NAMESPACE_BYTES} bytes"
        )
    return tuple(levels)


def check_table_identifier(namespace: Sequence[str], name: str) -> Identifier:
    return (*check_namespace(namespace), check_name(name, "table name"))
