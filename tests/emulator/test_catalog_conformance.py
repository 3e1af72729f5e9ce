"""Conformance: every endpoint the catalog advertises, driven by the real clients, every answer checked.

One catalog server for the module, wrapped in a recorder, so what is checked is what each client was
sent. Each advertised endpoint has a case in ``CASES``: it drives the endpoint with pyiceberg's
``RestCatalog``, Spark's Java ``RESTCatalog`` (Iceberg 1.10) and DuckDB's iceberg extension where the client
uses it, parses every recorded body with pyiceberg's response models (``model_validate_json``) and compares
the contents; an error case checks the spec's ``{"error": {"message", "type", "code"}}`` with the status and
type the spec gives. ``test_endpoint_conforms`` runs over ``ENDPOINTS``, so an endpoint added without a
case fails. What clients send that the catalog refuses is in ``REFUSALS``, each with its reason; the spec's
endpoints the catalog does not serve are refused with 406 and theirs.

Not repeated here (test_catalog_protocol.py / test_catalog_clients.py prove them): paging, keep-alive,
prefix, commit races, cross-client reads of each other's writes.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import pyarrow as pa
import pytest
import requests
from pydantic import BaseModel
from pyiceberg.catalog.rest import (
    ConfigResponse,
    Endpoint,
    ListNamespaceResponse,
    ListTablesResponse,
    ListViewsResponse,
    NamespaceResponse,
    RestCatalog,
    TableResponse,
    UpdateNamespacePropertiesResponse,
    ViewResponse,
)
from pyiceberg.catalog.rest.response import ErrorResponse, OAuthErrorResponse
from pyiceberg.exceptions import (
    CommitFailedException,
    NamespaceAlreadyExistsError,
    NamespaceNotEmptyError,
    NoSuchNamespaceError,
    NoSuchTableError,
    NoSuchViewError,
    OAuthError,
    TableAlreadyExistsError,
    ViewAlreadyExistsError,
)
from pyiceberg.table import CommitTableResponse
from pyiceberg.types import LongType, StringType
from pyspark.sql import SparkSession

from emulator.catalog.app import create_app
from emulator.catalog.backend import CatalogBackend
from emulator.catalog.endpoints import ENDPOINTS, SPEC_BY_NAME, endpoint_table, unserved
from tests.emulator.recording import Exchange, Recorder
from tests.emulator.rest_clients import attach_duckdb, attach_spark_catalog
from tests.emulator.servers import UvicornThread

README = Path(__file__).resolve().parents[2] / "README.md"
TABLE_MARKERS = ("<!-- catalog-endpoints:begin -->\n", "<!-- catalog-endpoints:end -->")
SPARK_CATALOG = "conformance"
ROWS = pa.table({"id": pa.array([1, 2, 3], pa.int64()), "name": ["a", "b", "c"]})
M = TypeVar("M", bound=BaseModel)


@dataclass
class Clients:
    url: str
    recorder: Recorder
    rest: RestCatalog
    spark: SparkSession
    duck: duckdb.DuckDBPyConnection

    def sql(self, statement: str) -> list[Any]:
        return self.spark.sql(re.sub(r"\bcat\b", SPARK_CATALOG, statement)).collect()  # `cat`: this catalog

    def namespace(self) -> str:
        name = f"c_{uuid.uuid4().hex[:10]}"
        self.rest.create_namespace(name)
        return name


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[UvicornThread, Recorder]]:
    root = tmp_path_factory.mktemp("conformance")
    recorder = Recorder(create_app(CatalogBackend(str(root / "catalog.db"), (root / "warehouse").as_uri())))
    with UvicornThread(recorder) as server:  # type: ignore[arg-type]  # any ASGI app serves
        yield server, recorder


@pytest.fixture(scope="module")
def clients(recorded: tuple[UvicornThread, Recorder], spark: SparkSession) -> Clients:
    server, recorder = recorded
    attach_spark_catalog(spark, SPARK_CATALOG, server.url)
    duck = attach_duckdb(server.url)
    return Clients(server.url, recorder, RestCatalog("conformance", uri=server.url), spark, duck)


# ---------------------------------------------------------------- checking what a client was sent


def answered(
    c: Clients, mark: int, endpoint: str, client: str, model: type[M], status: int = 200, name: str | None = None
) -> list[M]:
    """Every answer ``client`` got from ``endpoint`` since ``mark`` (for the object ``name``, if given): at
    least one, all ``status``, each body parsed by pyiceberg's model for it."""
    calls = [e for e in c.recorder.calls(mark, endpoint, client) if name is None or e.path.endswith(f"/{name}")]
    assert calls, f"{client} never called {endpoint}: {[(e.client, e.method, e.path) for e in c.recorder.since(mark)]}"
    assert [e.status for e in calls] == [status] * len(calls), [(e.path, e.status, e.body[:200]) for e in calls]
    return [model.model_validate_json(e.body) for e in calls]


def no_content(c: Clients, mark: int, endpoint: str, client: str) -> list[Exchange]:
    calls = c.recorder.calls(mark, endpoint, client)
    assert calls, f"{client} never called {endpoint}: {[(e.client, e.method, e.path) for e in c.recorder.since(mark)]}"
    assert [(e.status, e.body) for e in calls] == [(204, b"")] * len(calls)
    return calls


