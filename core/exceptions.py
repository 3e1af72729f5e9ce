"""Domain errors raised by ``core``.

Every error that leaves ``core`` is one of these. Errors from boto, Spark, py4j or
HTTP are translated at the boundary where they happen (``raise X(...) from e``) so
callers can catch one family and still see the original cause in the traceback.
"""

from __future__ import annotations


class DomainProjectError(Exception):
    """Base class of every error raised by ``core``."""


class ConfigError(DomainProjectError):
    """A configuration key is unknown, missing or has a bad value."""

    def __init__(self, key: str, message: str) -> None:
        self.key = key
        super().__init__(f"config key {key!r}: {message}")


class JarError(DomainProjectError):
    """A JVM jar that local Spark needs is missing, corrupt or cannot be fetched."""


class JobArgumentError(DomainProjectError):
    """Glue job arguments are missing or malformed."""


class SparkSessionError(DomainProjectError):
    """A Spark session cannot be created or is configured differently than asked."""


class ClassSharingError(DomainProjectError):
    """A class-data-sharing archive cannot be keyed, recorded or used (the run goes on without it)."""


class ReadError(DomainProjectError):
    """Input data cannot be read (missing path, unreadable format)."""


class SchemaMismatchError(DomainProjectError):
    """Input data does not have the columns or types the reader was told to expect."""


class ReconciliationError(DomainProjectError):
    """Record counts do not add up (read != good + bad)."""


class TableNotFoundError(DomainProjectError):
    """An Iceberg table or namespace does not exist."""


class SchemaEvolutionError(DomainProjectError):
    """A schema change is outside the evolution policy (only nullable adds and widening)."""

    def __init__(self, table: str, column: str, message: str) -> None:
        self.table = table
        self.column = column
        super().__init__(f"table {table}, column {column!r}: {message}")


class WriteError(DomainProjectError):
    """A write, MERGE or DDL statement failed."""


class MaintenanceError(DomainProjectError):
    """An Iceberg maintenance procedure failed."""


class MaintenanceConflictError(MaintenanceError):
    """A maintenance commit lost a race with another writer (Iceberg's CommitFailed/ValidationException): retryable."""


class MaintenancePolicyError(DomainProjectError):
    """A table maintenance policy has bad values; ``problems`` names each field."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))
