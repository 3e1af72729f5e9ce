"""Where the catalog lets tables live: under the warehouse, or under an explicitly allowed prefix.

Every location the catalog writes to or hands out — a table's default or requested location, a
namespace's ``location`` property, a commit's ``set-location`` and new snapshots' manifest lists, the
path properties that steer where metadata and data files go, ``register``'s metadata file and the
location inside it, every file a purge would delete — passes ``LocationPolicy``. A location is accepted
when, after normalisation (empty and ``.`` segments dropped), it has the same scheme (``s3``, ``s3a``
and ``s3n`` count as one) and bucket/host as a root, and the root's path segments are its first
segments. A ``..`` segment (also percent-encoded), a query, a fragment or a control character is
refused outright rather than resolved, so no spelling can step out of a root. Refusals are 400
``BadRequestException`` naming the location and the roots.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from emulator.catalog.errors import BadRequestError

# Table properties that choose where files are written (pyiceberg and Java's LocationProviders).
PATH_PROPERTIES = ("write.data.path", "write.metadata.path", "write.object-storage.path", "write.folder-storage.path")
# Table properties that make the server import a class named by the client: never accepted.
CODE_PROPERTIES = ("py-io-impl", "write.py-location-provider.impl")
NAMESPACE_LOCATION = "location"


@dataclass(frozen=True)
class _Location:
    scheme: str
    authority: str
    segments: tuple[str, ...]

    def __str__(self) -> str:
        path = "/".join(self.segments)
        return f"{self.scheme}://{self.authority}/{path}" if path else f"{self.scheme}://{self.authority}"

    def is_under(self, root: _Location) -> bool:
        same_store = (_family(self.scheme), self.authority) == (_family(root.scheme), root.authority)
        return same_store and self.segments[: len(root.segments)] == root.segments


def _family(scheme: str) -> str:
    """Hadoop's S3 connectors name one store three ways."""
    return "s3" if scheme in ("s3", "s3a", "s3n") else scheme


def _parse(location: str) -> _Location:
    """The normalised location, or ValueError saying why it cannot be one."""
    if any(unicodedata.category(c) == "Cc" for c in location):
        raise ValueError("it contains a control character")
    parts = urlsplit(location)
    # Hadoop writes local paths as file:/path (no authority), so an absolute path is enough.
    if not parts.scheme or not (parts.netloc or parts.path.startswith("/")):
        raise ValueError("it is not an absolute URI such as s3://bucket/path or file:///path")
    if parts.query or parts.fragment or location.endswith(("?", "#")):
        raise ValueError("it has a query or fragment")
    if ".." in unquote(parts.path).split("/"):
        raise ValueError("it contains a '..' segment")
    authority = "" if parts.scheme.lower() == "file" and parts.netloc == "localhost" else parts.netloc
    segments = tuple(s for s in parts.path.split("/") if s not in ("", "."))
    return _Location(parts.scheme.lower(), authority.lower(), segments)


class LocationPolicy:
    """The warehouse plus ``allowed`` prefixes (each an absolute URI), parsed once."""

    def __init__(self, warehouse: str, allowed: Sequence[str] = ()) -> None:
        self.warehouse = warehouse.rstrip("/")
        self._roots = tuple(self._root(r) for r in (warehouse, *allowed))
        self._described = ", ".join(str(r) for r in self._roots)

    @staticmethod
    def _root(text: str) -> _Location:
        try:
            return _parse(text)
        except ValueError as e:
            raise ValueError(f"invalid catalog location root {text!r}: {e}") from e

    def check(self, location: str, what: str) -> str:
        """The normalised ``location``, or BadRequestError naming it and the roots."""
        try:
            parsed = _parse(location)
        except ValueError as e:
            raise BadRequestError(f"{what} {location[:300]!r} is refused: {e}") from e
        if not any(parsed.is_under(root) for root in self._roots):
            raise BadRequestError(
                f"{what} {location[:300]!r} is outside the warehouse: locations must be under {self._described}"
            )
        return str(parsed)

    def contains(self, location: str) -> bool:
        """Whether ``location`` is a well-formed location under one of the roots."""
        try:
            parsed = _parse(location)
        except ValueError:
            return False
        return any(parsed.is_under(root) for root in self._roots)

    def check_properties(self, properties: Mapping[str, str], what: str) -> None:
        """Path properties must stay under the roots; class-loading properties are refused."""
        for key in _present(properties, CODE_PROPERTIES):
            raise BadRequestError(f"{what} property {key!r} is not accepted: it would load code on the catalog server")
        for key in _present(properties, PATH_PROPERTIES):
            self.check(properties[key], f"{what} property {key!r}")


def _present(properties: Mapping[str, str], keys: Iterable[str]) -> list[str]:
    return [k for k in keys if k in properties]