def refused(c: Clients, mark: int, endpoint: str, client: str, status: int, error_type: str) -> str:
    """The one error ``client`` got from ``endpoint``: the spec's ErrorModel with this status and type."""
    errors = [e for e in c.recorder.calls(mark, endpoint, client) if e.status >= 400]
    assert len(errors) == 1, [(e.path, e.status) for e in c.recorder.calls(mark, endpoint, client)]
    error = ErrorResponse.model_validate_json(errors[0].body).error
    assert (errors[0].status, error.code, error.type) == (status, status, error_type)
    assert error.message
    return error.message


# What pyiceberg raises for each error it is answered (its _handle_non_200_response), and the status and type
# of that error in the spec.
SPEC_ERROR_OF: dict[type[Exception], tuple[int, str]] = {
    NoSuchNamespaceError: (404, "NoSuchNamespaceException"),
    NoSuchTableError: (404, "NoSuchTableException"),
    NoSuchViewError: (404, "NoSuchViewException"),
    NamespaceAlreadyExistsError: (409, "AlreadyExistsException"),
    TableAlreadyExistsError: (409, "AlreadyExistsException"),
    ViewAlreadyExistsError: (409, "AlreadyExistsException"),
    NamespaceNotEmptyError: (409, "NamespaceNotEmptyException"),
    CommitFailedException: (409, "CommitFailedException"),
}


def pyiceberg_refused(c: Clients, endpoint: str, raised: type[Exception], call: Callable[[], object]) -> str:
    """``call`` (pyiceberg) raises ``raised`` because ``endpoint`` answered the one error that stands for it."""
    mark = c.recorder.mark()
    with pytest.raises(raised):
        call()
    return refused(c, mark, endpoint, "pyiceberg", *SPEC_ERROR_OF[raised])


CASES: dict[str, Callable[[Clients], None]] = {}


def case(endpoint: str) -> Callable[[Callable[[Clients], None]], Callable[[Clients], None]]:
    def register(check: Callable[[Clients], None]) -> Callable[[Clients], None]:
        assert endpoint in SPEC_BY_NAME, f"{endpoint} is not an endpoint of the REST spec"
        CASES[endpoint] = check
        return check

    return register


def _schema_names(response: TableResponse | CommitTableResponse) -> list[str]:
    return [f.name for f in response.metadata.schema().fields]


# ---------------------------------------------------------------- namespaces


@case("GET /v1/{prefix}/namespaces")
def _list_namespaces(c: Clients) -> None:
    ns = c.namespace()
    c.rest.create_namespace((ns, "child"))
    mark = c.recorder.mark()
    assert (ns, "child") in c.rest.list_namespaces(ns)
    c.sql("SHOW NAMESPACES IN cat")
    c.duck.sql("SHOW ALL TABLES").fetchall()
    for client in ("pyiceberg", "java", "duckdb"):
        namespaces = [n for page in answered(c, mark, "GET /v1/{prefix}/namespaces", client, ListNamespaceResponse)
                      for n in page.namespaces]  # fmt: skip
        assert ((ns, "child") if client == "pyiceberg" else (ns,)) in namespaces
    pyiceberg_refused(
        c, "GET /v1/{prefix}/namespaces", NoSuchNamespaceError, lambda: c.rest.list_namespaces(f"missing_{ns}")
    )


@case("POST /v1/{prefix}/namespaces")
def _create_namespace(c: Clients) -> None:
    ns = f"c_{uuid.uuid4().hex[:10]}"
    mark = c.recorder.mark()
    c.rest.create_namespace(f"{ns}_py", {"team": "py"})
    c.sql(f"CREATE NAMESPACE cat.{ns}_spark WITH DBPROPERTIES ('team' = 'spark')")
    c.duck.sql(f"CREATE SCHEMA lake.{ns}_duck")
    for client, suffix, team in (("pyiceberg", "py", "py"), ("java", "spark", "spark"), ("duckdb", "duck", None)):
        (created,) = answered(c, mark, "POST /v1/{prefix}/namespaces", client, NamespaceResponse)
        assert created.namespace == (f"{ns}_{suffix}",)
        assert created.properties.get("team") == team
    pyiceberg_refused(
        c, "POST /v1/{prefix}/namespaces", NamespaceAlreadyExistsError, lambda: c.rest.create_namespace(f"{ns}_py")
    )


@case("GET /v1/{prefix}/namespaces/{namespace}")
def _load_namespace(c: Clients) -> None:
    ns = c.namespace()
    c.rest.update_namespace_properties(ns, updates={"tier": "gold"})
    mark = c.recorder.mark()
    assert c.rest.load_namespace_properties(ns)["tier"] == "gold"
    described = {r[0]: r[1] for r in c.sql(f"DESCRIBE NAMESPACE EXTENDED cat.{ns}")}
    assert "gold" in described["Properties"]
    for client in ("pyiceberg", "java"):
        for loaded in answered(c, mark, "GET /v1/{prefix}/namespaces/{namespace}", client, NamespaceResponse):
            assert (loaded.namespace, loaded.properties["tier"]) == ((ns,), "gold")
    pyiceberg_refused(
        c,
        "GET /v1/{prefix}/namespaces/{namespace}",
        NoSuchNamespaceError,
        lambda: c.rest.load_namespace_properties(f"missing_{ns}"),
    )


