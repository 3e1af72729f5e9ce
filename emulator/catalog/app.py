"""The REST routes (Iceberg REST spec v1). Synchronous handlers: FastAPI runs them in a thread
pool, and the backend serialises commits per table."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, FastAPI, Query, Response
from pyiceberg.table.metadata import TableMetadata
from pyiceberg.typedef import Identifier

from emulator.catalog import models
from emulator.catalog.backend import CatalogBackend, LoadedTable
from emulator.catalog.errors import NoSuchTableError
from emulator.catalog.handlers import DEFAULT_MAX_BODY_BYTES, install_handlers
from emulator.catalog.validation import check_namespace, check_table_identifier

NAMESPACE_SEPARATOR = "\x1f"
# Advertised in GET /v1/config: exactly the routes below, so clients never call what is missing.
ENDPOINTS = (
    "GET /v1/{prefix}/namespaces",
    "POST /v1/{prefix}/namespaces",
    "GET /v1/{prefix}/namespaces/{namespace}",
    "HEAD /v1/{prefix}/namespaces/{namespace}",
    "DELETE /v1/{prefix}/namespaces/{namespace}",
    "POST /v1/{prefix}/namespaces/{namespace}/properties",
    "GET /v1/{prefix}/namespaces/{namespace}/tables",
    "POST /v1/{prefix}/namespaces/{namespace}/tables",
    "GET /v1/{prefix}/namespaces/{namespace}/tables/{table}",
    "HEAD /v1/{prefix}/namespaces/{namespace}/tables/{table}",
    "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}",
    "DELETE /v1/{prefix}/namespaces/{namespace}/tables/{table}",
    "POST /v1/{prefix}/namespaces/{namespace}/register",
    "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/metrics",
    "POST /v1/{prefix}/tables/rename",
)


def _namespace(text: str) -> Identifier:
    """A namespace from the path (levels joined by the unit separator), validated."""
    return check_namespace(text.split(NAMESPACE_SEPARATOR))


def _table(namespace: str, table: str) -> Identifier:
    return check_table_identifier(namespace.split(NAMESPACE_SEPARATOR), table)


def _json(payload: Any, status: int = 200) -> Response:
    return Response(json.dumps(payload), status_code=status, media_type="application/json")


def _metadata(metadata: TableMetadata) -> Any:
    return json.loads(metadata.model_dump_json())


def build_router(backend: CatalogBackend, client_config: Mapping[str, str]) -> APIRouter:
    router = APIRouter()

    def table_result(loaded: LoadedTable) -> Response:
        return _json(
            {
                "metadata-location": loaded.metadata_location,
                "metadata": _metadata(loaded.metadata),
                "config": dict(client_config),
            }
        )

    @router.get("/namespaces")
    def list_namespaces(
        parent: str | None = None, page_token: str | None = Query(None, alias="pageToken"),
        page_size: int | None = Query(None, alias="pageSize", ge=1),
    ) -> Response:  # fmt: skip
        namespaces, token = backend.list_namespaces(_namespace(parent) if parent else (), page_token, page_size)
        return _json({"namespaces": [list(ns) for ns in namespaces], "next-page-token": token})

    @router.post("/namespaces")
    def create_namespace(request: models.CreateNamespace) -> Response:
        properties = backend.create_namespace(check_namespace(request.namespace), request.properties)
        return _json({"namespace": request.namespace, "properties": properties})

    @router.get("/namespaces/{namespace}")
    def load_namespace(namespace: str) -> Response:
        return _json(
            {"namespace": list(_namespace(namespace)), "properties": backend.load_namespace(_namespace(namespace))}
        )

    @router.head("/namespaces/{namespace}")
    def namespace_exists(namespace: str) -> Response:
        backend.load_namespace(_namespace(namespace))
        return Response(status_code=204)

    @router.delete("/namespaces/{namespace}")
    def drop_namespace(namespace: str) -> Response:
        backend.drop_namespace(_namespace(namespace))
        return Response(status_code=204)

    @router.post("/namespaces/{namespace}/properties")
    def update_properties(namespace: str, request: models.UpdateNamespaceProperties) -> Response:
        return _json(backend.update_namespace_properties(_namespace(namespace), request.removals, request.updates))

    @router.get("/namespaces/{namespace}/tables")
    def list_tables(
        namespace: str, page_token: str | None = Query(None, alias="pageToken"),
        page_size: int | None = Query(None, alias="pageSize", ge=1),
    ) -> Response:  # fmt: skip
        tables, token = backend.list_tables(_namespace(namespace), page_token, page_size)
        identifiers = [{"namespace": list(t[:-1]), "name": t[-1]} for t in tables]
        return _json({"identifiers": identifiers, "next-page-token": token})

    @router.post("/namespaces/{namespace}/tables")
    def create_table(namespace: str, request: models.CreateTable) -> Response:
        check_table_identifier(_namespace(namespace), request.name)
        return table_result(backend.create_table(_namespace(namespace), request))

    @router.get("/namespaces/{namespace}/tables/{table}")
    def load_table(namespace: str, table: str) -> Response:
        return table_result(backend.load_table(_table(namespace, table)))

    @router.head("/namespaces/{namespace}/tables/{table}")
    def table_exists(namespace: str, table: str) -> Response:
        if not backend.table_exists(_table(namespace, table)):
            raise NoSuchTableError(f"Table does not exist: {namespace}.{table}")
        return Response(status_code=204)

    @router.post("/namespaces/{namespace}/tables/{table}")
    def commit_table(namespace: str, table: str, request: models.CommitTable) -> Response:
        response = backend.commit(_table(namespace, table), request.requirements, request.updates)
        return _json({"metadata-location": response.metadata_location, "metadata": _metadata(response.metadata)})

    @router.delete("/namespaces/{namespace}/tables/{table}")
    def drop_table(namespace: str, table: str, purge: bool = Query(False, alias="purgeRequested")) -> Response:
        backend.drop_table(_table(namespace, table), purge=purge)
        return Response(status_code=204)

    @router.post("/namespaces/{namespace}/register")
    def register_table(namespace: str, request: models.RegisterTable) -> Response:
        identifier = check_table_identifier(_namespace(namespace), request.name)
        return table_result(backend.register_table(identifier, request.metadata_location, overwrite=request.overwrite))

    @router.post("/namespaces/{namespace}/tables/{table}/metrics")
    def report_metrics(namespace: str, table: str) -> Response:
        return Response(status_code=204)  # accepted and dropped: nothing local consumes scan reports

    @router.post("/tables/rename")
    def rename_table(request: models.RenameTable) -> Response:
        source = check_table_identifier(request.source.namespace, request.source.name)
        destination = check_table_identifier(request.destination.namespace, request.destination.name)
        backend.rename_table(source, destination)
        return Response(status_code=204)

    return router


def create_app(
    backend: CatalogBackend,
    *,
    prefix: str | None = None,
    client_config: Mapping[str, str] | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
) -> FastAPI:
    """The catalog app. ``client_config`` (S3 endpoint, credentials) is handed to clients as defaults;
    a request body over ``max_body_bytes`` is refused with 413."""
    app = FastAPI(title="domain-project Iceberg REST catalog", version="1")
    install_handlers(app, max_body_bytes=max_body_bytes)
    config = dict(client_config or {})

    @app.get("/v1/config")
    def get_config(warehouse: str | None = None) -> Response:
        return _json(
            {"defaults": config, "overrides": {"prefix": prefix} if prefix else {}, "endpoints": list(ENDPOINTS)}
        )

    @app.get("/healthz")
    def health() -> Response:
        backend.list_namespaces((), None, 1)  # the database answers
        return _json({"status": "ok"})

    app.include_router(build_router(backend, config), prefix=f"/v1/{prefix}" if prefix else "/v1")
    return app
