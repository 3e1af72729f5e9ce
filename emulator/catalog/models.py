"""Request bodies as real clients send them (Spark/Java, pyiceberg, DuckDB).

Written here rather than reused from pyiceberg: its client-side request models are strict
about fields other clients send or omit. Unknown fields are ignored; hyphenated names
follow the REST spec.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Request(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class CreateNamespace(_Request):
    namespace: list[str] = Field(min_length=1)
    properties: dict[str, str] = Field(default_factory=dict)


class UpdateNamespaceProperties(_Request):
    removals: list[str] = Field(default_factory=list)
    updates: dict[str, str] = Field(default_factory=dict)


class TableIdentifier(_Request):
    namespace: list[str] = Field(min_length=1)
    name: str = Field(min_length=1)


class CreateTable(_Request):
    name: str = Field(min_length=1)
    location: str | None = None
    table_schema: dict[str, Any] = Field(alias="schema")
    partition_spec: dict[str, Any] | None = Field(default=None, alias="partition-spec")
    write_order: dict[str, Any] | None = Field(default=None, alias="write-order")
    stage_create: bool = Field(default=False, alias="stage-create")
    properties: dict[str, str] = Field(default_factory=dict)


class _Changes(_Request):
    """Requirements and updates as sent: the backend parses them (tables and views have their own kinds)."""

    requirements: list[dict[str, Any]] = Field(default_factory=list)
    updates: list[dict[str, Any]] = Field(default_factory=list)


class CommitTable(_Changes):
    identifier: TableIdentifier | None = None  # the path names the table


class TableChange(_Changes):
    """One table's part of a transaction: unlike a single commit, the identifier is required."""

    identifier: TableIdentifier


class CommitTransaction(_Request):
    table_changes: list[TableChange] = Field(alias="table-changes", min_length=1)


class RenameTable(_Request):
    source: TableIdentifier
    destination: TableIdentifier


class _Register(_Request):
    name: str = Field(min_length=1)
    metadata_location: str = Field(alias="metadata-location", min_length=1)


class RegisterTable(_Register):
    overwrite: bool = False


# ------------------------------------------------------------ views (spec: CreateViewRequest, CommitViewRequest)


class CreateView(_Request):
    name: str = Field(min_length=1)
    location: str | None = None
    view_schema: dict[str, Any] = Field(alias="schema")
    view_version: dict[str, Any] = Field(alias="view-version")
    properties: dict[str, str] = Field(default_factory=dict)


class CommitView(_Changes):
    identifier: TableIdentifier | None = None  # the path names the view


class RegisterView(_Register):
    """The spec's RegisterViewRequest: no ``overwrite``."""