@case("HEAD /v1/{prefix}/namespaces/{namespace}")
def _namespace_exists(c: Clients) -> None:
    ns = c.namespace()
    mark = c.recorder.mark()
    assert (c.rest.namespace_exists(ns), c.rest.namespace_exists(f"missing_{ns}")) == (True, False)
    c.duck.sql(f"CREATE SCHEMA IF NOT EXISTS lake.{ns}")  # DuckDB asks HEAD first
    calls = c.recorder.calls(mark, "HEAD /v1/{prefix}/namespaces/{namespace}")
    assert {(e.client, e.path.rsplit("/", 1)[-1], e.status) for e in calls} == {
        ("pyiceberg", ns, 204), ("pyiceberg", f"missing_{ns}", 404), ("duckdb", ns, 204),
    }  # fmt: skip
    assert all(e.body == b"" for e in calls if e.status == 204)


@case("DELETE /v1/{prefix}/namespaces/{namespace}")
def _drop_namespace(c: Clients) -> None:
    py, spark, duck = c.namespace(), c.namespace(), c.namespace()
    c.rest.create_table(f"{py}.t", ROWS.schema)
    pyiceberg_refused(
        c, "DELETE /v1/{prefix}/namespaces/{namespace}", NamespaceNotEmptyError, lambda: c.rest.drop_namespace(py)
    )
    c.rest.drop_table(f"{py}.t")
    mark = c.recorder.mark()
    c.rest.drop_namespace(py)
    c.sql(f"DROP NAMESPACE cat.{spark}")
    c.duck.sql(f"DROP SCHEMA lake.{duck}")
    for client in ("pyiceberg", "java", "duckdb"):
        no_content(c, mark, "DELETE /v1/{prefix}/namespaces/{namespace}", client)
    assert not {(py,), (spark,), (duck,)} & set(c.rest.list_namespaces())
    pyiceberg_refused(
        c, "DELETE /v1/{prefix}/namespaces/{namespace}", NoSuchNamespaceError, lambda: c.rest.drop_namespace(py)
    )


@case("POST /v1/{prefix}/namespaces/{namespace}/properties")
def _update_namespace_properties(c: Clients) -> None:
    ns = c.namespace()
    c.rest.update_namespace_properties(ns, updates={"old": "1"})
    mark = c.recorder.mark()
    c.rest.update_namespace_properties(ns, removals={"old", "absent"}, updates={"tier": "gold"})
    c.sql(f"ALTER NAMESPACE cat.{ns} SET PROPERTIES ('team' = 'sales')")
    endpoint = "POST /v1/{prefix}/namespaces/{namespace}/properties"
    (py,) = answered(c, mark, endpoint, "pyiceberg", UpdateNamespacePropertiesResponse)
    assert (py.updated, py.removed, py.missing) == (["tier"], ["old"], ["absent"])
    (java,) = answered(c, mark, endpoint, "java", UpdateNamespacePropertiesResponse)
    assert (java.updated, java.removed, java.missing) == (["team"], [], [])
    pyiceberg_refused(
        c,
        endpoint,
        NoSuchNamespaceError,
        lambda: c.rest.update_namespace_properties(f"missing_{ns}", updates={"a": "b"}),
    )


# ---------------------------------------------------------------- tables


@case("GET /v1/{prefix}/namespaces/{namespace}/tables")
def _list_tables(c: Clients) -> None:
    ns = c.namespace()
    c.rest.create_table(f"{ns}.t", ROWS.schema)
    mark = c.recorder.mark()
    assert c.rest.list_tables(ns) == [(ns, "t")]
    c.sql(f"SHOW TABLES IN cat.{ns}")
    c.duck.sql("SHOW ALL TABLES").fetchall()
    endpoint = "GET /v1/{prefix}/namespaces/{namespace}/tables"
    for client in ("pyiceberg", "java", "duckdb"):
        listed = [
            (tuple(i.namespace), i.name)
            for page in answered(c, mark, endpoint, client, ListTablesResponse)
            for i in page.identifiers
        ]
        assert ((ns,), "t") in listed
    pyiceberg_refused(c, endpoint, NoSuchNamespaceError, lambda: c.rest.list_tables(f"missing_{ns}"))


@case("POST /v1/{prefix}/namespaces/{namespace}/tables")
def _create_table(c: Clients) -> None:
    ns = c.namespace()
    mark = c.recorder.mark()
    c.rest.create_table(f"{ns}.py", ROWS.schema, properties={"team": "py"})
    c.sql(f"CREATE TABLE cat.{ns}.spark (id BIGINT, name STRING) USING iceberg TBLPROPERTIES ('team' = 'spark')")
    c.duck.sql(f"CREATE TABLE lake.{ns}.duck (id BIGINT, name VARCHAR)")
    endpoint = "POST /v1/{prefix}/namespaces/{namespace}/tables"
    for client, team in (("pyiceberg", "py"), ("java", "spark"), ("duckdb", None)):
        (created,) = answered(c, mark, endpoint, client, TableResponse)
        assert _schema_names(created) == ["id", "name"]
        assert created.metadata.properties.get("team") == team
        # DuckDB stages the create (nothing persisted, no metadata file yet) and commits it with its data
        assert (created.metadata_location is None) == (client == "duckdb")
    assert {t[-1] for t in c.rest.list_tables(ns)} == {"py", "spark", "duck"}
    pyiceberg_refused(c, endpoint, TableAlreadyExistsError, lambda: c.rest.create_table(f"{ns}.py", ROWS.schema))


