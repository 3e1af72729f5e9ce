"""The REST protocol itself: config, error bodies, paging, HEAD, prefix, keep-alive, commit semantics."""

from __future__ import annotations

import http.client
import json
import uuid
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
import requests
from pyiceberg.catalog.rest import RestCatalog
from sqlalchemy import event

from emulator.catalog.app import ENDPOINTS, create_app
from emulator.catalog.backend import CatalogBackend
from tests.emulator.servers import UvicornThread


def _schema() -> dict[str, Any]:
    return {"type": "struct", "schema-id": 0, "fields": [{"id": 1, "name": "id", "type": "long", "required": False}]}


def test_config_advertises_exactly_the_served_endpoints(catalog_server: UvicornThread) -> None:
    body = requests.get(f"{catalog_server.url}/v1/config", timeout=5).json()
    assert body["endpoints"] == list(ENDPOINTS)
    assert body["overrides"] == {}
    assert "POST /v1/oauth/tokens" not in body["endpoints"]  # not implemented, not advertised


@pytest.mark.parametrize(
    ("method", "path", "status", "error_type"),
    [
        ("GET", "/v1/namespaces/missing", 404, "NoSuchNamespaceException"),
        ("GET", "/v1/namespaces/missing/tables", 404, "NoSuchNamespaceException"),
        ("GET", "/v1/namespaces/{ns}/tables/missing", 404, "NoSuchTableException"),
        ("DELETE", "/v1/namespaces/{ns}/tables/missing", 404, "NoSuchTableException"),
    ],
)
def test_errors_use_the_spec_body_and_java_exception_names(
    catalog_server: UvicornThread, ns: str, method: str, path: str, status: int, error_type: str
) -> None:
    response = requests.request(method, catalog_server.url + path.format(ns=ns), timeout=5)
    assert response.status_code == status
    error = response.json()["error"]
    assert (error["type"], error["code"]) == (error_type, status)
    assert error["message"]


def test_conflicts_and_bad_requests(catalog_server: UvicornThread, ns: str) -> None:
    again = requests.post(f"{catalog_server.url}/v1/namespaces", json={"namespace": [ns]}, timeout=5)
    assert (again.status_code, again.json()["error"]["type"]) == (409, "AlreadyExistsException")
    malformed = requests.post(f"{catalog_server.url}/v1/namespaces", json={"namespace": []}, timeout=5)
    assert (malformed.status_code, malformed.json()["error"]["type"]) == (400, "BadRequestException")
    table = {"name": "t", "schema": _schema()}
    assert requests.post(f"{catalog_server.url}/v1/namespaces/{ns}/tables", json=table, timeout=5).status_code == 200
    duplicate = requests.post(f"{catalog_server.url}/v1/namespaces/{ns}/tables", json=table, timeout=5)
    assert duplicate.json()["error"]["type"] == "AlreadyExistsException"
    not_empty = requests.delete(f"{catalog_server.url}/v1/namespaces/{ns}", timeout=5)
    assert (not_empty.status_code, not_empty.json()["error"]["type"]) == (409, "NamespaceNotEmptyException")
    unknown_update = requests.post(
        f"{catalog_server.url}/v1/namespaces/{ns}/tables/t",
        json={"requirements": [], "updates": [{"action": "teleport"}]},
        timeout=5,
    )
    assert (unknown_update.status_code, unknown_update.json()["error"]["type"]) == (400, "BadRequestException")
    assert "teleport" in unknown_update.json()["error"]["message"]


def test_head_and_metrics(catalog_server: UvicornThread, ns: str, rest: RestCatalog) -> None:
    rest.create_table(f"{ns}.t", pa.schema([("id", pa.int64())]))
    base = catalog_server.url
    assert requests.head(f"{base}/v1/namespaces/{ns}", timeout=5).status_code == 204
    assert requests.head(f"{base}/v1/namespaces/nope_{ns}", timeout=5).status_code == 404
    assert requests.head(f"{base}/v1/namespaces/{ns}/tables/t", timeout=5).status_code == 204
    assert requests.head(f"{base}/v1/namespaces/{ns}/tables/u", timeout=5).status_code == 404
    assert requests.post(f"{base}/v1/namespaces/{ns}/tables/t/metrics", json={}, timeout=5).status_code == 204


def test_namespace_and_table_paging(catalog_server: UvicornThread, rest: RestCatalog) -> None:
    parent = f"p_{uuid.uuid4().hex[:8]}"
    rest.create_namespace(parent)
    for i in range(5):
        rest.create_namespace((parent, f"child{i}"))
        rest.create_table(f"{parent}.t{i}", pa.schema([("id", pa.int64())]))
    seen, token = [], None
    while True:
        params = {"parent": parent, "pageSize": 2, **({"pageToken": token} if token else {})}
        page = requests.get(f"{catalog_server.url}/v1/namespaces", params=params, timeout=5).json()
        assert len(page["namespaces"]) <= 2
        seen += [ns[-1] for ns in page["namespaces"]]
        token = page["next-page-token"]
        if token is None:
            break
    assert seen == [f"child{i}" for i in range(5)]
    first = requests.get(
        f"{catalog_server.url}/v1/namespaces/{parent}/tables", params={"pageSize": 3}, timeout=5
    ).json()
    rest_of = requests.get(
        f"{catalog_server.url}/v1/namespaces/{parent}/tables",
        params={"pageSize": 3, "pageToken": first["next-page-token"]},
        timeout=5,
    ).json()
    names = [i["name"] for i in first["identifiers"] + rest_of["identifiers"]]
    assert names == [f"t{i}" for i in range(5)]
    assert rest_of["next-page-token"] is None


