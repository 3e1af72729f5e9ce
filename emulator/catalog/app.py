"""The REST routes (Iceberg REST spec v1). Synchronous handlers: FastAPI runs them in a thread
pool, and the backend serialises commits per table.

Protocol features beyond the routes: ``ETag`` on every table result and ``If-None-Match`` → 304 on
load-table (``emulator.catalog.etag``); ``Idempotency-Key`` on every mutating request
(``emulator.catalog.idempotency``, a middleware); multi-table commits
(``emulator.catalog.transactions``); vended credentials on ``X-Iceberg-Access-Delegation``
(``emulator.catalog.delegation``); paging (``emulator.catalog.paging``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Header, Query, Response
from pyiceberg.table.metadata import TableMetadata
from pyiceberg.typedef import Identifier

from emulator.catalog import models
from emulator.catalog.backend import CatalogBackend, LoadedTable
from emulator.catalog.delegation import AccessDelegation
from emulator.catalog.endpoints import ENDPOINTS, unserved_router
from emulator.catalog.errors import NoSuchTableError
from emulator.catalog.etag import not_modified, table_etag
from emulator.catalog.handlers import DEFAULT_MAX_BODY_BYTES, install_handlers
from emulator.catalog.idempotency import IdempotencyStore
from emulator.catalog.paging import PageRequest, page_request
from emulator.catalog.pointers import table_metadata_location
from emulator.catalog.protocol import (
    ACCESS_DELEGATION,
    DEFAULT_IDEMPOTENCY_LIFETIME,
    DEFAULT_PAGE_SIZE,
    ETAG,
    IF_NONE_MATCH,
    NAMESPACE_SEPARATOR,
    REST_PAGE_SIZE,
    SNAPSHOTS_ALL,
    SNAPSHOTS_REFS,
    iso_duration,
)
from emulator.catalog.transactions import commit_transaction
from emulator.catalog.validation import check_namespace, check_table_identifier
from emulator.catalog.views import build_views_router
from emulator.catalog.views_backend import ViewCatalog


def _namespace(text: str) -> Identifier:
    """A namespace from the path (levels joined by the unit separator), validated."""
    return check_namespace(text.split(NAMESPACE_SEPARATOR))


def _table(namespace: str, table: str) -> Identifier:
    return check_table_identifier(namespace.split(NAMESPACE_SEPARATOR), table)


def _json(payload: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    return Response(json.dumps(payload), status_code=status, media_type="application/json", headers=headers)


def _metadata(metadata: TableMetadata) -> Any:
    return json.loads(metadata.model_dump_json())


def _etag_header(metadata_location: str | None, snapshots: str = SNAPSHOTS_ALL) -> dict[str, str]:
    """A staged table (no metadata location yet) is no version of anything: no ETag."""
    return {ETAG: table_etag(metadata_location, snapshots)} if metadata_location else {}


def _referenced_snapshots_only(metadata: TableMetadata) -> TableMetadata:
    """``snapshots=refs``: only the snapshots a branch or tag points at (the client loads the rest lazily)."""
    referenced = {ref.snapshot_id for ref in metadata.refs.values()}
    return metadata.model_copy(update={"snapshots": [s for s in metadata.snapshots if s.snapshot_id in referenced]})


def build_router(backend: CatalogBackend, client_config: Mapping[str, str], delegation: AccessDelegation) -> APIRouter:
    router = APIRouter()

    def table_result(loaded: LoadedTable, access_delegation: str | None, snapshots: str = SNAPSHOTS_ALL) -> Response:
        metadata = _referenced_snapshots_only(loaded.metadata) if snapshots == SNAPSHOTS_REFS else loaded.metadata
        vended = delegation.table_result_fields(access_delegation, loaded.metadata.location)
        result = {
            "metadata-location": loaded.metadata_location,
            "metadata": _metadata(metadata),
            "config": {**client_config, **vended.get("config", {})},
        }
        if "storage-credentials" in vended:
            result["storage-credentials"] = vended["storage-credentials"]
        return _json(result, headers=_etag_header(loaded.metadata_location, snapshots))

    @router.get("/namespaces")
    def list_namespaces(page: Annotated[PageRequest, Depends(page_request)], parent: str | None = None) -> Response:
        namespaces, token = backend.list_namespaces(_namespace(parent) if parent else (), page.token, page.size)
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
    def list_tables(namespace: str, page: Annotated[PageRequest, Depends(page_request)]) -> Response:
        tables, token = backend.list_tables(_namespace(namespace), page.token, page.size)
        identifiers = [{"namespace": list(t[:-1]), "name": t[-1]} for t in tables]
        return _json({"identifiers": identifiers, "next-page-token": token})

    @router.post("/namespaces/{namespace}/tables")
    def create_table(
        namespace: str,
        request: models.CreateTable,
        access_delegation: str | None = Header(None, alias=ACCESS_DELEGATION),
    ) -> Response:
        check_table_identifier(_namespace(namespace), request.name)
        return table_result(backend.create_table(_namespace(namespace), request), access_delegation)

    @router.get("/namespaces/{namespace}/tables/{table}")
    def load_table(
        namespace: str, table: str,
        snapshots: str = Query(SNAPSHOTS_ALL, pattern=f"^({SNAPSHOTS_ALL}|{SNAPSHOTS_REFS})$"),
        if_none_match: str | None = Header(None, alias=IF_NONE_MATCH),
        access_delegation: str | None = Header(None, alias=ACCESS_DELEGATION),
    ) -> Response:  # fmt: skip
        identifier = _table(namespace, table)
        if if_none_match:  # the pointer alone decides a 304: the metadata file is read only for a 200
            current = _etag_header(table_metadata_location(backend.catalog, identifier), snapshots)
            if current and not_modified(if_none_match, current[ETAG]):
                return Response(status_code=304, headers=current)
        return table_result(backend.load_table(identifier), access_delegation, snapshots)

    @router.head("/namespaces/{namespace}/tables/{table}")
    def table_exists(namespace: str, table: str) -> Response:
        if not backend.table_exists(_table(namespace, table)):
            raise NoSuchTableError(f"Table does not exist: {namespace}.{table}")
        return Response(status_code=204)

    @router.post("/namespaces/{namespace}/tables/{table}")
    def commit_table(namespace: str, table: str, request: models.CommitTable) -> Response:
        response = backend.commit(_table(namespace, table), request.requirements, request.updates)
        return _json(
            {"metadata-location": response.metadata_location, "metadata": _metadata(response.metadata)},
            headers=_etag_header(response.metadata_location),
        )

    @router.delete("/namespaces/{namespace}/tables/{table}")
    def drop_table(namespace: str, table: str, purge: bool = Query(False, alias="purgeRequested")) -> Response:
        backend.drop_table(_table(namespace, table), purge=purge)
        return Response(status_code=204)

    @router.post("/namespaces/{namespace}/register")
    def register_table(
        namespace: str, request: models.RegisterTable,
        access_delegation: str | None = Header(None, alias=ACCESS_DELEGATION),
    ) -> Response:  # fmt: skip
        identifier = check_table_identifier(_namespace(namespace), request.name)
        registered = backend.register_table(identifier, request.metadata_location, overwrite=request.overwrite)
        return table_result(registered, access_delegation)

    @router.post("/namespaces/{namespace}/tables/{table}/metrics")
    def report_metrics(namespace: str, table: str) -> Response:
        return Response(status_code=204)  # accepted and dropped: nothing local consumes scan reports

    @router.post("/tables/rename")
    def rename_table(request: models.RenameTable) -> Response:
        source = check_table_identifier(request.source.namespace, request.source.name)
        destination = check_table_identifier(request.destination.namespace, request.destination.name)
        backend.rename_table(source, destination)
        return Response(status_code=204)

    @router.post("/transactions/commit")
    def commit_tables(request: models.CommitTransaction) -> Response:
        commit_transaction(backend, request.table_changes)
        return Response(status_code=204)

    return router


def create_app(
    backend: CatalogBackend,
    *,
    prefix: str | None = None,
    client_config: Mapping[str, str] | None = None,
    vended_credentials: Mapping[str, str] | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    idempotency_lifetime: timedelta = DEFAULT_IDEMPOTENCY_LIFETIME,
) -> FastAPI:
    """The catalog app. ``client_config`` (S3 endpoint, credentials) is handed to clients as defaults and in
    every table result's ``config``; ``vended_credentials`` is what a client asking for ``vended-credentials``
    gets besides (none: the header changes nothing); a request body over ``max_body_bytes`` is refused with
    413; an Idempotency-Key is honoured for ``idempotency_lifetime`` from its first use."""
    app = FastAPI(title="domain-project Iceberg REST catalog", version="1")
    store = IdempotencyStore(backend.catalog.engine, idempotency_lifetime)
    install_handlers(app, max_body_bytes=max_body_bytes, idempotency=store)
    config = dict(client_config or {})
    delegation = AccessDelegation(backend.locations.warehouse, dict(vended_credentials or {}))
    catalog_config = {
        # The warehouse is the server's: clients may name one (?warehouse=) but tables live where this says.
        # rest-page-size: pyiceberg and Java's RESTCatalog then page through long listings (spec: pageToken).
        "defaults": {REST_PAGE_SIZE: str(DEFAULT_PAGE_SIZE), **config, "warehouse": backend.locations.warehouse},
        "overrides": {"prefix": prefix} if prefix else {},
        "endpoints": list(ENDPOINTS),
        "idempotency-key-lifetime": iso_duration(idempotency_lifetime),
    }

    @app.get("/v1/config")
    def get_config(warehouse: str | None = None) -> Response:
        # One warehouse per catalog: a client naming another (Spark sends its `warehouse` property) is answered
        # with this one rather than refused, as the job configurations name the warehouse in several spellings.
        return _json(catalog_config)

    @app.get("/healthz")
    def health() -> Response:
        backend.list_namespaces((), None, 1)  # the database answers
        return _json({"status": "ok"})

    app.include_router(build_router(backend, config, delegation), prefix=f"/v1/{prefix}" if prefix else "/v1")
    views = build_views_router(ViewCatalog(backend), config, _namespace)
    app.include_router(views, prefix=f"/v1/{prefix}" if prefix else "/v1")
    app.include_router(unserved_router(prefix))  # the spec's other endpoints: 406 with the reason
    return app