@case("GET /v1/{prefix}/namespaces/{namespace}/tables/{table}")
def _load_table(c: Clients) -> None:
    ns = c.namespace()
    c.rest.create_table(f"{ns}.t", ROWS.schema).append(ROWS)
    expected = c.rest.load_table(f"{ns}.t").metadata
    mark = c.recorder.mark()
    assert sorted(c.rest.load_table(f"{ns}.t").scan().to_arrow().column("id").to_pylist()) == [1, 2, 3]
    assert sorted(r[0] for r in c.sql(f"SELECT id FROM cat.{ns}.t")) == [1, 2, 3]
    assert sorted(r[0] for r in c.duck.sql(f"SELECT id FROM lake.{ns}.t").fetchall()) == [1, 2, 3]
    endpoint = "GET /v1/{prefix}/namespaces/{namespace}/tables/{table}"
    for client in ("pyiceberg", "java", "duckdb"):
        for loaded in answered(c, mark, endpoint, client, TableResponse):
            assert loaded.metadata == expected
    pyiceberg_refused(c, endpoint, NoSuchTableError, lambda: c.rest.load_table(f"{ns}.missing"))


@case("HEAD /v1/{prefix}/namespaces/{namespace}/tables/{table}")
def _table_exists(c: Clients) -> None:
    ns = c.namespace()
    c.rest.create_table(f"{ns}.t", ROWS.schema)
    mark = c.recorder.mark()
    assert (c.rest.table_exists(f"{ns}.t"), c.rest.table_exists(f"{ns}.u")) == (True, False)
    calls = c.recorder.calls(mark, "HEAD /v1/{prefix}/namespaces/{namespace}/tables/{table}", "pyiceberg")
    assert [(e.path.rsplit("/", 1)[-1], e.status) for e in calls] == [("t", 204), ("u", 404)]
    assert calls[0].body == b""


@case("POST /v1/{prefix}/namespaces/{namespace}/tables/{table}")
def _commit_table(c: Clients) -> None:
    ns = c.namespace()
    c.rest.create_table(f"{ns}.t", ROWS.schema)
    endpoint = "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}"
    mark = c.recorder.mark()
    c.rest.load_table(f"{ns}.t").append(ROWS)
    c.sql(f"INSERT INTO cat.{ns}.t VALUES (4, 'd')")
    snapshots = []
    for client in ("pyiceberg", "java"):  # DuckDB commits through /v1/transactions/commit when it is advertised
        (committed,) = answered(c, mark, endpoint, client, CommitTableResponse)
        snapshots.append(committed.metadata.current_snapshot_id)
    final = c.rest.load_table(f"{ns}.t")
    assert snapshots == [s.snapshot_id for s in final.metadata.snapshots]  # each client's commit, in order
    assert sorted(final.scan().to_arrow().column("id").to_pylist()) == [1, 2, 3, 4]
    # A schema change on stale metadata: pyiceberg does not retry it, the 409 reaches the caller
    stale = c.rest.load_table(f"{ns}.t")
    with c.rest.load_table(f"{ns}.t").update_schema() as update:
        update.add_column("first", StringType())

    def add_second_column() -> None:
        with stale.update_schema() as update:
            update.add_column("second", LongType())

    pyiceberg_refused(c, endpoint, CommitFailedException, add_second_column)
    assert [f.name for f in c.rest.load_table(f"{ns}.t").schema().fields] == ["id", "name", "first"]


@case("DELETE /v1/{prefix}/namespaces/{namespace}/tables/{table}")
def _drop_table(c: Clients) -> None:
    ns = c.namespace()
    for name in ("py", "purged", "spark", "duck"):
        c.rest.create_table(f"{ns}.{name}", ROWS.schema).append(ROWS)
    data_file = Path(c.rest.load_table(f"{ns}.purged").inspect.files().column("file_path")[0].as_py()[5:])
    mark = c.recorder.mark()
    c.rest.drop_table(f"{ns}.py")
    c.rest.purge_table(f"{ns}.purged")
    c.sql(f"DROP TABLE cat.{ns}.spark PURGE")
    c.duck.sql(f"DROP TABLE lake.{ns}.duck")
    endpoint = "DELETE /v1/{prefix}/namespaces/{namespace}/tables/{table}"
    queries = {e.path.rsplit("/", 1)[-1]: e.query for c_ in ("pyiceberg", "java", "duckdb")
               for e in no_content(c, mark, endpoint, c_)}  # fmt: skip
    assert queries["purged"].lower() == "purgerequested=true"
    assert not data_file.exists()
    assert c.rest.list_tables(ns) == []
    pyiceberg_refused(c, endpoint, NoSuchTableError, lambda: c.rest.drop_table(f"{ns}.py"))


