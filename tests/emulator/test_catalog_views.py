"""Iceberg REST views: Spark SQL (Java RESTCatalog, Iceberg 1.10), pyiceberg's RestCatalog and raw HTTP
against the catalog server, plus a restart on the same database and warehouse."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from chispa import assert_df_equality
from pyiceberg.catalog.rest import RestCatalog
from pyiceberg.exceptions import NoSuchViewError
from pyiceberg.schema import Schema
from pyiceberg.types import LongType, NestedField, StringType
from pyiceberg.view.metadata import SQLViewRepresentation, ViewRepresentation, ViewVersion
from pyspark.sql import SparkSession
from pyspark.sql import types as T

from emulator.catalog.app import create_app
from emulator.catalog.backend import CatalogBackend
from tests.emulator.servers import UvicornThread

SCHEMA = Schema(NestedField(1, "id", LongType(), required=False), NestedField(2, "name", StringType(), required=False))
TABLE_SCHEMA: dict[str, Any] = {
    "type": "struct",
    "schema-id": 0,
    "fields": [{"id": 1, "name": "id", "type": "long", "required": False}],
}


def _version(sql: str, namespace: str, dialect: str = "spark", schema_id: int = 0) -> ViewVersion:
    representation = ViewRepresentation(SQLViewRepresentation(type="sql", sql=sql, dialect=dialect))
    return ViewVersion.model_validate(
        {"schema-id": schema_id, "representations": [representation], "default-namespace": (namespace,)}
    )


def _version_json(sql: str, namespace: str, dialect: str = "spark", schema_id: int = -1) -> dict[str, Any]:
    return {
        "version-id": 99, "schema-id": schema_id, "timestamp-ms": 1_700_000_000_000, "summary": {},
        "representations": [{"type": "sql", "sql": sql, "dialect": dialect}], "default-namespace": [namespace],
    }  # fmt: skip


def _create_body(name: str, namespace: str, **extra: Any) -> dict[str, Any]:
    schema = {"type": "struct", "schema-id": 0, "fields": [{"id": 1, "name": "x", "type": "long", "required": False}]}
    return {
        "name": name,
        "schema": schema,
        "view-version": _version_json("SELECT 1 x", namespace, schema_id=0),
        **extra,
    }


def _error(response: requests.Response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["type"]


def _metadata_files(metadata_location: str) -> set[str]:
    return {p.name for p in Path(urlsplit(metadata_location).path).parent.iterdir()}


# ---------------------------------------------------------------- Spark (Java RESTCatalog)


def test_spark_create_select_replace_show_rename_drop(
    spark: SparkSession, spark_rest: str, rest: RestCatalog, ns: str
) -> None:
    c = spark_rest
    spark.sql(f"CREATE TABLE {c}.{ns}.people (id bigint, name string) USING iceberg")
    spark.sql(f"INSERT INTO {c}.{ns}.people VALUES (1, 'ann'), (2, 'bob'), (3, 'cy')")
    spark.sql(f"CREATE VIEW {c}.{ns}.adults AS SELECT id, upper(name) AS name FROM {c}.{ns}.people WHERE id > 1")
    schema = T.StructType([T.StructField("id", T.LongType()), T.StructField("name", T.StringType())])
    expected = spark.createDataFrame([(2, "BOB"), (3, "CY")], schema)
    assert_df_equality(spark.table(f"{c}.{ns}.adults"), expected, ignore_row_order=True, ignore_nullable=True)

    first = rest.load_view(f"{ns}.adults")
    spark.sql(f"CREATE OR REPLACE VIEW {c}.{ns}.adults AS SELECT id FROM {c}.{ns}.people WHERE id < 3")
    replaced = spark.createDataFrame([(1,), (2,)], T.StructType([T.StructField("id", T.LongType())]))
    assert_df_equality(spark.table(f"{c}.{ns}.adults"), replaced, ignore_row_order=True, ignore_nullable=True)
    # the same view (uuid), a second version made current, both in the log; the second schema has one column
    view = rest.load_view(f"{ns}.adults")
    assert view.uuid() == first.uuid()
    assert [v.version_id for v in view.versions] == [1, 2]
    assert [e.version_id for e in view.history()] == [1, 2]
    assert view.current_version().version_id == 2
    assert [f.name for f in view.schema().fields] == ["id"]
    sql = view.sql_for("spark")
    assert sql is not None
    assert sql.sql == f"SELECT id FROM {c}.{ns}.people WHERE id < 3"

    spark.sql(f"CREATE VIEW {c}.{ns}.second AS SELECT 1 AS one")
    shown = {(r["namespace"], r["viewName"]) for r in spark.sql(f"SHOW VIEWS IN {c}.{ns}").collect()}
    assert shown == {(ns, "adults"), (ns, "second")}
    spark.sql(f"ALTER VIEW {c}.{ns}.adults RENAME TO {c}.{ns}.grown")  # Iceberg wants the catalog here
    assert sorted(rest.list_views(ns)) == [(ns, "grown"), (ns, "second")]
    assert_df_equality(spark.table(f"{c}.{ns}.grown"), replaced, ignore_row_order=True, ignore_nullable=True)
    spark.sql(f"DROP VIEW {c}.{ns}.grown")
    spark.sql(f"DROP VIEW {c}.{ns}.second")
    assert spark.sql(f"SHOW VIEWS IN {c}.{ns}").collect() == []
    assert not rest.view_exists(f"{ns}.grown")
    # the table under the views is untouched
    assert sorted(tuple(r) for r in spark.table(f"{c}.{ns}.people").collect()) == [(1, "ann"), (2, "bob"), (3, "cy")]


# ---------------------------------------------------------------- pyiceberg


def test_pyiceberg_create_exists_load_list_drop_register(rest: RestCatalog, ns: str, catalog_dir: Path) -> None:
    version = _version(f"SELECT id, name FROM {ns}.t", ns)
    created = rest.create_view(f"{ns}.v", SCHEMA, version, properties={"comment": "people"})
    assert rest.view_exists(f"{ns}.v")
    assert not rest.view_exists(f"{ns}.missing")
    loaded = rest.load_view(f"{ns}.v")
    assert loaded.metadata == created.metadata
    assert loaded.metadata.format_version == 1
    assert loaded.properties == {"comment": "people"}
    assert loaded.schema() == SCHEMA
    assert loaded.location().startswith(f"{(catalog_dir / 'warehouse').as_uri()}/{ns}/v-")  # a fresh directory
    assert loaded.current_version().model_dump(exclude={"timestamp_ms"}) == version.model_dump(exclude={"timestamp_ms"})
    assert rest.list_views(ns) == [(ns, "v")]
    assert rest.list_tables(ns) == []  # a view is not a table

    metadata_location = requests.get(f"{rest.uri}/v1/namespaces/{ns}/views/v", timeout=5).json()["metadata-location"]
    rest.drop_view(f"{ns}.v")
    assert not rest.view_exists(f"{ns}.v")
    with pytest.raises(NoSuchViewError):
        rest.load_view(f"{ns}.v")
    with pytest.raises(NoSuchViewError):
        rest.drop_view(f"{ns}.v")
    registered = rest.register_view(f"{ns}.back", metadata_location)  # the files stayed after the drop
    assert registered.metadata == created.metadata
    assert rest.list_views(ns) == [(ns, "back")]


# ---------------------------------------------------------------- raw HTTP: commits


def _create(url: str, ns: str, name: str, **extra: Any) -> dict[str, Any]:
    response = requests.post(f"{url}/v1/namespaces/{ns}/views", json=_create_body(name, ns, **extra), timeout=5)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_commit_with_failing_requirement_is_409_and_writes_nothing(catalog_server: UvicornThread, ns: str) -> None:
    created = _create(catalog_server.url, ns, "v")
    files_before = _metadata_files(created["metadata-location"])
    stale: dict[str, Any] = {
        "requirements": [{"type": "assert-view-uuid", "uuid": str(uuid.uuid4())}],
        "updates": [{"action": "set-properties", "updates": {"k": "v"}}],
    }
    response = requests.post(f"{catalog_server.url}/v1/namespaces/{ns}/views/v", json=stale, timeout=5)
    assert _error(response) == (409, "CommitFailedException")
    after = requests.get(f"{catalog_server.url}/v1/namespaces/{ns}/views/v", timeout=5).json()
    assert after == created
    assert _metadata_files(created["metadata-location"]) == files_before


def test_commit_applies_the_spec_updates(catalog_server: UvicornThread, ns: str) -> None:
    url = f"{catalog_server.url}/v1/namespaces/{ns}/views/v"
    created = _create(catalog_server.url, ns, "v", properties={"a": "1", "b": "2"})
    view_uuid = created["metadata"]["view-uuid"]
    new_schema = {
        "type": "struct",
        "schema-id": 7,
        "fields": [{"id": 1, "name": "y", "type": "string", "required": False}],
    }
    commit: dict[str, Any] = {
        "requirements": [{"type": "assert-view-uuid", "uuid": view_uuid}],
        "updates": [
            {"action": "assign-uuid", "uuid": view_uuid},
            {"action": "upgrade-format-version", "format-version": 1},
            {"action": "set-properties", "updates": {"c": "3"}},
            {"action": "remove-properties", "removals": ["a", "not-there"]},
            {"action": "add-schema", "schema": new_schema, "last-column-id": 1},
            {"action": "add-view-version", "view-version": _version_json("SELECT 'y' y", ns, schema_id=7)},
            {"action": "set-current-view-version", "view-version-id": -1},
            {"action": "set-location", "location": created["metadata"]["location"] + "-moved"},
        ],
    }
    response = requests.post(url, json=commit, timeout=5)
    assert response.status_code == 200, response.text
    body = response.json()
    metadata = body["metadata"]
    assert metadata["view-uuid"] == view_uuid
    assert metadata["properties"] == {"b": "2", "c": "3"}
    assert [s["schema-id"] for s in metadata["schemas"]] == [0, 1]  # the client's id 7 became the next free id
    assert metadata["current-version-id"] == 2
    current = next(v for v in metadata["versions"] if v["version-id"] == 2)
    assert (current["schema-id"], current["representations"][0]["sql"]) == (1, "SELECT 'y' y")
    assert [e["version-id"] for e in metadata["version-log"]] == [1, 2]
    assert metadata["location"] == created["metadata"]["location"] + "-moved"
    # the next metadata file, numbered after the first; what GET answers is what the commit answered
    assert Path(urlsplit(body["metadata-location"]).path).name.startswith("00001-")
    assert requests.get(url, timeout=5).json() == body

    # setting an older version current again is a log entry, not a new version
    back: dict[str, Any] = {"updates": [{"action": "set-current-view-version", "view-version-id": 1}]}
    metadata = requests.post(url, json=back, timeout=5).json()["metadata"]
    assert (metadata["current-version-id"], [v["version-id"] for v in metadata["versions"]]) == (1, [1, 2])
    assert [e["version-id"] for e in metadata["version-log"]] == [1, 2, 1]
    # a commit that changes nothing writes no file and answers the current metadata
    current = requests.get(url, timeout=5).json()
    files = _metadata_files(current["metadata-location"])
    same: dict[str, Any] = {"updates": [{"action": "set-properties", "updates": {"c": "3"}}]}
    assert requests.post(url, json=same, timeout=5).json() == current
    assert _metadata_files(current["metadata-location"]) == files


def test_version_history_is_capped_by_the_view_property(catalog_server: UvicornThread, ns: str) -> None:
    url = f"{catalog_server.url}/v1/namespaces/{ns}/views/v"
    _create(catalog_server.url, ns, "v", properties={"version.history.num-entries": "2"})
    for n in (2, 3, 4):
        add: dict[str, Any] = {
            "updates": [
                {"action": "add-view-version", "view-version": _version_json(f"SELECT {n} x", ns, schema_id=0)},
                {"action": "set-current-view-version", "view-version-id": -1},
            ]
        }
        assert requests.post(url, json=add, timeout=5).status_code == 200
    metadata = requests.get(url, timeout=5).json()["metadata"]
    assert [v["version-id"] for v in metadata["versions"]] == [3, 4]
    assert [e["version-id"] for e in metadata["version-log"]] == [3, 4]
    assert metadata["current-version-id"] == 4


@pytest.mark.parametrize(
    ("updates", "status", "error_type", "says"),
    [
        ([{"action": "upgrade-format-version", "format-version": 2}], 400, "BadRequestException", "format-version 2"),
        ([{"action": "assign-uuid", "uuid": str(uuid.uuid4())}], 400, "BadRequestException", "reassign"),
        ([{"action": "set-current-view-version", "view-version-id": 42}], 400, "BadRequestException", "unknown"),
        ([{"action": "set-current-view-version", "view-version-id": -1}], 400, "BadRequestException", "no version"),
        ([{"action": "add-snapshot", "snapshot": {}}], 400, "BadRequestException", "add-snapshot"),
        ([{"action": "set-location", "location": "file:///etc"}], 400, "BadRequestException", "outside the warehouse"),
        ([{"action": "add-view-version", "view-version": _version_json("SELECT 2", "x", schema_id=5)}], 400,
         "BadRequestException", "unknown schema-id 5"),
        ([{"action": "add-view-version", "view-version": _version_json("SELECT 2", "x", dialect="trino",
                                                                      schema_id=0)},
          {"action": "set-current-view-version", "view-version-id": -1}], 400, "BadRequestException", "drops dialect"),
    ],
)  # fmt: skip
def test_bad_updates_are_refused_and_change_nothing(
    catalog_server: UvicornThread, ns: str, updates: list[dict[str, Any]], status: int, error_type: str, says: str
) -> None:
    created = _create(catalog_server.url, ns, "v")
    url = f"{catalog_server.url}/v1/namespaces/{ns}/views/v"
    response = requests.post(url, json={"updates": updates}, timeout=5)
    assert _error(response) == (status, error_type)
    assert says in response.json()["error"]["message"]
    assert requests.get(url, timeout=5).json() == created


def test_a_view_version_with_one_dialect_twice_is_refused(catalog_server: UvicornThread, ns: str) -> None:
    body = _create_body("v", ns)
    body["view-version"]["representations"].append({"type": "sql", "sql": "SELECT 2 x", "dialect": "SPARK"})
    response = requests.post(f"{catalog_server.url}/v1/namespaces/{ns}/views", json=body, timeout=5)
    assert _error(response) == (400, "BadRequestException")
    assert "more than one SQL text" in response.json()["error"]["message"]
    assert requests.get(f"{catalog_server.url}/v1/namespaces/{ns}/views", timeout=5).json()["identifiers"] == []


# ---------------------------------------------------------------- raw HTTP: listing, namespaces, names


def test_list_views_pages(catalog_server: UvicornThread, ns: str) -> None:
    names = [f"v{i}" for i in (3, 0, 4, 1, 2)]
    for name in names:
        _create(catalog_server.url, ns, name)
    url = f"{catalog_server.url}/v1/namespaces/{ns}/views"
    pages: list[list[str]] = []
    token: str | None = ""
    while token is not None:
        params: dict[str, Any] = {"pageSize": 2, "pageToken": token}
        body = requests.get(url, params=params, timeout=5).json()
        pages.append([i["name"] for i in body["identifiers"]])
        assert all(i["namespace"] == [ns] for i in body["identifiers"])
        token = body["next-page-token"]
    assert pages == [["v0", "v1"], ["v2", "v3"], ["v4"]]
    everything = requests.get(url, timeout=5).json()
    assert (sorted(i["name"] for i in everything["identifiers"]), everything["next-page-token"]) == (
        sorted(names),
        None,
    )
    assert _error(requests.get(url, params={"pageSize": 0}, timeout=5)) == (400, "BadRequestException")


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "error_type"),
    [
        ("GET", "/v1/namespaces/missing/views", None, 404, "NoSuchNamespaceException"),
        ("POST", "/v1/namespaces/missing/views", _create_body("v", "missing"), 404, "NoSuchNamespaceException"),
        ("GET", "/v1/namespaces/{ns}/views/missing", None, 404, "NoSuchViewException"),
        ("HEAD", "/v1/namespaces/{ns}/views/missing", None, 404, None),
        ("DELETE", "/v1/namespaces/{ns}/views/missing", None, 404, "NoSuchViewException"),
        ("POST", "/v1/namespaces/{ns}/views/missing", {"updates": []}, 404, "NoSuchViewException"),
        ("POST", "/v1/views/rename", {"source": {"namespace": ["{ns}"], "name": "missing"},
                                      "destination": {"namespace": ["{ns}"], "name": "w"}}, 404,
         "NoSuchViewException"),
        ("POST", "/v1/namespaces/{ns}/views", _create_body("a/b", "x"), 400, "BadRequestException"),
        ("POST", "/v1/namespaces/{ns}/views", {**_create_body("v", "x"), "location": "file:///tmp/elsewhere"}, 400,
         "BadRequestException"),
        ("POST", "/v1/namespaces/{ns}/register-view", {"name": "r", "metadata-location": "file:///etc/passwd"}, 400,
         "BadRequestException"),
    ],
)  # fmt: skip
def test_missing_and_malformed(
    catalog_server: UvicornThread, ns: str, method: str, path: str, body: Any, status: int, error_type: str | None
) -> None:
    payload = None if body is None else _fill(body, ns)
    response = requests.request(method, catalog_server.url + path.replace("{ns}", ns), json=payload, timeout=5)
    assert response.status_code == status, response.text
    if error_type:  # HEAD answers no body
        assert (response.json()["error"]["type"], response.json()["error"]["code"]) == (error_type, status)


def _fill(value: Any, ns: str) -> Any:
    if isinstance(value, dict):
        return {k: _fill(v, ns) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ns) for v in value]
    return value.replace("{ns}", ns) if isinstance(value, str) else value


def test_rename_moves_the_view_and_needs_the_target_namespace(catalog_server: UvicornThread, ns: str) -> None:
    created = _create(catalog_server.url, ns, "v")
    rename = f"{catalog_server.url}/v1/views/rename"
    to_missing = {"source": {"namespace": [ns], "name": "v"}, "destination": {"namespace": ["nowhere"], "name": "v"}}
    assert _error(requests.post(rename, json=to_missing, timeout=5)) == (404, "NoSuchNamespaceException")
    requests.post(f"{catalog_server.url}/v1/namespaces", json={"namespace": [f"{ns}_b"]}, timeout=5)
    across = {"source": {"namespace": [ns], "name": "v"}, "destination": {"namespace": [f"{ns}_b"], "name": "w"}}
    assert requests.post(rename, json=across, timeout=5).status_code == 204
    moved = requests.get(f"{catalog_server.url}/v1/namespaces/{ns}_b/views/w", timeout=5).json()
    assert moved == created  # the same metadata file: a rename writes none
    assert requests.head(f"{catalog_server.url}/v1/namespaces/{ns}/views/v", timeout=5).status_code == 404


def test_a_view_and_a_table_never_share_a_name(catalog_server: UvicornThread, ns: str) -> None:
    base = catalog_server.url
    tables, views = f"{base}/v1/namespaces/{ns}/tables", f"{base}/v1/namespaces/{ns}/views"
    assert requests.post(tables, json={"name": "t", "schema": TABLE_SCHEMA}, timeout=5).status_code == 200
    _create(base, ns, "v")
    _create(base, ns, "w")

    view_on_table = requests.post(views, json=_create_body("t", ns), timeout=5)
    assert _error(view_on_table) == (409, "AlreadyExistsException")
    assert "table" in view_on_table.json()["error"]["message"]
    table_on_view = requests.post(tables, json={"name": "v", "schema": TABLE_SCHEMA}, timeout=5)
    assert _error(table_on_view) == (409, "AlreadyExistsException")

    def rename(kind: str, source: str, destination: str) -> requests.Response:
        body = {"source": {"namespace": [ns], "name": source}, "destination": {"namespace": [ns], "name": destination}}
        return requests.post(f"{base}/v1/{kind}/rename", json=body, timeout=5)

    assert _error(rename("views", "v", "t")) == (409, "AlreadyExistsException")
    assert _error(rename("views", "v", "w")) == (409, "AlreadyExistsException")
    assert _error(rename("tables", "t", "v")) == (409, "AlreadyExistsException")
    # table endpoints do not see views, view endpoints do not see tables
    assert _error(requests.get(f"{tables}/v", timeout=5)) == (404, "NoSuchTableException")
    assert _error(requests.get(f"{views}/t", timeout=5)) == (404, "NoSuchViewException")
    assert _error(requests.delete(f"{tables}/v", timeout=5)) == (404, "NoSuchTableException")
    assert [i["name"] for i in requests.get(tables, timeout=5).json()["identifiers"]] == ["t"]
    assert sorted(i["name"] for i in requests.get(views, timeout=5).json()["identifiers"]) == ["v", "w"]


def test_a_namespace_holding_only_views_is_not_empty(catalog_server: UvicornThread, rest: RestCatalog, ns: str) -> None:
    _create(catalog_server.url, ns, "v")
    response = requests.delete(f"{catalog_server.url}/v1/namespaces/{ns}", timeout=5)
    assert _error(response) == (409, "NamespaceNotEmptyException")
    assert rest.view_exists(f"{ns}.v")
    rest.drop_view(f"{ns}.v")
    assert requests.delete(f"{catalog_server.url}/v1/namespaces/{ns}", timeout=5).status_code == 204


# ---------------------------------------------------------------- persistence


def test_a_restarted_catalog_serves_and_commits_the_view(tmp_path: Path) -> None:
    db, warehouse = str(tmp_path / "catalog.db"), (tmp_path / "warehouse").as_uri()
    with UvicornThread(create_app(CatalogBackend(db, warehouse))) as first:
        RestCatalog("before", uri=first.url).create_namespace("ns")
        created = _create(first.url, "ns", "v", properties={"owner": "sales"})
    with UvicornThread(create_app(CatalogBackend(db, warehouse))) as second:
        rest = RestCatalog("after", uri=second.url)
        assert rest.list_views("ns") == [("ns", "v")]
        assert requests.get(f"{second.url}/v1/namespaces/ns/views/v", timeout=5).json() == created
        commit: dict[str, Any] = {
            "requirements": [{"type": "assert-view-uuid", "uuid": created["metadata"]["view-uuid"]}],
            "updates": [{"action": "set-properties", "updates": {"owner": "finance"}}],
        }
        assert requests.post(f"{second.url}/v1/namespaces/ns/views/v", json=commit, timeout=5).status_code == 200
        assert rest.load_view("ns.v").properties == {"owner": "finance"}


def test_writers_on_two_catalog_processes_lose_no_commit(tmp_path: Path) -> None:
    """Two backends on one database hold no common lock: the pointer's compare-and-swap decides, the loser
    retries on the server, and a writer told 409 retries as clients do. Every key lands; no file is left
    over from a lost race."""
    db, warehouse = str(tmp_path / "catalog.db"), (tmp_path / "warehouse").as_uri()
    with (
        UvicornThread(create_app(CatalogBackend(db, warehouse))) as one,
        UvicornThread(create_app(CatalogBackend(db, warehouse))) as two,
    ):
        RestCatalog("setup", uri=one.url).create_namespace("ns")
        created = _create(one.url, "ns", "v")
        keys = [f"{server}-{writer}-{n}" for server in (0, 1) for writer in range(2) for n in range(5)]

        def write(url: str, mine: list[str]) -> None:
            for key in mine:
                commit: dict[str, Any] = {"updates": [{"action": "set-properties", "updates": {key: "x"}}]}
                while (
                    r := requests.post(f"{url}/v1/namespaces/ns/views/v", json=commit, timeout=30)
                ).status_code == 409:
                    assert r.json()["error"]["type"] == "CommitFailedException"
                assert r.status_code == 200, r.text

        threads = [
            threading.Thread(target=write, args=(url, [k for k in keys if k.startswith(f"{server}-{writer}-")]))
            for server, url in enumerate((one.url, two.url)) for writer in range(2)
        ]  # fmt: skip
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        final = requests.get(f"{two.url}/v1/namespaces/ns/views/v", timeout=5).json()
    assert set(final["metadata"]["properties"]) == set(keys)
    assert len(_metadata_files(created["metadata-location"])) == len(keys) + 1  # one file per commit, plus the create
