"""The catalog's endpoints, declared once: what it serves, and what the REST spec has that it does not.

- ``ENDPOINTS`` is what GET /v1/config advertises: exactly the routes ``emulator.catalog.app`` serves, so
  clients never call what is missing. Add a route there and its line here together.
- ``SPEC_ENDPOINTS`` is every endpoint of the Iceberg REST spec as of Iceberg 1.10 (the version Glue 5.1
  ships), each with what the catalog does when it serves it and why it does not when it does not.
- ``unserved_router`` answers every spec endpoint not in ``ENDPOINTS`` with the spec's 406
  ``UnsupportedOperationException`` and the reason, rather than a 404 a client would read as "no such
  table"; the deprecated ``/v1/oauth/tokens`` answers in the OAuth error shape its clients parse.
- ``endpoint_table`` renders the README's endpoint table from these lists (``python -m
  emulator.catalog.endpoints`` prints it); a test keeps the README equal to it.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from emulator.catalog.errors import UnsupportedOperationError
from emulator.catalog.views import VIEW_ENDPOINTS

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
    "POST /v1/{prefix}/transactions/commit",  # emulator.catalog.transactions
    *VIEW_ENDPOINTS,  # emulator.catalog.views serves them
)

OAUTH_TOKENS = "POST /v1/oauth/tokens"


@dataclass(frozen=True)
class SpecEndpoint:
    """One endpoint of the REST spec: ``served`` says what the catalog does, ``unserved`` why it does not."""

    method: str
    path: str
    operation: str  # the spec's operationId
    served: str
    unserved: str

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


_NS = "/v1/{prefix}/namespaces/{namespace}"
_TABLE = f"{_NS}/tables/{{table}}"
_VIEW = f"{_NS}/views/{{view}}"
_NO_AUTHENTICATION = "the catalog has no authentication, so clients need no token"
_PLANNING = "scan planning stays in the client: pyiceberg, Spark and DuckDB plan scans from the metadata themselves"

SPEC_ENDPOINTS: tuple[SpecEndpoint, ...] = (
    SpecEndpoint("POST", "/v1/oauth/tokens", "getToken", "",
                 f"deprecated in the spec; {_NO_AUTHENTICATION} (answered 400 `invalid_request` in the OAuth error "
                 "shape)"),
    SpecEndpoint("GET", "/v1/{prefix}/namespaces", "listNamespaces", "`parent`, paging", ""),
    SpecEndpoint("POST", "/v1/{prefix}/namespaces", "createNamespace", "409 if it exists", ""),
    SpecEndpoint("GET", _NS, "loadNamespaceMetadata", "its properties", ""),
    SpecEndpoint("HEAD", _NS, "namespaceExists", "204 or 404", ""),
    SpecEndpoint("DELETE", _NS, "dropNamespace", "409 `NamespaceNotEmptyException` if it holds tables or views", ""),
    SpecEndpoint("POST", f"{_NS}/properties", "updateProperties", "`location` must be under the warehouse", ""),
    SpecEndpoint("GET", f"{_NS}/tables", "listTables", "paging", ""),
    SpecEndpoint("POST", f"{_NS}/tables", "createTable", "`stage-create`; locations confined to the warehouse", ""),
    SpecEndpoint("POST", f"{_TABLE}/plan", "planTableScan", "", _PLANNING),
    SpecEndpoint("GET", f"{_TABLE}/plan/{{plan-id}}", "fetchPlanningResult", "", _PLANNING),
    SpecEndpoint("DELETE", f"{_TABLE}/plan/{{plan-id}}", "cancelPlanning", "", _PLANNING),
    SpecEndpoint("POST", f"{_TABLE}/tasks", "fetchScanTasks", "", _PLANNING),
    SpecEndpoint("POST", f"{_NS}/register", "registerTable", "`overwrite` refused (406)", ""),
    SpecEndpoint("GET", _TABLE, "loadTable",
                 "`config` carries the S3 endpoint and credentials (with `X-Iceberg-Access-Delegation: "
                 "vended-credentials` also `storage-credentials`); `ETag`, `If-None-Match` → 304; `snapshots=refs`",
                 ""),
    SpecEndpoint("POST", _TABLE, "updateTable",
                 "requirements checked (409), compare-and-swap, lost races retried on the server", ""),
    SpecEndpoint("DELETE", _TABLE, "dropTable", "`purgeRequested` deletes the files", ""),
    SpecEndpoint("HEAD", _TABLE, "tableExists", "204 or 404", ""),
    SpecEndpoint("GET", f"{_TABLE}/credentials", "loadCredentials", "",
                 "the S3 endpoint and the stack's static credentials come with every load-table `config`"),
    SpecEndpoint("POST", "/v1/{prefix}/tables/rename", "renameTable",
                 "404 if the source is missing, 409 if the target exists", ""),
    SpecEndpoint("POST", f"{_TABLE}/metrics", "reportMetrics", "accepted and dropped (204)", ""),
    SpecEndpoint("POST", "/v1/{prefix}/transactions/commit", "commitTransaction",
                 "atomic across tables: all requirements checked first, all pointers swapped in one database "
                 "transaction", ""),
    SpecEndpoint("GET", f"{_NS}/views", "listViews", "paging", ""),
    SpecEndpoint("POST", f"{_NS}/views", "createView",
                 "view metadata v1 written under the namespace; 409 if a table or view has the name", ""),
    SpecEndpoint("GET", _VIEW, "loadView", "`config` carries the S3 endpoint and credentials", ""),
    SpecEndpoint("POST", _VIEW, "replaceView",
                 "`assert-view-uuid` checked (409), the spec's eight view updates, compare-and-swap", ""),
    SpecEndpoint("DELETE", _VIEW, "dropView", "the metadata files stay", ""),
    SpecEndpoint("HEAD", _VIEW, "viewExists", "204 or 404", ""),
    SpecEndpoint("POST", "/v1/{prefix}/views/rename", "renameView",
                 "404 if the source is missing, 409 if a table or view has the target name", ""),
    SpecEndpoint("POST", f"{_NS}/register-view", "registerView",
                 "added to the spec after Iceberg 1.10 (pyiceberg 0.12 calls it); the file must be under the "
                 "warehouse", ""),
)  # fmt: skip

SPEC_BY_NAME = {str(e): e for e in SPEC_ENDPOINTS}


def unserved() -> tuple[SpecEndpoint, ...]:
    served = set(ENDPOINTS)
    return tuple(e for e in SPEC_ENDPOINTS if str(e) not in served)


def _route_path(path: str, prefix: str | None) -> str:
    """The spec's path as a route: the prefix segment filled in (or dropped), parameters renamed to
    identifiers (``{plan-id}`` is not one)."""
    filled = path.replace("/{prefix}", f"/{prefix}" if prefix else "")
    names = iter(range(100))
    return re.sub(r"\{[^}]+\}", lambda _: f"{{p{next(names)}}}", filled)


def unserved_router(prefix: str | None) -> APIRouter:
    """Routes for the spec's endpoints this catalog does not serve, each refusing with its reason. Mount it
    after the served routes (without a path prefix: the paths here are complete)."""
    router = APIRouter()
    for endpoint in unserved():
        if str(endpoint) == OAUTH_TOKENS:
            router.add_api_route(_route_path(endpoint.path, None), _refuse_token, methods=[endpoint.method])
        else:
            router.add_api_route(_route_path(endpoint.path, prefix), _refusal(endpoint), methods=[endpoint.method])
    return router


def _refusal(endpoint: SpecEndpoint) -> Callable[[], Response]:
    def refuse() -> Response:
        raise UnsupportedOperationError(
            f"this catalog does not implement {endpoint.operation} ({endpoint}): {endpoint.unserved}"
        )

    return refuse


def _refuse_token() -> Response:
    description = f"this catalog does not issue tokens: {_NO_AUTHENTICATION}"
    return JSONResponse({"error": "invalid_request", "error_description": description}, status_code=400)


def endpoint_table() -> str:
    """The README's table: every spec endpoint, whether this catalog serves it, and a note."""
    served = set(ENDPOINTS)
    lines = ["| method | path | implemented | notes |", "|---|---|---|---|"]
    for endpoint in SPEC_ENDPOINTS:
        implemented = str(endpoint) in served
        note = endpoint.served if implemented else endpoint.unserved
        lines.append(f"| {endpoint.method} | `{endpoint.path}` | {'yes' if implemented else 'no'} | {note} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(endpoint_table())