@case("POST /v1/{prefix}/namespaces/{namespace}/register")
def _register_table(c: Clients) -> None:
    ns = c.namespace()
    c.rest.create_table(f"{ns}.source", ROWS.schema).append(ROWS)
    location = c.rest.load_table(f"{ns}.source").metadata_location
    mark = c.recorder.mark()
    c.rest.register_table(f"{ns}.py", location)
    c.sql(f"CALL cat.system.register_table(table => '{ns}.spark', metadata_file => '{location}')")
    endpoint = "POST /v1/{prefix}/namespaces/{namespace}/register"
    for client in ("pyiceberg", "java"):
        (registered,) = answered(c, mark, endpoint, client, TableResponse)
        assert registered.metadata_location == location
        assert registered.metadata == c.rest.load_table(f"{ns}.source").metadata
    assert sorted(r[0] for r in c.sql(f"SELECT id FROM cat.{ns}.py")) == [1, 2, 3]
    pyiceberg_refused(c, endpoint, TableAlreadyExistsError, lambda: c.rest.register_table(f"{ns}.py", location))


@case("POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/metrics")
def _report_metrics(c: Clients) -> None:
    ns = c.namespace()
    c.rest.create_table(f"{ns}.t", ROWS.schema)
    mark = c.recorder.mark()
    c.sql(f"INSERT INTO cat.{ns}.t VALUES (1, 'a')")  # Java reports a CommitReport …
    c.sql(f"SELECT * FROM cat.{ns}.t")  # … and a ScanReport
    calls = no_content(c, mark, "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/metrics", "java")
    assert {e.path for e in calls} == {f"/v1/namespaces/{ns}/tables/t/metrics"}
    assert len(calls) == 2


@case("POST /v1/{prefix}/tables/rename")
def _rename_table(c: Clients) -> None:
    ns = c.namespace()
    c.rest.create_table(f"{ns}.a", ROWS.schema).append(ROWS)
    c.rest.create_table(f"{ns}.taken", ROWS.schema)
    mark = c.recorder.mark()
    c.rest.rename_table(f"{ns}.a", f"{ns}.b")
    c.sql(f"ALTER TABLE cat.{ns}.b RENAME TO {ns}.c")
    for client in ("pyiceberg", "java"):
        no_content(c, mark, "POST /v1/{prefix}/tables/rename", client)
    assert sorted(c.rest.load_table(f"{ns}.c").scan().to_arrow().column("id").to_pylist()) == [1, 2, 3]
    pyiceberg_refused(
        c, "POST /v1/{prefix}/tables/rename", NoSuchTableError, lambda: c.rest.rename_table(f"{ns}.a", f"{ns}.d")
    )
    pyiceberg_refused(
        c,
        "POST /v1/{prefix}/tables/rename",
        TableAlreadyExistsError,
        lambda: c.rest.rename_table(f"{ns}.c", f"{ns}.taken"),
    )


@case("POST /v1/{prefix}/transactions/commit")
def _commit_transaction(c: Clients) -> None:
    ns = c.namespace()
    c.rest.create_table(f"{ns}.t", ROWS.schema)
    mark = c.recorder.mark()
    c.duck.sql(f"INSERT INTO lake.{ns}.t VALUES (5, 'e')")  # DuckDB commits every write this way
    no_content(c, mark, "POST /v1/{prefix}/transactions/commit", "duckdb")
    assert c.rest.load_table(f"{ns}.t").scan().to_arrow().to_pylist() == [{"id": 5, "name": "e"}]
    # all or nothing: one stale requirement refuses the whole transaction, the other table is untouched
    c.rest.create_table(f"{ns}.u", ROWS.schema)
    before = {name: c.rest.load_table(f"{ns}.{name}").metadata_location for name in ("t", "u")}
    changes: list[dict[str, Any]] = [
        {"identifier": {"namespace": [ns], "name": "u"}, "requirements": [],
         "updates": [{"action": "set-properties", "updates": {"tier": "gold"}}]},
        {"identifier": {"namespace": [ns], "name": "t"},
         "requirements": [{"type": "assert-ref-snapshot-id", "ref": "main", "snapshot-id": None}],
         "updates": [{"action": "set-properties", "updates": {"tier": "gold"}}]},
    ]  # fmt: skip
    mark = c.recorder.mark()
    response = requests.post(f"{c.url}/v1/transactions/commit", json={"table-changes": changes}, timeout=10)
    assert response.status_code == 409
    refused(c, mark, "POST /v1/{prefix}/transactions/commit", "http", 409, "CommitFailedException")
    assert {name: c.rest.load_table(f"{ns}.{name}").metadata_location for name in ("t", "u")} == before


# ---------------------------------------------------------------- views


def _view(c: Clients, sql: str = "SELECT id FROM cat.{ns}.t") -> tuple[str, str]:
    """A namespace with a table t and a view v over it, created by Spark."""
    ns = c.namespace()
    c.rest.create_table(f"{ns}.t", ROWS.schema).append(ROWS)
    c.sql(f"CREATE VIEW cat.{ns}.v AS {sql.format(ns=ns)}")
    return ns, "v"


def _view_sql(response: ViewResponse) -> str:
    metadata = response.metadata
    (version,) = [v for v in metadata.versions if v.version_id == metadata.current_version_id]
    return " ".join(r.root.sql for r in version.representations)