def test_keep_alive_survives_error_responses(catalog_server: UvicornThread) -> None:
    """Java's pooled client reuses connections; an error must not close them."""
    connection = http.client.HTTPConnection("127.0.0.1", catalog_server.port, timeout=5)
    for path, status in [("/v1/namespaces/missing", 404), ("/v1/config", 200), ("/v1/namespaces/x/tables/y", 404)]:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        assert response.status == status
        assert response.getheader("connection") != "close"
    connection.close()


def test_path_prefix(tmp_path: Path) -> None:
    backend = CatalogBackend(str(tmp_path / "c.db"), (tmp_path / "wh").as_uri())
    with UvicornThread(create_app(backend, prefix="lakehouse")) as server:
        config = requests.get(f"{server.url}/v1/config", timeout=5).json()
        assert config["overrides"] == {"prefix": "lakehouse"}
        client = RestCatalog("prefixed", uri=server.url)
        client.create_namespace("sales")
        assert requests.get(f"{server.url}/v1/lakehouse/namespaces", timeout=5).json()["namespaces"] == [["sales"]]
        assert requests.get(f"{server.url}/v1/namespaces", timeout=5).status_code == 404


def _assert_snapshot(table_uuid: str, snapshot_id: int | None) -> list[dict[str, Any]]:
    return [
        {"type": "assert-table-uuid", "uuid": table_uuid},
        {"type": "assert-ref-snapshot-id", "ref": "main", "snapshot-id": snapshot_id},
    ]


def test_stale_requirements_are_a_409_and_write_nothing(
    catalog_server: UvicornThread, rest: RestCatalog, ns: str
) -> None:
    table = rest.create_table(f"{ns}.t", pa.schema([("id", pa.int64())]))
    stale = rest.load_table(f"{ns}.t")
    table.append(pa.table({"id": [1]}))
    before = rest.load_table(f"{ns}.t").metadata_location
    body = {"requirements": _assert_snapshot(str(table.metadata.table_uuid), None), "updates": []}
    response = requests.post(f"{catalog_server.url}/v1/namespaces/{ns}/tables/t", json=body, timeout=5)
    assert (response.status_code, response.json()["error"]["type"]) == (409, "CommitFailedException")
    assert rest.load_table(f"{ns}.t").metadata_location == before
    # pyiceberg answers the 409 by refreshing and retrying: the stale writer's rows land, none are lost
    stale.append(pa.table({"id": [2]}))
    assert sorted(rest.load_table(f"{ns}.t").scan().to_arrow().column("id").to_pylist()) == [1, 2]


def _failing_updates(backend: CatalogBackend) -> None:
    def fail(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE ICEBERG_TABLES"):
            raise OSError("disk I/O error while swapping the metadata pointer")

    event.listen(backend.catalog.engine, "before_cursor_execute", fail)


def test_failure_after_metadata_was_written_is_commit_state_unknown(tmp_path: Path) -> None:
    backend = CatalogBackend(str(tmp_path / "c.db"), (tmp_path / "wh").as_uri())
    with UvicornThread(create_app(backend)) as server:
        client = RestCatalog("c", uri=server.url)
        client.create_namespace("ns")
        client.create_table("ns.t", pa.schema([("id", pa.int64())]))
        _failing_updates(backend)
        body = {"requirements": [], "updates": [{"action": "set-properties", "updates": {"owner": "sales"}}]}
        response = requests.post(f"{server.url}/v1/namespaces/ns/tables/t", json=body, timeout=5)
        assert (response.status_code, response.json()["error"]["type"]) == (500, "CommitStateUnknownException")
        assert "may or may not have applied" in response.json()["error"]["message"]


def test_a_lost_race_is_retried_on_the_server(tmp_path: Path) -> None:
    """Two catalog processes on one database: a rival commit lands between our check and our swap."""
    db, warehouse = str(tmp_path / "c.db"), (tmp_path / "wh").as_uri()
    ours, rival = CatalogBackend(db, warehouse), CatalogBackend(db, warehouse)
    ours.catalog.create_namespace("ns")
    ours.catalog.create_table("ns.t", pa.schema([("id", pa.int64())]))
    interfered = []

    def rival_commits_first(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE ICEBERG_TABLES") and not interfered:
            interfered.append(True)
            rival.commit(("ns", "t"), [], [{"action": "set-properties", "updates": {"rival": "yes"}}])

    event.listen(ours.catalog.engine, "before_cursor_execute", rival_commits_first)
    uuid_ = str(ours.catalog.load_table("ns.t").metadata.table_uuid)
    ours.commit(("ns", "t"), [{"type": "assert-table-uuid", "uuid": uuid_}],
                [{"action": "set-properties", "updates": {"ours": "yes"}}])  # fmt: skip
    assert interfered
    properties = ours.catalog.load_table("ns.t").properties
    assert (properties["rival"], properties["ours"]) == ("yes", "yes")  # both commits kept


def test_restart_keeps_tables(tmp_path: Path) -> None:
    def serve() -> UvicornThread:
        return UvicornThread(create_app(CatalogBackend(str(tmp_path / "c.db"), (tmp_path / "wh").as_uri())))

    with serve() as first:
        client = RestCatalog("c", uri=first.url)
        client.create_namespace("sales")
        client.create_table("sales.orders", pa.schema([("id", pa.int64())])).append(pa.table({"id": [1, 2]}))
    with serve() as second:
        again = RestCatalog("c", uri=second.url)
        assert again.load_table("sales.orders").scan().to_arrow().num_rows == 2
        assert json.loads(json.dumps(again.list_namespaces())) == [["sales"]]
