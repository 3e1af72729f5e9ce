"""The Iceberg REST protocol's errors, declared once: ``{"error": {"message", "type", "code"}}`` with the
Java exception names clients key on (Java's ``ErrorHandlers``, pyiceberg's ``_handle_non_200_response``).

Each class is one row of the protocol: its HTTP status and its ``type``. The routes and the backend raise
them; ``emulator.catalog.handlers`` turns them (and everything else) into responses.
"""

from __future__ import annotations

from collections.abc import Mapping

from pyiceberg import exceptions as ice
from starlette.responses import JSONResponse


class IcebergError(Exception):
    """An error the REST protocol defines, raised by the backend or the routes."""

    status: int = 500
    type: str = "InternalServerError"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequestError(IcebergError):
    status, type = 400, "BadRequestException"


class NoSuchNamespaceError(IcebergError):
    status, type = 404, "NoSuchNamespaceException"


class NoSuchTableError(IcebergError):
    status, type = 404, "NoSuchTableException"


class NoSuchViewError(IcebergError):
    status, type = 404, "NoSuchViewException"


class NoSuchRouteError(IcebergError):
    """No endpoint at this path (the spec leaves the type open; this one says what happened)."""

    status, type = 404, "NoSuchRouteException"


class MethodNotAllowedError(IcebergError):
    status, type = 405, "MethodNotAllowedException"


class UnsupportedOperationError(IcebergError):
    status, type = 406, "UnsupportedOperationException"


class AlreadyExistsError(IcebergError):
    status, type = 409, "AlreadyExistsException"


class NamespaceNotEmptyError(IcebergError):
    status, type = 409, "NamespaceNotEmptyException"


class CommitFailedError(IcebergError):
    status, type = 409, "CommitFailedException"


class RequestTooLargeError(IcebergError):
    status, type = 413, "RequestTooLargeException"


class IdempotencyKeyReusedError(IcebergError):
    """An Idempotency-Key first used for another operation (422 as in draft-ietf-httpapi-idempotency-key-header)."""

    status, type = 422, "IdempotencyKeyReusedException"


class InternalServerError(IcebergError):
    """An unexpected failure: the spec's ServerErrorResponse."""


class CommitStateUnknownError(IcebergError):
    status, type = 500, "CommitStateUnknownException"


class ServiceUnavailableError(IcebergError):
    """The warehouse's storage cannot be reached or refuses the write (e.g. the bucket is missing)."""

    status, type = 503, "ServiceUnavailableException"


# pyiceberg's exceptions → ours, so backend calls can raise them unchanged.
FROM_PYICEBERG: dict[type[Exception], type[IcebergError]] = {
    ice.NoSuchNamespaceError: NoSuchNamespaceError,
    ice.NoSuchTableError: NoSuchTableError,
    ice.NoSuchIcebergTableError: NoSuchTableError,
    ice.NamespaceAlreadyExistsError: AlreadyExistsError,
    ice.TableAlreadyExistsError: AlreadyExistsError,
    ice.NamespaceNotEmptyError: NamespaceNotEmptyError,
    ice.CommitFailedException: CommitFailedError,
    ice.ValidationError: BadRequestError,
    ice.NoSuchPropertyException: BadRequestError,
    NotImplementedError: UnsupportedOperationError,  # e.g. SqlCatalog's register with overwrite
}

# Statuses Starlette itself answers (routing, body parsing) → ours.
FROM_HTTP_STATUS: dict[int, type[IcebergError]] = {
    400: BadRequestError,
    404: NoSuchRouteError,
    405: MethodNotAllowedError,
    413: RequestTooLargeError,
}


def from_http_status(status: int, message: str) -> IcebergError:
    """The protocol error for a status Starlette raised; unknown statuses keep their code."""
    if kind := FROM_HTTP_STATUS.get(status):
        return kind(message)
    error = InternalServerError(message) if status >= 500 else BadRequestError(message)
    error.status = status  # keep Starlette's exact code for a status we do not name
    return error


def body(error: IcebergError) -> dict[str, dict[str, object]]:
    return {"error": {"message": error.message, "type": error.type, "code": error.status}}


def error_response(error: IcebergError, headers: Mapping[str, str] | None = None) -> JSONResponse:
    """The error as the spec's ErrorModel response, with its status."""
    return JSONResponse(body(error), status_code=error.status, headers=headers)