@case("POST /v1/{prefix}/namespaces/{namespace}/views")
def _create_view(c: Clients) -> None:
    mark = c.recorder.mark()
    ns, view = _view(c)
    (created,) = answered(c, mark, "POST /v1/{prefix}/namespaces/{namespace}/views", "java", ViewResponse)
    assert "SELECT id FROM" in _view_sql(created)
    assert created.metadata_location
    assert [f.name for f in created.metadata.schemas[0].fields] == ["id"]
    loaded = c.rest.load_view(f"{ns}.{view}")
    pyiceberg_refused(
        c,
        "POST /v1/{prefix}/namespaces/{namespace}/views",
        ViewAlreadyExistsError,
        lambda: c.rest.create_view(f"{ns}.{view}", loaded.schema(), loaded.metadata.versions[0]),
    )


@case("GET /v1/{prefix}/namespaces/{namespace}/views")
def _list_views(c: Clients) -> None:
    ns, view = _view(c)
    mark = c.recorder.mark()
    assert c.rest.list_views(ns) == [(ns, view)]
    assert [r["viewName"] for r in c.sql(f"SHOW VIEWS IN cat.{ns}")] == [view]
    for client in ("pyiceberg", "java"):
        listed = [(tuple(i.namespace), i.name) for page in
                  answered(c, mark, "GET /v1/{prefix}/namespaces/{namespace}/views", client, ListViewsResponse)
                  for i in page.identifiers]  # fmt: skip
        assert listed == [((ns,), view)]
    pyiceberg_refused(
        c,
        "GET /v1/{prefix}/namespaces/{namespace}/views",
        NoSuchNamespaceError,
        lambda: c.rest.list_views(f"missing_{ns}"),
    )


@case("GET /v1/{prefix}/namespaces/{namespace}/views/{view}")
def _load_view(c: Clients) -> None:
    ns, view = _view(c)
    mark = c.recorder.mark()
    assert c.rest.load_view(f"{ns}.{view}").metadata.current_version_id == 1
    assert sorted(r[0] for r in c.sql(f"SELECT * FROM cat.{ns}.{view}")) == [1, 2, 3]
    for client in ("pyiceberg", "java"):
        # Spark also asks whether the view's table `t` is a view (404): only the answers about `v` count here
        endpoint = "GET /v1/{prefix}/namespaces/{namespace}/views/{view}"
        for loaded in answered(c, mark, endpoint, client, ViewResponse, name=view):
            assert "SELECT id FROM" in _view_sql(loaded)
    pyiceberg_refused(
        c,
        "GET /v1/{prefix}/namespaces/{namespace}/views/{view}",
        NoSuchViewError,
        lambda: c.rest.load_view(f"{ns}.missing"),
    )


@case("HEAD /v1/{prefix}/namespaces/{namespace}/views/{view}")
def _view_exists(c: Clients) -> None:
    ns, view = _view(c)
    mark = c.recorder.mark()
    assert (c.rest.view_exists(f"{ns}.{view}"), c.rest.view_exists(f"{ns}.missing")) == (True, False)
    calls = c.recorder.calls(mark, "HEAD /v1/{prefix}/namespaces/{namespace}/views/{view}", "pyiceberg")
    assert [(e.path.rsplit("/", 1)[-1], e.status) for e in calls] == [(view, 204), ("missing", 404)]
    assert calls[0].body == b""


@case("POST /v1/{prefix}/namespaces/{namespace}/views/{view}")
def _replace_view(c: Clients) -> None:
    ns, view = _view(c)
    mark = c.recorder.mark()
    c.sql(f"CREATE OR REPLACE VIEW cat.{ns}.{view} AS SELECT id * 10 AS tenfold FROM cat.{ns}.t")
    (replaced,) = answered(c, mark, "POST /v1/{prefix}/namespaces/{namespace}/views/{view}", "java", ViewResponse)
    assert "id * 10" in _view_sql(replaced)
    assert replaced.metadata.current_version_id == 2
    assert sorted(r[0] for r in c.sql(f"SELECT * FROM cat.{ns}.{view}")) == [10, 20, 30]


@case("DELETE /v1/{prefix}/namespaces/{namespace}/views/{view}")
def _drop_view(c: Clients) -> None:
    ns, view = _view(c)
    c.sql(f"CREATE VIEW cat.{ns}.w AS SELECT 1 AS one")
    mark = c.recorder.mark()
    c.rest.drop_view(f"{ns}.{view}")
    c.sql(f"DROP VIEW cat.{ns}.w")
    for client in ("pyiceberg", "java"):
        no_content(c, mark, "DELETE /v1/{prefix}/namespaces/{namespace}/views/{view}", client)
    assert c.rest.list_views(ns) == []
    pyiceberg_refused(
        c,
        "DELETE /v1/{prefix}/namespaces/{namespace}/views/{view}",
        NoSuchViewError,
        lambda: c.rest.drop_view(f"{ns}.{view}"),
    )


