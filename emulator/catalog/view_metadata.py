"""Iceberg view metadata (view spec, format version 1): the REST spec's view updates and requirement,
declared as models, and the rules that turn a view's metadata plus updates into its next metadata.

pyiceberg 0.12 models ``ViewMetadata`` but has no view updates, so they are here. The rules follow the
view spec and Java's ``ViewMetadata.Builder`` (what Spark's and Trino's clients expect of a server):

- ``add-schema`` reuses an equal schema's id, otherwise takes the highest id + 1; a later
  ``add-view-version`` may name the schema by the id the client gave it, or by -1 (the last added);
- ``add-view-version`` reuses an equal version's id (same SQL, schema, defaults and summary), otherwise
  the highest id + 1; a version holds at most one SQL text per dialect;
- ``set-current-view-version`` -1 means the version added last; each change of the current version
  appends to ``version-log``;
- replacing the current version may not drop a dialect unless ``replace.drop-dialect.allowed`` is true;
- ``version.history.num-entries`` (default 10) versions are kept: the newest, always with the current
  one; the log keeps only the entries after the last one that names an expired version.

Every refusal is 400 ``BadRequestException``; a failed ``assert-view-uuid`` is 409 ``CommitFailedException``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter
from pydantic import ValidationError as PydanticValidationError
from pyiceberg.schema import Schema
from pyiceberg.view.metadata import ViewHistoryEntry, ViewMetadata, ViewVersion

from emulator.catalog.errors import BadRequestError, CommitFailedError

FORMAT_VERSION = 1
LAST_ADDED = -1
VERSION_HISTORY_SIZE = "version.history.num-entries"
DEFAULT_VERSION_HISTORY_SIZE = 10
DROP_DIALECT_ALLOWED = "replace.drop-dialect.allowed"


class _Message(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class AssignUUID(_Message):
    action: Literal["assign-uuid"]
    uuid: uuid.UUID


class UpgradeFormatVersion(_Message):
    action: Literal["upgrade-format-version"]
    format_version: int = Field(alias="format-version")


class AddSchema(_Message):
    action: Literal["add-schema"]
    view_schema: Schema = Field(alias="schema")  # the deprecated last-column-id is ignored: views assign no ids


class SetLocation(_Message):
    action: Literal["set-location"]
    location: str = Field(min_length=1)


class SetProperties(_Message):
    action: Literal["set-properties"]
    updates: dict[str, str]


class RemoveProperties(_Message):
    action: Literal["remove-properties"]
    removals: list[str]


class AddViewVersion(_Message):
    action: Literal["add-view-version"]
    view_version: ViewVersion = Field(alias="view-version")


class SetCurrentViewVersion(_Message):
    action: Literal["set-current-view-version"]
    view_version_id: int = Field(alias="view-version-id")


ViewUpdate = Annotated[
    AssignUUID | UpgradeFormatVersion | AddSchema | SetLocation | SetProperties | RemoveProperties
    | AddViewVersion | SetCurrentViewVersion,
    Field(discriminator="action"),
]  # fmt: skip


class AssertViewUUID(_Message):
    type: Literal["assert-view-uuid"]
    uuid: str

    def validate_against(self, metadata: ViewMetadata) -> None:
        if metadata.view_uuid != self.uuid:
            raise CommitFailedError(
                f"Requirement failed: view UUID does not match: expected {metadata.view_uuid} != {self.uuid}"
            )


ViewRequirement = Annotated[AssertViewUUID, Field(discriminator="type")]

_UPDATES: TypeAdapter[Any] = TypeAdapter(ViewUpdate)
_REQUIREMENTS: TypeAdapter[Any] = TypeAdapter(ViewRequirement)


def _parse(adapter: TypeAdapter[Any], items: Iterable[Mapping[str, Any]], what: str, key: str) -> tuple[Any, ...]:
    parsed = []
    for item in items:
        try:
            parsed.append(adapter.validate_python(item))
        except PydanticValidationError as e:
            problem = e.errors()[0]
            where = ".".join(str(p) for p in problem["loc"])
            raise BadRequestError(
                f"unsupported or malformed view {what} {item.get(key, '?')!r}: {where}: {problem['msg']}"
            ) from e
    return tuple(parsed)


def parse_updates(items: Iterable[Mapping[str, Any]]) -> tuple[ViewUpdate, ...]:
    return _parse(_UPDATES, items, "update", "action")


def parse_requirements(items: Iterable[Mapping[str, Any]]) -> tuple[AssertViewUUID, ...]:
    return _parse(_REQUIREMENTS, items, "requirement", "type")


def creation_updates(
    schema: Mapping[str, Any], version: Mapping[str, Any], location: str, properties: Mapping[str, str]
) -> tuple[ViewUpdate, ...]:
    """A create-view request as the updates that build the view from nothing (as Java's server does)."""
    return parse_updates(
        [
            {"action": "assign-uuid", "uuid": str(uuid.uuid4())},
            {"action": "upgrade-format-version", "format-version": FORMAT_VERSION},
            {"action": "add-schema", "schema": schema},
            {"action": "set-location", "location": location},
            {"action": "set-properties", "updates": dict(properties)},
            {"action": "add-view-version", "view-version": version},
            {"action": "set-current-view-version", "view-version-id": LAST_ADDED},
        ]
    )


def _same_version(one: ViewVersion, two: ViewVersion) -> bool:
    """Equal apart from the id and the timestamp."""
    return one.model_dump(exclude={"version_id", "timestamp_ms"}) == two.model_dump(
        exclude={"version_id", "timestamp_ms"}
    )


def _dialects(version: ViewVersion) -> set[str]:
    return {r.root.dialect.casefold() for r in version.representations}


@dataclass
class _Draft:
    """The view's metadata while a commit's updates are applied; ``base`` is what the commit started from."""

    base: ViewMetadata | None
    view_uuid: str | None = None
    format_version: int = FORMAT_VERSION
    location: str | None = None
    schemas: list[Schema] = field(default_factory=list)
    versions: list[ViewVersion] = field(default_factory=list)
    version_log: list[ViewHistoryEntry] = field(default_factory=list)
    properties: dict[str, str] = field(default_factory=dict)
    current_version_id: int | None = None
    last_added_schema_id: int | None = None
    last_added_version_id: int | None = None
    schema_ids: dict[int, int] = field(default_factory=dict)  # the id a client gave a schema → the id it got

    @classmethod
    def of(cls, base: ViewMetadata | None) -> _Draft:
        if base is None:
            return cls(base=None)
        return cls(
            base=base, view_uuid=base.view_uuid, format_version=base.format_version, location=base.location,
            schemas=list(base.schemas), versions=list(base.versions), version_log=list(base.version_log),
            properties=dict(base.properties), current_version_id=base.current_version_id,
        )  # fmt: skip

    def apply(self, update: ViewUpdate) -> None:
        match update:
            case AssignUUID():
                if self.view_uuid is not None and self.view_uuid != str(update.uuid):
                    raise BadRequestError(f"cannot reassign the view's UUID {self.view_uuid} to {update.uuid}")
                self.view_uuid = str(update.uuid)
            case UpgradeFormatVersion():
                if update.format_version != FORMAT_VERSION:
                    raise BadRequestError(
                        f"unsupported view format-version {update.format_version}: the view spec has version "
                        f"{FORMAT_VERSION} only"
                    )
            case AddSchema():
                self._add_schema(update.view_schema)
            case SetLocation():
                self.location = update.location.rstrip("/")
            case SetProperties():
                self.properties.update(update.updates)
            case RemoveProperties():
                for key in update.removals:
                    self.properties.pop(key, None)
            case AddViewVersion():
                self._add_version(update.view_version)
            case SetCurrentViewVersion():
                self._set_current(update.view_version_id)

    def _add_schema(self, schema: Schema) -> None:
        existing = next((s.schema_id for s in self.schemas if s == schema), None)
        if existing is None:
            existing = max((s.schema_id for s in self.schemas), default=-1) + 1
            self.schemas.append(schema.model_copy(update={"schema_id": existing}))
        self.schema_ids[schema.schema_id] = existing
        self.last_added_schema_id = existing

    def _add_version(self, version: ViewVersion) -> None:
        if version.schema_id == LAST_ADDED:
            if self.last_added_schema_id is None:
                raise BadRequestError("cannot add a view version with schema-id -1: no schema was added")
            schema_id = self.last_added_schema_id
        else:
            schema_id = self.schema_ids.get(version.schema_id, version.schema_id)
        if schema_id not in {s.schema_id for s in self.schemas}:
            raise BadRequestError(f"cannot add a view version with unknown schema-id {version.schema_id}")
        dialects = [r.root.dialect.casefold() for r in version.representations]
        if duplicated := sorted({d for d in dialects if dialects.count(d) > 1}):
            raise BadRequestError(f"invalid view version: more than one SQL text for dialect(s) {duplicated}")
        version = version.model_copy(update={"schema_id": schema_id})
        existing = next((v.version_id for v in self.versions if _same_version(v, version)), None)
        if existing is None:
            existing = max((v.version_id for v in self.versions), default=0) + 1
            self.versions.append(version.model_copy(update={"version_id": existing}))
        self.last_added_version_id = existing

    def _set_current(self, version_id: int) -> None:
        if version_id == LAST_ADDED:
            if self.last_added_version_id is None:
                raise BadRequestError("cannot set the current view version to -1: no version was added")
            version_id = self.last_added_version_id
        version = next((v for v in self.versions if v.version_id == version_id), None)
        if version is None:
            raise BadRequestError(f"cannot set the current view version to unknown version {version_id}")
        if version_id != self.current_version_id:
            self.current_version_id = version_id
            entry = {"timestamp-ms": version.timestamp_ms, "version-id": version_id}
            self.version_log.append(ViewHistoryEntry.model_validate(entry))

    def build(self) -> ViewMetadata:
        if self.view_uuid is None or self.location is None or self.current_version_id is None:
            missing = [n for n, v in (("uuid", self.view_uuid), ("location", self.location),
                                      ("current version", self.current_version_id)) if v is None]  # fmt: skip
            raise BadRequestError(f"invalid view metadata: no {', '.join(missing)}")
        self._check_dialects_kept()
        versions, log = _retained(self.versions, self.version_log, self.current_version_id, self._history_size())
        return ViewMetadata.model_validate(
            {
                "view-uuid": self.view_uuid, "format-version": FORMAT_VERSION, "location": self.location,
                "schemas": self.schemas, "current-version-id": self.current_version_id, "versions": versions,
                "version-log": log, "properties": self.properties,
            }
        )  # fmt: skip

    def _history_size(self) -> int:
        text = self.properties.get(VERSION_HISTORY_SIZE, str(DEFAULT_VERSION_HISTORY_SIZE))
        try:
            return max(1, int(text))
        except ValueError as e:
            raise BadRequestError(f"view property {VERSION_HISTORY_SIZE}={text!r} is not an integer") from e

    def _check_dialects_kept(self) -> None:
        if self.base is None or self.properties.get(DROP_DIALECT_ALLOWED, "false").lower() == "true":
            return
        before = _dialects(_version(self.base.versions, self.base.current_version_id))
        after = _dialects(_version(self.versions, self.current_version_id))
        if lost := sorted(before - after):
            raise BadRequestError(
                f"cannot replace the view: the new version drops dialect(s) {lost} "
                f"({DROP_DIALECT_ALLOWED}=false); previous dialects {sorted(before)}, new {sorted(after)}"
            )


def _version(versions: Sequence[ViewVersion], version_id: int | None) -> ViewVersion:
    return next(v for v in versions if v.version_id == version_id)


def _retained(
    versions: list[ViewVersion], log: list[ViewHistoryEntry], current: int, size: int
) -> tuple[list[ViewVersion], list[ViewHistoryEntry]]:
    if len(versions) <= size:
        return versions, log
    kept = {current}
    for version in sorted(versions, key=lambda v: v.version_id, reverse=True):
        if len(kept) == size:
            break
        kept.add(version.version_id)
    retained_log: list[ViewHistoryEntry] = []
    for entry in log:
        retained_log = [*retained_log, entry] if entry.version_id in kept else []
    return [v for v in versions if v.version_id in kept], retained_log


def apply_updates(base: ViewMetadata | None, updates: Sequence[ViewUpdate]) -> ViewMetadata:
    """The metadata after ``updates``; ``base`` None builds a new view."""
    draft = _Draft.of(base)
    for update in updates:
        draft.apply(update)
    return draft.build()
