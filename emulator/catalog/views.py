"""The REST spec's view routes, declared once in ``VIEW_ROUTES``: the router serves exactly these, and
``VIEW_ENDPOINTS`` (what GET /v1/config advertises for views) is derived from them."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Response
from pyiceberg.typedef import Identifier

from emulator.catalog import models
from emulator.catalog.errors import NoSuchViewError
from emulator.catalog.paging import PageRequest, page_request
from emulator.catalog.validation import check_name, check_namespace
from emulator.catalog.views_backend import LoadedView, ViewCatalog

_VIEWS = "/namespaces/{namespace}/views"
_VIEW = f"{_VIEWS}/{{view}}"
_RENAME = "/views/rename"
_REGISTER = "/namespaces/{namespace}/register-view"
VIEW_ROUTES: tuple[tuple[str, str], ...] = (
    ("GET", _VIEWS),  # listViews
    ("POST", _VIEWS),  # createView
    ("GET", _VIEW),  # loadView
    ("HEAD", _VIEW),  # viewExists
    ("POST", _VIEW),  # replaceView
    ("DELETE", _VIEW),  # dropView
    ("POST", _RENAME),  # renameView
    ("POST", _REGISTER),  # registerView
)
VIEW_ENDPOINTS = tuple(f"{method} /v1/{{prefix}}{path}" for method, path in VIEW_ROUTES)


def view_identifier(namespace: Identifier | list[str], name: str) -> Identifier:
    return (*check_namespace(namespace), check_name(name, "view name"))


def _json(payload: Any) -> Response:
    return Response(json.dumps(payload), media_type="application/json")


def build_views_router(
    views: ViewCatalog, client_config: Mapping[str, str], namespace_from_path: Callable[[str], Identifier]
) -> APIRouter:
    """``namespace_from_path`` decodes the ``{namespace}`` path segment as the table routes do."""

    def view_result(loaded: LoadedView) -> Response:
        return _json(
            {
                "metadata-location": loaded.metadata_location,
                "metadata": json.loads(loaded.metadata.model_dump_json()),
                "config": dict(client_config),
            }
        )

    def identifier(namespace: str, view: str) -> Identifier:
        return view_identifier(namespace_from_path(namespace), view)

    def list_views(namespace: str, page: Annotated[PageRequest, Depends(page_request)]) -> Response:
        found, token = views.list_views(namespace_from_path(namespace), page.token, page.size)
        identifiers = [{"namespace": list(v[:-1]), "name": v[-1]} for v in found]
        return _json({"identifiers": identifiers, "next-page-token": token})

    def create_view(namespace: str, request: models.CreateView) -> Response:
        return view_result(views.create_view(identifier(namespace, request.name), request))

    def load_view(namespace: str, view: str) -> Response:
        return view_result(views.load_view(identifier(namespace, view)))

    def view_exists(namespace: str, view: str) -> Response:
        if not views.view_exists(identifier(namespace, view)):
            raise NoSuchViewError(f"View does not exist: {namespace}.{view}")
        return Response(status_code=204)

    def replace_view(namespace: str, view: str, request: models.CommitView) -> Response:
        return view_result(views.commit(identifier(namespace, view), request.requirements, request.updates))

    def drop_view(namespace: str, view: str) -> Response:
        views.drop_view(identifier(namespace, view))
        return Response(status_code=204)

    def rename_view(request: models.RenameTable) -> Response:
        source = view_identifier(request.source.namespace, request.source.name)
        destination = view_identifier(request.destination.namespace, request.destination.name)
        views.rename_view(source, destination)
        return Response(status_code=204)

    def register_view(namespace: str, request: models.RegisterView) -> Response:
        return view_result(views.register_view(identifier(namespace, request.name), request.metadata_location))

    handlers: dict[tuple[str, str], Callable[..., Response]] = {
        ("GET", _VIEWS): list_views,
        ("POST", _VIEWS): create_view,
        ("GET", _VIEW): load_view,
        ("HEAD", _VIEW): view_exists,
        ("POST", _VIEW): replace_view,
        ("DELETE", _VIEW): drop_view,
        ("POST", _RENAME): rename_view,
        ("POST", _REGISTER): register_view,
    }
    if set(handlers) != set(VIEW_ROUTES):
        raise RuntimeError(f"view routes and handlers differ: {sorted(set(handlers) ^ set(VIEW_ROUTES))}")
    router = APIRouter()
    for method, path in VIEW_ROUTES:
        router.add_api_route(path, handlers[(method, path)], methods=[method])
    return router