@case("POST /v1/{prefix}/views/rename")
def _rename_view(c: Clients) -> None:
    ns, view = _view(c)
    mark = c.recorder.mark()
    c.sql(f"ALTER VIEW cat.{ns}.{view} RENAME TO cat.{ns}.renamed")
    no_content(c, mark, "POST /v1/{prefix}/views/rename", "java")
    assert c.rest.list_views(ns) == [(ns, "renamed")]
    assert sorted(r[0] for r in c.sql(f"SELECT * FROM cat.{ns}.renamed")) == [1, 2, 3]


@case("POST /v1/{prefix}/namespaces/{namespace}/register-view")
def _register_view(c: Clients) -> None:
    ns, view = _view(c)
    mark = c.recorder.mark()
    c.rest.load_view(f"{ns}.{view}")
    (loaded,) = answered(c, mark, "GET /v1/{prefix}/namespaces/{namespace}/views/{view}", "pyiceberg", ViewResponse)
    location = loaded.metadata_location
    assert location
    mark = c.recorder.mark()
    c.rest.register_view(f"{ns}.again", location)
    (registered,) = answered(c, mark, "POST /v1/{prefix}/namespaces/{namespace}/register-view", "pyiceberg",
                             ViewResponse)  # fmt: skip
    assert registered.metadata_location == location
    assert "SELECT id FROM" in _view_sql(registered)
    assert sorted(r[0] for r in c.sql(f"SELECT * FROM cat.{ns}.again")) == [1, 2, 3]


# ---------------------------------------------------------------- the advertised list


def test_config_is_the_declared_list_in_pyicebergs_model(clients: Clients) -> None:
    mark = clients.recorder.mark()
    RestCatalog("fresh", uri=clients.url)  # a client's first call
    (config,) = answered(clients, mark, "GET /v1/config", "pyiceberg", ConfigResponse)
    assert config.endpoints == {Endpoint.from_string(e) for e in ENDPOINTS}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_endpoint_conforms(clients: Clients, endpoint: str) -> None:
    check = CASES.get(endpoint)
    assert check, f"{endpoint} is advertised in /v1/config but has no conformance case: add one to CASES"
    check(clients)


