"""Paging of list endpoints (the spec's ``pageToken``/``pageSize``), read once per request.

- no ``pageToken`` and no ``pageSize``: everything in one answer, ``next-page-token`` null (the spec's
  rule for clients that do not page);
- ``pageToken`` present, even empty (the spec's way for a client to say it pages), without ``pageSize``:
  pages of ``DEFAULT_PAGE_SIZE``;
- ``pageSize`` above ``MAX_PAGE_SIZE`` is capped (the spec makes it an upper bound).
The token itself is the backend's (the key of the last item returned).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from fastapi import Query

from emulator.catalog.protocol import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

T = TypeVar("T")


@dataclass(frozen=True)
class PageRequest:
    token: str | None
    size: int | None


def page_request(
    page_token: str | None = Query(None, alias="pageToken"),
    page_size: int | None = Query(None, alias="pageSize", ge=1),
) -> PageRequest:
    """A FastAPI dependency: ``request: PageRequest = Depends(page_request)``."""
    if page_size is not None:
        size: int | None = min(page_size, MAX_PAGE_SIZE)
    else:
        size = DEFAULT_PAGE_SIZE if page_token is not None else None
    return PageRequest(page_token or None, size)


def page_of(
    items: Sequence[T], key: Callable[[T], str], token: str | None, size: int | None
) -> tuple[list[T], str | None]:
    """One page of ``items`` in ``key`` order and the next page's token (None on the last page). The token
    is the key of the last item returned, so pages stay stable while items are added or dropped."""
    ordered = sorted(items, key=key)
    if token:
        ordered = [i for i in ordered if key(i) > token]
    if size is None or len(ordered) <= size:
        return ordered, None
    return ordered[:size], key(ordered[size - 1])
