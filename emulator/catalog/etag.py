"""ETags of table metadata and ``If-None-Match`` (RFC 9110 §8.8.3, §13.1.2), as the REST spec uses them.

A table's ETag names one version of its metadata (its metadata location) in one representation (the
``snapshots`` mode: ``refs`` leaves snapshots out, so it is another body for the same version). It is the
same on create, load, commit and register, so a client may send any of them back in ``If-None-Match``
and get 304 while the metadata location is unchanged. The tag is a quoted strong entity tag; the match is
the weak comparison RFC 9110 prescribes for ``If-None-Match`` (a ``W/`` prefix is ignored), and a bare
unquoted tag is also accepted, as Iceberg's Java reference adapter sends its tags unquoted.
"""

from __future__ import annotations

import hashlib

from emulator.catalog.protocol import SNAPSHOTS_ALL


def table_etag(metadata_location: str, snapshots: str = SNAPSHOTS_ALL) -> str:
    digest = hashlib.sha256(f"{metadata_location}\n{snapshots}".encode()).hexdigest()[:32]
    return f'"{digest}"'


def _opaque(tag: str) -> str:
    tag = tag.strip()
    tag = tag.removeprefix("W/")
    return tag[1:-1] if len(tag) >= 2 and tag[0] == tag[-1] == '"' else tag


def not_modified(if_none_match: str | None, etag: str) -> bool:
    """Whether ``If-None-Match`` names the current representation, i.e. the answer is 304 Not Modified."""
    if not if_none_match:
        return False
    tags = [t for t in if_none_match.split(",") if t.strip()]
    return any(t.strip() == "*" or _opaque(t) == _opaque(etag) for t in tags)