def _route_shape(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


def test_the_advertised_list_is_exactly_the_served_routes() -> None:
    """ENDPOINTS is the one list: every route serves an advertised endpoint or refuses an unserved one."""
    app = create_app(CatalogBackend(":memory:", "file:///tmp/unused-warehouse"))
    routes = {
        f"{method.upper()} {_route_shape(path)}"
        for path, operations in app.openapi()["paths"].items() if path.startswith("/v1/")
        for method in operations
    }  # fmt: skip
    served = {_route_shape(e.replace("/{prefix}", "")) for e in ENDPOINTS}
    refusing = {_route_shape(str(e).replace("/{prefix}", "")) for e in unserved()}
    assert routes == served | refusing | {"GET /v1/config"}
    assert not served & refusing


# ---------------------------------------------------------------- what clients send that we refuse


@dataclass(frozen=True)
class Refusal:
    name: str
    method: str
    path: str  # {ns} and {table} are filled in
    body: dict[str, Any] | None
    status: int
    error_type: str
    says: str  # in the message: what was refused
    reason: str  # why the catalog refuses it


_COMMIT = "/v1/namespaces/{ns}/tables/{table}"
REFUSALS = (
    Refusal("table encryption key", "POST", _COMMIT,
            {"updates": [{"action": "add-encryption-key",
                          "encryption-key": {"key-id": "k1", "encrypted-key-metadata": "AAAA"}}]},
            400, "BadRequestException", "add-encryption-key",
            reason="Iceberg 1.10's table encryption (encryption.kms-impl) sends it; pyiceberg's metadata, which "
                   "the catalog writes, has no encryption keys, so it cannot be stored"),
    Refusal("removing an encryption key", "POST", _COMMIT,
            {"updates": [{"action": "remove-encryption-key", "key-id": "k1"}]},
            400, "BadRequestException", "remove-encryption-key", reason="as add-encryption-key"),
    Refusal("a view update on a table", "POST", _COMMIT,
            {"updates": [{"action": "set-current-view-version", "view-version-id": -1}]},
            400, "BadRequestException", "set-current-view-version",
            reason="view updates belong to the view endpoints; a table's metadata has no view versions"),
    Refusal("a view requirement on a table", "POST", _COMMIT,
            {"requirements": [{"type": "assert-view-uuid", "uuid": str(uuid.uuid4())}], "updates": []},
            400, "BadRequestException", "assert-view-uuid",
            reason="a table commit cannot assert a view's uuid; checking nothing instead would be unsafe"),
    Refusal("a client-chosen FileIO class", "POST", "/v1/namespaces/{ns}/tables",
            {"name": "io_impl", "schema": {"type": "struct", "fields": []}, "properties": {"py-io-impl": "x.Y"}},
            400, "BadRequestException", "py-io-impl",
            reason="the server would import and run a class the client names"),
    Refusal("a client-chosen location provider", "POST", _COMMIT,
            {"updates": [{"action": "set-properties", "updates": {"write.py-location-provider.impl": "x.Y"}}]},
            400, "BadRequestException", "write.py-location-provider.impl",
            reason="the server would import and run a class the client names"),
    Refusal("data files outside the warehouse", "POST", _COMMIT,
            {"updates": [{"action": "set-properties", "updates": {"write.data.path": "file:///etc/iceberg"}}]},
            400, "BadRequestException", "file:///etc/iceberg",
            reason="every file the catalog hands out or purges stays under the warehouse or an allowed prefix"),
    Refusal("a table moved outside the warehouse", "POST", _COMMIT,
            {"updates": [{"action": "set-location", "location": "s3://someone-elses-bucket/t"}]},
            400, "BadRequestException", "s3://someone-elses-bucket/t", reason="as write.data.path"),
    Refusal("register with overwrite", "POST", "/v1/namespaces/{ns}/register",
            {"name": "{table}", "metadata-location": "{metadata}", "overwrite": True},
            406, "UnsupportedOperationException", "overwrite",
            reason="SqlCatalog cannot swap a registered table's pointer to a foreign metadata file atomically"),
    Refusal("a format-version downgrade", "POST", _COMMIT,
            {"updates": [{"action": "upgrade-format-version", "format-version": 1}]},
            400, "BadRequestException", "downgrade",
            reason="the spec forbids downgrading a table's format version"),
)  # fmt: skip


@pytest.mark.parametrize("refusal", REFUSALS, ids=lambda r: r.name)
def test_what_clients_send_that_we_refuse(clients: Clients, refusal: Refusal) -> None:
    ns = clients.namespace()
    table = clients.rest.create_table(f"{ns}.t", ROWS.schema)
    table.append(ROWS)
    before = clients.rest.load_table(f"{ns}.t").metadata_location
    filled = json.dumps(refusal.body).replace("{table}", "t").replace("{metadata}", before)
    response = requests.request(
        refusal.method, clients.url + refusal.path.format(ns=ns, table="t"), data=filled,
        headers={"Content-Type": "application/json"}, timeout=10,
    )  # fmt: skip
    assert response.status_code == refusal.status, (refusal.reason, response.text)
    error = ErrorResponse.model_validate_json(response.content).error
    assert (error.code, error.type) == (refusal.status, refusal.error_type)
    assert refusal.says in error.message, error.message
    # nothing changed: the table and its rows are as they were, and nothing else was created
    assert clients.rest.load_table(f"{ns}.t").metadata_location == before
    assert clients.rest.list_tables(ns) == [(ns, "t")]


def _concrete(path: str, ns: str) -> str:
    return (
        path.replace("/{prefix}", "").replace("{namespace}", ns).replace("{table}", "t")
        .replace("{view}", "v").replace("{plan-id}", "plan-1")
    )  # fmt: skip


@pytest.mark.parametrize("endpoint", [e for e in unserved() if e.path != "/v1/oauth/tokens"], ids=str)
def test_unserved_spec_endpoints_are_refused_with_the_reason(clients: Clients, endpoint: Any) -> None:
    ns = clients.namespace()
    clients.rest.create_table(f"{ns}.t", ROWS.schema)
    body: dict[str, Any] | None = None if endpoint.method in ("GET", "HEAD", "DELETE") else {}
    response = requests.request(endpoint.method, clients.url + _concrete(endpoint.path, ns), json=body, timeout=10)
    assert response.status_code == 406, response.text
    if endpoint.method == "HEAD":
        return  # no body in a HEAD answer
    error = ErrorResponse.model_validate_json(response.content).error
    assert (error.code, error.type) == (406, "UnsupportedOperationException")
    assert endpoint.operation in error.message
    assert endpoint.unserved in error.message


def test_oauth_tokens_are_refused_in_the_oauth_error_shape(clients: Clients) -> None:
    """A client configured with a credential asks the deprecated token endpoint first (pyiceberg, Java)."""
    mark = clients.recorder.mark()
    with pytest.raises(OAuthError, match="invalid_request: this catalog does not issue tokens"):
        RestCatalog("with-credential", uri=clients.url, credential="client-id:client-secret")
    (answer,) = answered(clients, mark, "POST /v1/oauth/tokens", "pyiceberg", OAuthErrorResponse, status=400)
    assert answer.error == "invalid_request"


# ---------------------------------------------------------------- the README table


def _readme_table() -> str:
    text = README.read_text()
    begin, end = TABLE_MARKERS
    assert begin in text, f"README.md lacks the marker {begin!r}"
    assert end in text, f"README.md lacks the marker {end!r}"
    return text.split(begin, 1)[1].split(end, 1)[0]


def test_readme_endpoint_table_is_generated_from_the_route_list() -> None:
    assert _readme_table() == endpoint_table(), "regenerate it: uv run python -m emulator.catalog.endpoints"


def test_readme_table_implemented_rows_are_the_advertised_endpoints(recorded: tuple[UvicornThread, Recorder]) -> None:
    """Read as a user reads it: the "yes" rows are what /v1/config advertises, the "no" rows the rest of
    the spec."""
    rows = [line.split("|")[1:-1] for line in _readme_table().splitlines()[2:]]
    implemented = {f"{m.strip()} {p.strip().strip('`')}": i.strip() for m, p, i, _ in rows}
    advertised = requests.get(f"{recorded[0].url}/v1/config", timeout=5).json()["endpoints"]
    assert sorted(e for e, i in implemented.items() if i == "yes") == sorted(advertised)
    assert sorted(e for e, i in implemented.items() if i == "no") == sorted(str(e) for e in unserved())
