"""Every failure the catalog answers is the spec's ErrorModel with its status, and keeps the connection.

Four layers, outermost first:
- ``BodyLimit`` refuses a body over the limit with 413 (declared ``Content-Length`` before anything is
  read; a chunked body as soon as the running total passes the limit).
- ``ErrorBoundary`` answers any exception nothing else handled with a 500 ``InternalServerError``. It sits
  inside Starlette's ServerErrorMiddleware and does not re-raise: a handler registered for ``Exception``
  would run in ServerErrorMiddleware, which re-raises after answering, and uvicorn then logs it as a crash.
- ``IdempotencyMiddleware`` (``emulator.catalog.idempotency``) when the app has an idempotency store: a
  request with an ``Idempotency-Key`` runs once, its answer is stored and replayed to retries.
- Exception handlers (Starlette's ExceptionMiddleware) for our protocol errors, pyiceberg's exceptions,
  FastAPI's validation errors (422 → 400) and Starlette's own HTTP errors (unknown route 404, wrong
  method 405, unreadable body 400).
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from emulator.catalog.errors import (
    FROM_PYICEBERG,
    BadRequestError,
    IcebergError,
    InternalServerError,
    RequestTooLargeError,
    error_response,
    from_http_status,
)
from emulator.catalog.idempotency import IdempotencyMiddleware, IdempotencyStore

DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024  # far above any real commit; a 20 MB property is refused
_log = logging.getLogger("emulator.catalog")


def _too_large(limit: int) -> RequestTooLargeError:
    return RequestTooLargeError(f"request body exceeds the catalog's limit of {limit} bytes")


class BodyLimit:
    """Pure ASGI, so a refused body is never buffered. Uvicorn discards the unread rest of a refused
    body and keeps the connection for the next request."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await error_response(_too_large(self.max_bytes))(scope, receive, send)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # Starlette's HTTPException passes through FastAPI's body parsing unchanged.
                    raise StarletteHTTPException(413, _too_large(self.max_bytes).message)
            return message

        await self.app(scope, counting_receive, send)


class ErrorBoundary:
    """The last resort: an unexpected exception becomes a logged 500 in the protocol's shape."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as e:
            if started:
                raise  # half a response is out: nothing well-formed can follow, uvicorn closes the connection
            _log.exception("unexpected error answering %s %s", scope.get("method"), scope.get("path"))
            first_line = next(iter(str(e).splitlines()), "")  # the rest (SQL, traceback) is in the log
            error = InternalServerError(f"unexpected {type(e).__name__} in the catalog: {first_line}")
            await error_response(error)(scope, receive, send)


async def _iceberg_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, IcebergError)
    return error_response(error)


async def _pyiceberg_error(_: Request, error: Exception) -> JSONResponse:
    kind = next(ours for theirs, ours in FROM_PYICEBERG.items() if isinstance(error, theirs))
    return error_response(kind(str(error) or type(error).__name__))


async def _invalid_request(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    details = "; ".join(_describe(e) for e in error.errors())
    return error_response(BadRequestError(f"malformed request: {details}"))


def _describe(problem: dict[str, object]) -> str:
    location = problem.get("loc", ())
    where = ".".join(str(p) for p in location) if isinstance(location, (list, tuple)) else ""
    context = problem.get("ctx")
    reason = f" ({context['error']})" if isinstance(context, dict) and "error" in context else ""
    return f"{where}: {problem.get('msg')}{reason}"


async def _http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    where = f"{request.method} {request.url.path}"
    if error.status_code == 404:
        message = f"no such endpoint: {where}"
    elif error.status_code == 405:
        message = f"method {request.method} is not allowed on {request.url.path}"
    else:
        message = f"{error.detail} ({where})"
    return error_response(from_http_status(error.status_code, message), headers=error.headers)


def install_handlers(
    app: FastAPI, *, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES, idempotency: IdempotencyStore | None = None
) -> None:
    app.add_exception_handler(IcebergError, _iceberg_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    for kind in FROM_PYICEBERG:
        app.add_exception_handler(kind, _pyiceberg_error)
    # add_middleware prepends: BodyLimit ends up outermost, ErrorBoundary inside it, idempotency inside that.
    if idempotency is not None:
        app.add_middleware(IdempotencyMiddleware, store=idempotency)
    app.add_middleware(ErrorBoundary)
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)
