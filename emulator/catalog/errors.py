"""Iceberg REST errors: ``{"error": {"message", "type", "code"}}`` with the Java exception names clients key on."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pyiceberg import exceptions as ice


class IcebergError(Exception):
    """An error the REST protocol defines, raised by the backend or the routes."""

    status = 500
    type = "ServiceFailureException"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequestError(IcebergError):
    status, type = 400, "BadRequestException"


class NoSuchNamespaceError(IcebergError):
    status, type = 404, "NoSuchNamespaceException"


class NoSuchTableError(IcebergError):
    status, type = 404, "NoSuchTableException"


class AlreadyExistsError(IcebergError):
    status, type = 409, "AlreadyExistsException"


class NamespaceNotEmptyError(IcebergError):
    status, type = 409, "NamespaceNotEmptyException"


class CommitFailedError(IcebergError):
    status, type = 409, "CommitFailedException"


class CommitStateUnknownError(IcebergError):
    status, type = 500, "CommitStateUnknownException"


class UnsupportedOperationError(IcebergError):
    status, type = 406, "UnsupportedOperationException"


# pyiceberg's exceptions → ours, so backend calls can raise them unchanged.
_FROM_PYICEBERG: dict[type[Exception], type[IcebergError]] = {
    ice.NoSuchNamespaceError: NoSuchNamespaceError,
    ice.NoSuchTableError: NoSuchTableError,
    ice.NamespaceAlreadyExistsError: AlreadyExistsError,
    ice.TableAlreadyExistsError: AlreadyExistsError,
    ice.NamespaceNotEmptyError: NamespaceNotEmptyError,
    ice.CommitFailedException: CommitFailedError,
    ice.ValidationError: BadRequestError,
}


def body(error: IcebergError) -> dict[str, dict[str, object]]:
    return {"error": {"message": error.message, "type": error.type, "code": error.status}}


def install_handlers(app: FastAPI) -> None:
    """Handlers for specific exception types only: a catch-all handler would make Starlette close
    the keep-alive connection after answering, which Java's pooled HTTP client then trips over."""

    async def iceberg_error(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, IcebergError)
        return JSONResponse(body(error), status_code=error.status)

    async def pyiceberg_error(_: Request, error: Exception) -> JSONResponse:
        translated = _FROM_PYICEBERG[type(error)](str(error))
        return JSONResponse(body(translated), status_code=translated.status)

    async def invalid_request(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        details = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors())
        return JSONResponse(body(BadRequestError(f"malformed request: {details}")), status_code=400)

    app.add_exception_handler(IcebergError, iceberg_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
    for kind in _FROM_PYICEBERG:
        app.add_exception_handler(kind, pyiceberg_error)
