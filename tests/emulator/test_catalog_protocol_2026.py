"""The REST protocol at the 2026 bar: ETag / If-None-Match, Idempotency-Key, multi-table transactions,
/v1/config (warehouse, client defaults, idempotency-key-lifetime), paging, vended credentials, and Spark's
Java RESTCatalog (Iceberg 1.10) against all of it. Raw HTTP (requests) where the wire is the point,
pyiceberg where a client's behaviour is."""

from __future__ import annotations

import http.client
import json
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
import requests
from pyiceberg.catalog.rest import RestCatalog
from pyiceberg.table import CommitTableRequest, Table, TableIdentifier
from pyspark.sql import SparkSession
from sqlalchemy import event

from emulator.catalog.app import create_app
from emulator.catalog.backend import CatalogBackend
from emulator.catalog.protocol import DEFAULT_PAGE_SIZE, iso_duration
from tests.emulator.recording import Recorder
from tests.emulator.rest_clients import attach_spark_catalog
from tests.emulator.servers import UvicornThread

CLIENT_CONFIG = {"s3.endpoint": "http://127.0.0.1:9", "s3.region": "eu-west-1"}
VENDED = {**CLIENT_CONFIG, "s3.access-key-id": "AKIALOCALSTATIC", "s3.secret-access-key": "local-static-secret"}
ROWS = pa.table({"id": pa.array([1, 2], pa.int64())})
SPARK_CATALOG = "proto2026"


def uuid7() -> str:
    """A UUIDv7 (RFC 9562), as the spec asks clients to send: Python 3.11 has no uuid.uuid7."""
    millis = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (millis << 80) | (0x7 << 76) | ((rand >> 68) << 64) | (0b10 << 62) | (rand & ((1 << 62) - 1))
    key = uuid.UUID(int=value)
    assert key.version == 7
    return str(key)


@dataclass(frozen=True)
class Served:
    server: UvicornThread
    backend: CatalogBackend
    log: Recorder

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def warehouse(self) -> str:
        return self.backend.locations.warehouse


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("protocol-2026")
    backend = CatalogBackend(str(root / "catalog.db"), (root / "warehouse").as_uri())
    log = Recorder(create_app(backend, client_config=CLIENT_CONFIG, vended_credentials=VENDED))
    with UvicornThread(log) as server:  # type: ignore[arg-type]
        yield Served(server, backend, log)


@pytest.fixture
def rest(served: Served) -> RestCatalog:
    """pyiceberg on this module's catalog (conftest's ``ns`` then makes its namespaces here)."""
    return RestCatalog("protocol", uri=served.url)


def _table_url(base: str, ns: str, table: str) -> str:
    return f"{base}/v1/namespaces/{ns}/tables/{table}"


def _schema() -> dict[str, Any]:
    return {"type": "struct", "schema-id": 0, "fields": [{"id": 1, "name": "id", "type": "long", "required": False}]}


def _set_properties(**properties: str) -> dict[str, Any]:
    return {"requirements": [], "updates": [{"action": "set-properties", "updates": properties}]}


def _keyed(key: str) -> dict[str, str]:
    return {"Idempotency-Key": key}


def _append_change(table: Table, rows: pa.Table) -> dict[str, Any]:
    """What pyiceberg would send to commit an append (data files written, nothing committed yet)."""
    transaction = table.transaction()
    transaction.append(rows)
    identifier = table.name()
    request = CommitTableRequest(
        identifier=TableIdentifier(namespace=identifier[:-1], name=identifier[-1]),
        requirements=transaction._requirements,
        updates=transaction._updates,
    )
    return dict(json.loads(request.model_dump_json()))


def _ids(table: Table) -> list[int]:
    return sorted(table.scan().to_arrow().column("id").to_pylist())


