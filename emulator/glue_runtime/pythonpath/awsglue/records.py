"""DynamicRecord-like access for ``filter`` and ``map``: a record is a dict of its fields.

Glue passes a ``DynamicRecord`` that behaves like a dict (``rec["a"]``, ``rec["a"]["b"] = 1``,
``del rec["x"]``). Here a record is a plain dict (nested structs are dicts too) built from a Row, and
``map``'s results become Rows again, with the schema inferred from them. These functions run in
Spark's Python workers, so they import nothing from this package.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from pyspark.sql import Row

Record = dict[str, Any]


def keep_where(predicate: Callable[[Record], bool]) -> Callable[[Iterable[Row]], Iterator[Row]]:
    def run(rows: Iterable[Row]) -> Iterator[Row]:
        for row in rows:
            if predicate(row.asDict(recursive=True)):
                yield row

    return run


def mapped_with(function: Callable[[Record], Record]) -> Callable[[Iterable[Row]], Iterator[Row]]:
    def to_row(value: Any) -> Any:
        if isinstance(value, dict):
            return Row(**{key: to_row(item) for key, item in value.items()})
        if isinstance(value, list):
            return [to_row(item) for item in value]
        return value

    def run(rows: Iterable[Row]) -> Iterator[Row]:
        for row in rows:
            result = function(row.asDict(recursive=True))
            if not isinstance(result, dict):
                raise TypeError(f"Map: the function must return the record (a dict), it returned {type(result)}")
            yield to_row(result)

    return run
