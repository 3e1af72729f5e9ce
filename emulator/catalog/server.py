"""Serve the catalog for the stack: SQLite in the state directory, warehouse on the emulator's S3."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from emulator.catalog.file_io import s3_properties
from emulator.settings import Settings

if TYPE_CHECKING:
    from fastapi import FastAPI


def build_app(settings: Settings) -> FastAPI:
    """The stack's catalog. Its clients may reach S3 by another address than the server does
    (in compose the server uses aws:4566, the host 127.0.0.1:4566): settings.client_s3_endpoint."""
    # Imported here, not above: FastAPI, pyiceberg and SQLAlchemy cost seconds, and s3_properties'
    # callers (tests, tools) need none of them.
    from emulator.catalog.app import create_app
    from emulator.catalog.backend import CatalogBackend

    settings.state_dir.mkdir(parents=True, exist_ok=True)
    backend = CatalogBackend(
        str(settings.catalog_db), settings.lakehouse.warehouse, s3_properties(settings, settings.aws_endpoint),
        allowed_locations=settings.catalog_allowed_locations,
    )  # fmt: skip
    client_endpoint = settings.client_s3_endpoint or settings.aws_endpoint
    client_s3 = s3_properties(settings, client_endpoint)
    return create_app(
        backend, client_config=client_s3, vended_credentials=client_s3, max_body_bytes=settings.catalog_max_body_bytes
    )


def serve(settings: Settings, *, before_serving: Callable[[], None] | None = None) -> None:
    """Serve until SIGTERM/SIGINT; ``before_serving`` is called once the app is built, just before uvicorn starts."""
    import uvicorn

    app = build_app(settings)
    if before_serving is not None:
        before_serving()
    print(f"[catalog] listening on {settings.catalog_uri}", file=sys.stderr, flush=True)
    uvicorn.run(app, host=settings.host, port=settings.catalog_port, log_level="warning", access_log=False)