@contextmanager
def _on_update_statement(backend: CatalogBackend, action: Callable[[int], None]) -> Iterator[None]:
    """Within the block, run ``action(n)`` before the n-th pointer swap (UPDATE iceberg_tables) of ``backend``."""
    calls = [0]

    def hook(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE ICEBERG_TABLES"):
            calls[0] += 1
            action(calls[0])

    event.listen(backend.catalog.engine, "before_cursor_execute", hook)
    try:
        yield
    finally:
        event.remove(backend.catalog.engine, "before_cursor_execute", hook)


# ---------------------------------------------------------------- /v1/config


def test_config_states_the_warehouse_client_defaults_and_the_key_lifetime(served: Served) -> None:
    body = requests.get(f"{served.url}/v1/config", timeout=5).json()
    assert body["defaults"] == {
        "rest-page-size": str(DEFAULT_PAGE_SIZE),
        **CLIENT_CONFIG,
        "warehouse": served.warehouse,
    }
    assert body["idempotency-key-lifetime"] == "PT30M"
    assert "POST /v1/{prefix}/transactions/commit" in body["endpoints"]
    # The warehouse query parameter is answered, also when it names the warehouse in another spelling.
    for asked in (served.warehouse, served.warehouse + "/", "s3://somewhere-else/warehouse"):
        assert requests.get(f"{served.url}/v1/config", params={"warehouse": asked}, timeout=5).json() == body


@pytest.mark.parametrize(
    ("duration", "iso"),
    [(timedelta(minutes=30), "PT30M"), (timedelta(seconds=1), "PT1S"), (timedelta(hours=1, minutes=30), "PT1H30M"),
     (timedelta(days=1), "P1D"), (timedelta(days=1, seconds=5), "P1DT5S")],
)  # fmt: skip
def test_lifetime_is_an_iso_8601_duration(duration: timedelta, iso: str) -> None:
    assert iso_duration(duration) == iso


def test_lifetime_must_be_whole_positive_seconds() -> None:
    with pytest.raises(ValueError, match="positive whole number of seconds"):
        iso_duration(timedelta(milliseconds=1500))
    with pytest.raises(ValueError, match="positive whole number of seconds"):
        iso_duration(timedelta(0))


# ---------------------------------------------------------------- ETag / If-None-Match


def test_etag_and_if_none_match_round_trip(served: Served, ns: str) -> None:
    created = requests.post(
        f"{served.url}/v1/namespaces/{ns}/tables", json={"name": "t", "schema": _schema()}, timeout=5
    )
    etag = created.headers["ETag"]
    url = _table_url(served.url, ns, "t")
    loaded = requests.get(url, timeout=5)
    assert (loaded.status_code, loaded.headers["ETag"]) == (200, etag)  # create and load name the same version
    assert loaded.json()["metadata-location"] == created.json()["metadata-location"]
    unquoted = etag.strip('"')  # Iceberg's Java reference adapter sends its tags unquoted
    for sent in (etag, f"W/{etag}", f'"stale", {etag}', "*", unquoted):
        not_modified = requests.get(url, headers={"If-None-Match": sent}, timeout=5)
        assert (not_modified.status_code, not_modified.content) == (304, b""), sent
        assert not_modified.headers["ETag"] == etag
    other = requests.get(url, headers={"If-None-Match": '"stale"'}, timeout=5)
    assert (other.status_code, other.json()) == (200, loaded.json())
    missing = requests.get(_table_url(served.url, ns, "missing"), headers={"If-None-Match": "*"}, timeout=5)
    assert (missing.status_code, missing.json()["error"]["type"]) == (404, "NoSuchTableException")


def test_etag_changes_with_every_commit(served: Served, rest: RestCatalog, ns: str) -> None:
    table = rest.create_table(f"{ns}.t", ROWS.schema)
    url = _table_url(served.url, ns, "t")
    first = requests.get(url, timeout=5).headers["ETag"]
    table.append(ROWS)
    after_append = requests.get(url, headers={"If-None-Match": first}, timeout=5)
    assert after_append.status_code == 200
    assert after_append.headers["ETag"] != first
    assert after_append.json()["metadata-location"] == rest.load_table(f"{ns}.t").metadata_location
    committed = requests.post(url, json=_set_properties(owner="sales"), timeout=5)
    assert committed.headers["ETag"] not in (first, after_append.headers["ETag"])
    # The commit's ETag is the one a load of the new version carries: a client may revalidate with it.
    assert requests.get(url, timeout=5).headers["ETag"] == committed.headers["ETag"]
    assert requests.get(url, headers={"If-None-Match": committed.headers["ETag"]}, timeout=5).status_code == 304


def test_snapshots_refs_is_a_representation_of_its_own(served: Served, rest: RestCatalog, ns: str) -> None:
    table = rest.create_table(f"{ns}.t", ROWS.schema)
    table.append(ROWS)
    table.append(ROWS)
    url = _table_url(served.url, ns, "t")
    everything = requests.get(url, timeout=5)
    referenced = requests.get(url, params={"snapshots": "refs"}, timeout=5)
    current = table.refresh().metadata.current_snapshot_id
    assert [s["snapshot-id"] for s in referenced.json()["metadata"]["snapshots"]] == [current]
    assert len(everything.json()["metadata"]["snapshots"]) == 2
    assert referenced.headers["ETag"] != everything.headers["ETag"]
    refs_etag = {"If-None-Match": referenced.headers["ETag"]}
    assert requests.get(url, params={"snapshots": "refs"}, headers=refs_etag, timeout=5).status_code == 304
    assert requests.get(url, headers=refs_etag, timeout=5).status_code == 200  # not the `all` representation
    bad = requests.get(url, params={"snapshots": "some"}, timeout=5)
    assert (bad.status_code, bad.json()["error"]["type"]) == (400, "BadRequestException")


def test_a_staged_table_has_no_etag(served: Served, ns: str) -> None:
    body = {"name": "staged", "schema": _schema(), "stage-create": True}
    staged = requests.post(f"{served.url}/v1/namespaces/{ns}/tables", json=body, timeout=5)
    assert staged.status_code == 200
    assert staged.json()["metadata-location"] is None
    assert "ETag" not in staged.headers


def test_a_v3_table_has_etags_and_vended_credentials_like_any_table(served: Served, ns: str) -> None:
    body = {"name": "t", "schema": _schema(), "properties": {"format-version": "3"}}
    created = requests.post(f"{served.url}/v1/namespaces/{ns}/tables", json=body, timeout=5)
    url = _table_url(served.url, ns, "t")
    vended = requests.get(url, headers={"X-Iceberg-Access-Delegation": "vended-credentials"}, timeout=5)
    assert (vended.json()["metadata"]["format-version"], vended.headers["ETag"]) == (3, created.headers["ETag"])
    assert vended.json()["config"] == VENDED
    assert vended.json()["storage-credentials"] == [{"prefix": served.warehouse, "config": VENDED}]
    assert requests.get(url, headers={"If-None-Match": created.headers["ETag"]}, timeout=5).status_code == 304
    committed = requests.post(url, json=_set_properties(owner="sales"), timeout=5)  # written by the v3 writer
    assert committed.json()["metadata"]["format-version"] == 3
    stale = requests.get(url, headers={"If-None-Match": created.headers["ETag"]}, timeout=5)
    assert (stale.status_code, stale.headers["ETag"]) == (200, committed.headers["ETag"])
    assert requests.get(url, headers={"If-None-Match": committed.headers["ETag"]}, timeout=5).status_code == 304


# ---------------------------------------------------------------- Idempotency-Key


def test_a_retried_commit_with_the_same_key_commits_once(served: Served, rest: RestCatalog, ns: str) -> None:
    table = rest.create_table(f"{ns}.t", ROWS.schema)
    before = table.metadata
    change = _append_change(table, ROWS)
    url, key = _table_url(served.url, ns, "t"), uuid7()
    first = requests.post(url, json=change, headers=_keyed(key), timeout=5)
    retried = requests.post(url, json=change, headers=_keyed(key), timeout=5)
    assert first.status_code == 200
    assert (retried.status_code, retried.content) == (200, first.content)  # the first answer, byte for byte
    assert retried.headers["ETag"] == first.headers["ETag"]
    assert retried.headers["Idempotency-Replayed"] == "true"
    assert "Idempotency-Replayed" not in first.headers
    after = rest.load_table(f"{ns}.t")
    assert len(after.metadata.snapshots) == len(before.snapshots) + 1
    assert len(after.metadata.metadata_log) == len(before.metadata_log) + 1
    assert after.metadata_location == first.json()["metadata-location"]
    assert _ids(after) == [1, 2]
    # Control: the same change run again (a new key) is not a no-op, so the replay above was not one either.
    again = requests.post(url, json=change, headers=_keyed(uuid7()), timeout=5)
    assert (again.status_code, again.json()["error"]["type"]) == (409, "CommitFailedException")


def test_the_same_key_with_another_body_answers_the_first_and_applies_nothing(served: Served, ns: str) -> None:
    requests.post(f"{served.url}/v1/namespaces/{ns}/tables", json={"name": "t", "schema": _schema()}, timeout=5)
    url, key = _table_url(served.url, ns, "t"), uuid7()
    first = requests.post(url, json=_set_properties(owner="sales"), headers=_keyed(key), timeout=5)
    location = requests.get(url, timeout=5).json()["metadata-location"]
    reused = requests.post(url, json=_set_properties(owner="finance", extra="x"), headers=_keyed(key), timeout=5)
    # The spec keys on the Idempotency-Key alone: no additional effect, the first (final) answer.
    assert (reused.status_code, reused.content) == (first.status_code, first.content)
    now = requests.get(url, timeout=5).json()
    assert now["metadata-location"] == location
    assert (now["metadata"]["properties"]["owner"], "extra" in now["metadata"]["properties"]) == ("sales", False)


def test_the_same_key_on_another_operation_is_refused(served: Served, ns: str) -> None:
    key = uuid7()
    child = {"namespace": [f"{ns}_child"]}
    assert requests.post(f"{served.url}/v1/namespaces", json=child, headers=_keyed(key), timeout=5).status_code == 200
    create = {"name": "t", "schema": _schema()}
    misused = requests.post(f"{served.url}/v1/namespaces/{ns}/tables", json=create, headers=_keyed(key), timeout=5)
    error = misused.json()["error"]
    assert (misused.status_code, error["type"], error["code"]) == (422, "IdempotencyKeyReusedException", 422)
    assert "POST /v1/namespaces" in error["message"]
    assert requests.head(_table_url(served.url, ns, "t"), timeout=5).status_code == 404  # nothing applied


def test_final_answers_below_500_are_replayed_without_running_again(served: Served, ns: str) -> None:
    tables, create = f"{served.url}/v1/namespaces/{ns}/tables", {"name": "t", "schema": _schema()}
    created_key, conflict_key = uuid7(), uuid7()
    created = requests.post(tables, json=create, headers=_keyed(created_key), timeout=5)
    conflict = requests.post(tables, json=create, headers=_keyed(conflict_key), timeout=5)
    assert (created.status_code, conflict.status_code) == (200, 409)
    assert conflict.json()["error"]["type"] == "AlreadyExistsException"
    assert requests.delete(_table_url(served.url, ns, "t"), timeout=5).status_code == 204
    # Run again, either request would now create the table: replayed, neither does.
    replayed_conflict = requests.post(tables, json=create, headers=_keyed(conflict_key), timeout=5)
    replayed_create = requests.post(tables, json=create, headers=_keyed(created_key), timeout=5)
    assert (replayed_conflict.status_code, replayed_conflict.content) == (409, conflict.content)
    assert (replayed_create.status_code, replayed_create.content) == (200, created.content)
    assert requests.head(_table_url(served.url, ns, "t"), timeout=5).status_code == 404
    # A 204 (drop) is final too.
    requests.post(tables, json=create, timeout=5)
    drop_key = uuid7()
    assert requests.delete(_table_url(served.url, ns, "t"), headers=_keyed(drop_key), timeout=5).status_code == 204
    requests.post(tables, json=create, timeout=5)
    replayed_drop = requests.delete(_table_url(served.url, ns, "t"), headers=_keyed(drop_key), timeout=5)
    assert (replayed_drop.status_code, replayed_drop.headers["Idempotency-Replayed"]) == (204, "true")
    assert requests.head(_table_url(served.url, ns, "t"), timeout=5).status_code == 204  # still there


@pytest.mark.parametrize("key", ["not-a-uuid", uuid.uuid4().hex, "", f"{uuid.uuid4()}-x"])
def test_a_key_that_is_not_a_uuid_is_refused(served: Served, ns: str, key: str) -> None:
    child = {"namespace": [f"{ns}_bad"]}
    refused = requests.post(f"{served.url}/v1/namespaces", json=child, headers=_keyed(key), timeout=5)
    error = refused.json()["error"]
    assert (refused.status_code, error["type"]) == (400, "BadRequestException")
    assert "Idempotency-Key" in error["message"]
    assert requests.head(f"{served.url}/v1/namespaces/{ns}_bad", timeout=5).status_code == 404


def test_any_uuid_version_is_accepted_as_a_key(served: Served, ns: str) -> None:
    key, child = str(uuid.uuid4()), {"namespace": [f"{ns}_v4"]}
    first = requests.post(f"{served.url}/v1/namespaces", json=child, headers=_keyed(key), timeout=5)
    again = requests.post(f"{served.url}/v1/namespaces", json=child, headers=_keyed(key.upper()), timeout=5)
    assert (first.status_code, again.status_code, again.content) == (200, 200, first.content)  # not a 409


@contextmanager
def _serving_a_table(root: Path, **options: Any) -> Iterator[UvicornThread]:
    """A catalog of its own on ``root`` with the table ``ns.t`` (a restart on the same root finds it)."""
    backend = CatalogBackend(str(root / "c.db"), (root / "wh").as_uri())
    with UvicornThread(create_app(backend, **options)) as server:
        if not backend.table_exists(("ns", "t")):
            requests.post(f"{server.url}/v1/namespaces", json={"namespace": ["ns"]}, timeout=5).raise_for_status()
            create = {"name": "t", "schema": _schema()}
            requests.post(f"{server.url}/v1/namespaces/ns/tables", json=create, timeout=5).raise_for_status()
        yield server


def test_server_errors_are_not_final_a_retry_runs_again(served: Served, ns: str) -> None:
    requests.post(f"{served.url}/v1/namespaces/{ns}/tables", json={"name": "t", "schema": _schema()}, timeout=5)

    def fail(_: int) -> None:
        raise OSError("disk I/O error while swapping the metadata pointer")

    url, key = _table_url(served.url, ns, "t"), uuid7()
    with _on_update_statement(served.backend, fail):
        failed = requests.post(url, json=_set_properties(owner="sales"), headers=_keyed(key), timeout=5)
    assert (failed.status_code, failed.json()["error"]["type"]) == (500, "CommitStateUnknownException")
    retried = requests.post(url, json=_set_properties(owner="sales"), headers=_keyed(key), timeout=5)
    assert retried.status_code == 200
    assert "Idempotency-Replayed" not in retried.headers
    assert requests.get(url, timeout=5).json()["metadata"]["properties"]["owner"] == "sales"


def test_a_duplicate_in_flight_waits_for_the_first_answer(served: Served, ns: str) -> None:
    requests.post(f"{served.url}/v1/namespaces/{ns}/tables", json={"name": "t", "schema": _schema()}, timeout=5)
    url, key = _table_url(served.url, ns, "t"), uuid7()
    log_before = len(requests.get(url, timeout=5).json()["metadata"]["metadata-log"])
    first_is_swapping = threading.Event()

    def slow_first_swap(n: int) -> None:
        if n == 1:
            first_is_swapping.set()
            time.sleep(0.6)  # the duplicate arrives while the first request is mid-commit

    answers: list[requests.Response] = []

    def send() -> None:
        answers.append(requests.post(url, json=_set_properties(owner="sales"), headers=_keyed(key), timeout=30))

    with _on_update_statement(served.backend, slow_first_swap):
        first = threading.Thread(target=send)
        first.start()
        assert first_is_swapping.wait(10)
        send()  # the duplicate, while the first is in flight
        first.join(30)
    assert [a.status_code for a in answers] == [200, 200]
    assert answers[0].content == answers[1].content
    assert sorted(a.headers.get("Idempotency-Replayed", "") for a in answers) == ["", "true"]
    metadata = requests.get(url, timeout=5).json()["metadata"]
    assert len(metadata["metadata-log"]) == log_before + 1  # one commit


def test_keys_survive_a_catalog_restart(tmp_path: Path) -> None:
    key = uuid7()
    with _serving_a_table(tmp_path) as first:
        answered = requests.post(
            _table_url(first.url, "ns", "t"), json=_set_properties(round="1"), headers=_keyed(key), timeout=5
        )
        location = answered.json()["metadata-location"]
    with _serving_a_table(tmp_path) as second:
        url = _table_url(second.url, "ns", "t")
        replayed = requests.post(url, json=_set_properties(round="1"), headers=_keyed(key), timeout=5)
        assert (replayed.status_code, replayed.content) == (200, answered.content)
        assert requests.get(url, timeout=5).json()["metadata-location"] == location


def test_a_key_is_forgotten_after_the_advertised_lifetime(tmp_path: Path) -> None:
    with _serving_a_table(tmp_path, idempotency_lifetime=timedelta(seconds=1)) as server:
        assert requests.get(f"{server.url}/v1/config", timeout=5).json()["idempotency-key-lifetime"] == "PT1S"
        url, key = _table_url(server.url, "ns", "t"), uuid7()

        def owner() -> str:
            return str(requests.get(url, timeout=5).json()["metadata"]["properties"]["owner"])

        requests.post(url, json=_set_properties(owner="first"), headers=_keyed(key), timeout=5)
        requests.post(url, json=_set_properties(owner="second"), timeout=5)
        requests.post(url, json=_set_properties(owner="first"), headers=_keyed(key), timeout=5)
        assert owner() == "second"  # within the lifetime: replayed, not applied
        time.sleep(1.2)
        late = requests.post(url, json=_set_properties(owner="first"), headers=_keyed(key), timeout=5)
        assert (late.status_code, "Idempotency-Replayed" in late.headers) == (200, False)
        assert owner() == "first"  # after it: a new request


def _view_body(name: str, ns: str, sql: str) -> dict[str, Any]:
    version = {
        "version-id": 1,
        "schema-id": 0,
        "timestamp-ms": 1_700_000_000_000,
        "summary": {},
        "representations": [{"type": "sql", "sql": sql, "dialect": "spark"}],
        "default-namespace": [ns],
    }
    return {"name": name, "schema": _schema(), "view-version": version}  # fmt: skip


def test_view_writes_with_a_key_are_applied_once(served: Served, rest: RestCatalog, ns: str) -> None:
    """The middleware keys every mutating route: the view routes replay like the table routes."""
    views = f"{served.url}/v1/namespaces/{ns}/views"

    def twice(method: str, url: str, body: dict[str, Any] | None = None) -> requests.Response:
        key = uuid7()
        first = requests.request(method, url, json=body, headers=_keyed(key), timeout=5)
        again = requests.request(method, url, json=body, headers=_keyed(key), timeout=5)
        assert (again.status_code, again.content) == (first.status_code, first.content), url
        assert (first.status_code < 300, again.headers["Idempotency-Replayed"]) == (True, "true")
        return first

    created = twice("POST", views, _view_body("v", ns, "SELECT 1 id"))  # run again: 409 AlreadyExists
    assert requests.get(f"{views}/v", timeout=5).json()["metadata-location"] == created.json()["metadata-location"]
    replace = {
        "requirements": [{"type": "assert-view-uuid", "uuid": created.json()["metadata"]["view-uuid"]}],
        "updates": [{"action": "add-view-version", "view-version": _view_body("v", ns, "SELECT 2 id")["view-version"]},
                    {"action": "set-current-view-version", "view-version-id": -1}],
    }  # fmt: skip
    twice("POST", f"{views}/v", replace)  # run again: a third version
    assert [v.version_id for v in rest.load_view(f"{ns}.v").versions] == [1, 2]
    rename = {"source": {"namespace": [ns], "name": "v"}, "destination": {"namespace": [ns], "name": "w"}}
    twice("POST", f"{served.url}/v1/views/rename", rename)  # run again: 404, v is gone
    assert rest.list_views(ns) == [(ns, "w")]
    twice("DELETE", f"{views}/w")  # run again: 404
    assert rest.list_views(ns) == []


def test_a_failing_idempotency_store_is_a_json_500_that_keeps_the_connection(served: Served, ns: str) -> None:
    """The store sits inside the error boundary: its failure is the spec's ErrorModel, nothing is applied,
    and the connection serves the next request."""

    def broken_store(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "idempotency_keys" in statement:
            raise OSError("disk I/O error in the idempotency store")

    connection = http.client.HTTPConnection("127.0.0.1", served.server.port, timeout=10)
    create = json.dumps({"namespace": [f"{ns}_keyed"]})
    event.listen(served.backend.catalog.engine, "before_cursor_execute", broken_store)
    try:
        connection.request("POST", "/v1/namespaces", create, {"Content-Type": "application/json", **_keyed(uuid7())})
        failed = connection.getresponse()
        error = json.loads(failed.read())["error"]
    finally:
        event.remove(served.backend.catalog.engine, "before_cursor_execute", broken_store)
    assert (failed.status, error["type"], error["code"]) == (500, "InternalServerError", 500)
    assert error["message"] == "unexpected OSError in the catalog: disk I/O error in the idempotency store"
    assert failed.getheader("connection") != "close"
    connection.request("HEAD", f"/v1/namespaces/{ns}_keyed")  # the same connection; the namespace was not made
    missing = connection.getresponse()
    missing.read()
    assert missing.status == 404
    connection.close()


# ---------------------------------------------------------------- POST /v1/transactions/commit


def _load(served: Served, ns: str, table: str) -> Any:
    return requests.get(_table_url(served.url, ns, table), timeout=5).json()


def _transaction(served: Served, changes: list[dict[str, Any]], **headers: str) -> requests.Response:
    return requests.post(
        f"{served.url}/v1/transactions/commit", json={"table-changes": changes}, headers=headers, timeout=10
    )


def test_a_transaction_commits_every_table(served: Served, rest: RestCatalog, ns: str) -> None:
    orders, lines = rest.create_table(f"{ns}.orders", ROWS.schema), rest.create_table(f"{ns}.lines", ROWS.schema)
    before = {name: _load(served, ns, name)["metadata-location"] for name in ("orders", "lines")}
    changes = [_append_change(orders, ROWS), _append_change(lines, pa.table({"id": pa.array([7], pa.int64())}))]
    answered = _transaction(served, changes)
    assert (answered.status_code, answered.content) == (204, b"")
    assert (_ids(rest.load_table(f"{ns}.orders")), _ids(rest.load_table(f"{ns}.lines"))) == ([1, 2], [7])
    for name in ("orders", "lines"):
        assert _load(served, ns, name)["metadata-location"] != before[name]


def test_a_failing_requirement_in_the_second_table_changes_neither(served: Served, rest: RestCatalog, ns: str) -> None:
    orders, lines = rest.create_table(f"{ns}.orders", ROWS.schema), rest.create_table(f"{ns}.lines", ROWS.schema)
    changes = [_append_change(orders, ROWS), _append_change(lines, ROWS)]
    lines.append(ROWS)  # another writer: the second change's assert-ref-snapshot-id is now stale
    before = {name: _load(served, ns, name) for name in ("orders", "lines")}
    refused = _transaction(served, changes)
    assert (refused.status_code, refused.json()["error"]["type"]) == (409, "CommitFailedException")
    assert "lines" in refused.json()["error"]["message"]
    assert {name: _load(served, ns, name) for name in ("orders", "lines")} == before  # full metadata, both tables


def test_a_failure_while_swapping_rolls_back_every_table(served: Served, rest: RestCatalog, ns: str) -> None:
    orders, lines = rest.create_table(f"{ns}.orders", ROWS.schema), rest.create_table(f"{ns}.lines", ROWS.schema)
    changes = [_append_change(orders, ROWS), _append_change(lines, ROWS)]
    before = {name: _load(served, ns, name) for name in ("orders", "lines")}

    def fail_second_swap(n: int) -> None:
        if n == 2:  # the first table's pointer has already been updated in the same database transaction
            raise OSError("disk I/O error")

    with _on_update_statement(served.backend, fail_second_swap):
        failed = _transaction(served, changes)
    assert (failed.status_code, failed.json()["error"]["type"]) == (503, "ServiceUnavailableException")
    assert "nothing was committed" in failed.json()["error"]["message"]
    assert {name: _load(served, ns, name) for name in ("orders", "lines")} == before
    assert _transaction(served, changes).status_code == 204  # the same transaction, now that the disk works
    assert (_ids(rest.load_table(f"{ns}.orders")), _ids(rest.load_table(f"{ns}.lines"))) == ([1, 2], [1, 2])


def test_a_transaction_with_a_key_is_applied_once(served: Served, rest: RestCatalog, ns: str) -> None:
    orders, lines = rest.create_table(f"{ns}.orders", ROWS.schema), rest.create_table(f"{ns}.lines", ROWS.schema)
    changes, key = [_append_change(orders, ROWS), _append_change(lines, ROWS)], uuid7()
    assert _transaction(served, changes, **_keyed(key)).status_code == 204
    retried = _transaction(served, changes, **_keyed(key))
    assert (retried.status_code, retried.headers["Idempotency-Replayed"]) == (204, "true")
    for name in ("orders", "lines"):
        assert len(rest.load_table(f"{ns}.{name}").metadata.snapshots) == 1
    assert _transaction(served, changes).status_code == 409  # unkeyed, the same change is stale: it would not apply


def _identifier(ns: str, name: str) -> dict[str, Any]:
    return {"namespace": [ns], "name": name}


@pytest.mark.parametrize(
    ("second", "status", "error_type", "says"),
    [
        ({"identifier": {"namespace": ["{ns}"], "name": "missing"}, **_set_properties(a="b")}, 404,
         "NoSuchTableException", "missing"),
        ({"identifier": {"namespace": ["{ns}"], "name": "orders"}, **_set_properties(a="b")}, 400,
         "BadRequestException", "more than once"),
        ({"identifier": {"namespace": ["{ns}"], "name": "lines"}, "requirements": [],
          "updates": [{"action": "teleport"}]}, 400, "BadRequestException", "teleport"),
        ({"requirements": [], "updates": []}, 400, "BadRequestException", "identifier"),
    ],
)  # fmt: skip
def test_refused_transactions_change_nothing(
    served: Served, rest: RestCatalog, ns: str, second: dict[str, Any], status: int, error_type: str, says: str
) -> None:
    rest.create_table(f"{ns}.orders", ROWS.schema)
    rest.create_table(f"{ns}.lines", ROWS.schema)
    before = {name: _load(served, ns, name) for name in ("orders", "lines")}
    second = json.loads(json.dumps(second).replace("{ns}", ns))
    refused = _transaction(served, [{"identifier": _identifier(ns, "orders"), **_set_properties(x="y")}, second])
    error = refused.json()["error"]
    assert (refused.status_code, error["type"]) == (status, error_type)
    assert says in error["message"]
    assert {name: _load(served, ns, name) for name in ("orders", "lines")} == before


def test_a_transaction_may_create_a_table(served: Served, ns: str) -> None:
    created_elsewhere = requests.post(
        f"{served.url}/v1/namespaces/{ns}/tables", json={"name": "new", "schema": _schema(), "stage-create": True},
        timeout=5,
    ).json()["metadata"]  # fmt: skip
    updates = [
        {"action": "assign-uuid", "uuid": created_elsewhere["table-uuid"]},
        {"action": "upgrade-format-version", "format-version": created_elsewhere["format-version"]},
        {"action": "add-schema", "schema": created_elsewhere["schemas"][0]},
        {"action": "set-current-schema", "schema-id": -1},
        {"action": "add-spec", "spec": created_elsewhere["partition-specs"][0]},
        {"action": "set-default-spec", "spec-id": -1},
        {"action": "add-sort-order", "sort-order": created_elsewhere["sort-orders"][0]},
        {"action": "set-default-sort-order", "sort-order-id": -1},
        {"action": "set-location", "location": created_elsewhere["location"]},
    ]
    change = {"identifier": _identifier(ns, "new"), "requirements": [{"type": "assert-create"}], "updates": updates}
    assert _transaction(served, [change]).status_code == 204
    assert _load(served, ns, "new")["metadata"]["table-uuid"] == created_elsewhere["table-uuid"]
    again = _transaction(served, [change])
    assert (again.status_code, again.json()["error"]["type"]) == (409, "CommitFailedException")


def test_a_transaction_upgrades_one_table_to_v3_and_appends_to_another(
    served: Served, rest: RestCatalog, ns: str
) -> None:
    orders, lines = rest.create_table(f"{ns}.orders", ROWS.schema), rest.create_table(f"{ns}.lines", ROWS.schema)
    upgrade = {
        "identifier": _identifier(ns, "orders"),
        "requirements": [{"type": "assert-table-uuid", "uuid": str(orders.metadata.table_uuid)}],
        "updates": [{"action": "upgrade-format-version", "format-version": 3}],
    }
    append = _append_change(lines, ROWS)
    lines.append(ROWS)  # another writer first: the append's requirement is stale, so neither table changes
    before = {name: _load(served, ns, name) for name in ("orders", "lines")}
    refused = _transaction(served, [upgrade, append])
    assert (refused.status_code, refused.json()["error"]["type"]) == (409, "CommitFailedException")
    assert {name: _load(served, ns, name) for name in ("orders", "lines")} == before
    assert _transaction(served, [upgrade, _append_change(lines.refresh(), ROWS)]).status_code == 204
    upgraded = _load(served, ns, "orders")["metadata"]
    assert (upgraded["format-version"], upgraded["next-row-id"]) == (3, 0)
    assert rest.load_table(f"{ns}.orders").metadata.format_version == 3
    assert _ids(rest.load_table(f"{ns}.lines")) == [1, 1, 2, 2]


# ---------------------------------------------------------------- paging


@pytest.fixture(scope="module")
def parent(served: Served) -> tuple[str, list[str]]:
    """A namespace with more children than a default page holds (made once: paging only reads them)."""
    name, children = f"paged_{uuid.uuid4().hex[:8]}", [f"c{i:03d}" for i in range(DEFAULT_PAGE_SIZE + 3)]
    served.backend.catalog.create_namespace(name)
    for child in children:
        served.backend.catalog.create_namespace((name, child))
    return name, children


def test_every_list_endpoint_pages(served: Served, parent: tuple[str, list[str]], ns: str) -> None:
    paged, children = parent
    for name in ("a", "b", "c"):
        requests.post(f"{served.url}/v1/namespaces/{ns}/tables", json={"name": name, "schema": _schema()}, timeout=5)
    # An empty pageToken (the spec's "I can page") without a pageSize: pages of the server's default size.
    first = requests.get(f"{served.url}/v1/namespaces", params={"parent": paged, "pageToken": ""}, timeout=5).json()
    assert len(first["namespaces"]) == DEFAULT_PAGE_SIZE
    rest = requests.get(
        f"{served.url}/v1/namespaces", params={"parent": paged, "pageToken": first["next-page-token"]}, timeout=5
    ).json()
    assert [n[-1] for n in first["namespaces"] + rest["namespaces"]] == children
    assert rest["next-page-token"] is None
    # No pageToken, no pageSize: everything at once.
    whole = requests.get(f"{served.url}/v1/namespaces", params={"parent": paged}, timeout=5).json()
    assert ([n[-1] for n in whole["namespaces"]], whole["next-page-token"]) == (children, None)
    tables, names, token = f"{served.url}/v1/namespaces/{ns}/tables", [], ""
    pages = 0
    while token is not None:
        page = requests.get(tables, params={"pageToken": token, "pageSize": 2}, timeout=5).json()
        names += [i["name"] for i in page["identifiers"]]
        token, pages = page["next-page-token"], pages + 1
    assert (names, pages) == (["a", "b", "c"], 2)


def test_pyiceberg_pages_with_the_advertised_page_size(
    served: Served, rest: RestCatalog, parent: tuple[str, list[str]]
) -> None:
    paged, children = parent
    start = served.log.mark()
    assert [n[-1] for n in rest.list_namespaces(paged)] == children
    listed = served.log.calls(start, "GET /v1/{prefix}/namespaces", "pyiceberg")
    assert len(listed) == 2  # two pages, asked for with the page size /v1/config recommended
    assert all(f"pageSize={DEFAULT_PAGE_SIZE}" in s.query for s in listed)


# ---------------------------------------------------------------- access delegation


def test_vended_credentials_only_when_asked(served: Served, rest: RestCatalog, ns: str) -> None:
    rest.create_table(f"{ns}.t", ROWS.schema)
    url = _table_url(served.url, ns, "t")
    plain = requests.get(url, timeout=5).json()
    assert plain["config"] == CLIENT_CONFIG  # what every client gets
    assert "storage-credentials" not in plain
    for header in ("vended-credentials", "remote-signing, vended-credentials"):
        vended = requests.get(url, headers={"X-Iceberg-Access-Delegation": header}, timeout=5).json()
        assert vended["config"] == VENDED
        assert vended["storage-credentials"] == [{"prefix": served.warehouse, "config": VENDED}]
        assert vended["metadata-location"].startswith(vended["storage-credentials"][0]["prefix"])
    signing_only = requests.get(url, headers={"X-Iceberg-Access-Delegation": "remote-signing"}, timeout=5).json()
    assert (signing_only["config"], "storage-credentials" in signing_only) == (CLIENT_CONFIG, False)


def test_pyiceberg_asks_for_and_uses_vended_credentials(served: Served, rest: RestCatalog, ns: str) -> None:
    start = served.log.mark()
    table = rest.create_table(f"{ns}.t", ROWS.schema)
    loaded = rest.load_table(f"{ns}.t")
    asked = served.log.calls(start, "GET /v1/{prefix}/namespaces/{namespace}/tables/{table}", "pyiceberg")
    assert asked[0].headers["x-iceberg-access-delegation"] == "vended-credentials"
    for key, value in VENDED.items():
        assert (table.io.properties[key], loaded.io.properties[key]) == (value, value)


# ---------------------------------------------------------------- Spark's Java RESTCatalog (Iceberg 1.10)


@pytest.fixture(scope="module")
def spark_catalog(spark: SparkSession, served: Served) -> str:
    return attach_spark_catalog(spark, SPARK_CATALOG, served.url)


def test_spark_rest_catalog_works_against_the_2026_protocol(
    spark: SparkSession, spark_catalog: str, served: Served, rest: RestCatalog, ns: str
) -> None:
    start = served.log.mark()
    t = f"{spark_catalog}.{ns}.orders"
    spark.sql(f"CREATE TABLE {t} (id BIGINT, status STRING) USING iceberg")
    spark.sql(f"INSERT INTO {t} VALUES (1, 'new'), (2, 'paid')")
    # A multi-table transaction's result is what Spark reads next.
    orders = rest.load_table(f"{ns}.orders")
    lines = rest.create_table(f"{ns}.lines", ROWS.schema)
    more = pa.table({"id": pa.array([3], pa.int64()), "status": pa.array(["new"], pa.string())})
    assert _transaction(served, [_append_change(orders, more), _append_change(lines, ROWS)]).status_code == 204
    assert sorted(tuple(r) for r in spark.table(t).collect()) == [(1, "new"), (2, "paid"), (3, "new")]
    assert sorted(r["id"] for r in spark.table(f"{spark_catalog}.{ns}.lines").collect()) == [1, 2]
    java = [e for e in served.log.since(start) if e.client == "java"]
    assert any(s.method == "POST" for s in java)  # Spark committed through this catalog
    # Iceberg 1.10's client sends no Idempotency-Key (1.11 does, when /v1/config advertises a lifetime) and no
    # If-None-Match (1.11's table cache does): both are optional, so it works unchanged.
    assert [s for s in java if "idempotency-key" in s.headers or "if-none-match" in s.headers] == []
