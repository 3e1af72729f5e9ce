"""The catalog's guard rails through real HTTP: identifier rules, locations confined to the warehouse,
every error in the spec's ErrorModel, and what pyiceberg's RestCatalog makes of them."""

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
from pyiceberg.exceptions import BadRequestError, NoSuchNamespaceError, NoSuchTableError

from emulator.catalog.app import create_app
from emulator.catalog.backend import CatalogBackend
from tests.emulator.servers import UvicornThread

ROWS = pa.table({"id": pa.array([1, 2, 3], pa.int64())})
SCHEMA: dict[str, Any] = {
    "type": "struct",
    "schema-id": 0,
    "fields": [{"id": 1, "name": "id", "type": "long", "required": False}],
}


def _error(response: requests.Response) -> tuple[int, str, int]:
    assert response.headers["content-type"] == "application/json"
    error = response.json()["error"]
    assert set(error) == {"message", "type", "code"}
    assert error["message"]
    return response.status_code, error["type"], error["code"]


def _create(url: str, ns: str, **body: Any) -> requests.Response:
    return requests.post(f"{url}/v1/namespaces/{ns}/tables", json={"schema": SCHEMA, **body}, timeout=10)


# ---------------------------------------------------------------- identifiers


@pytest.mark.parametrize(
    ("levels", "reason"),
    [
        (["a/b"], "path separator"),
        (["..", "x"], "'..'"),
        (["a..b"], "'..'"),
        (["tab\there"], "control character"),
        (["nul\x00"], "control character"),
        ([""], "is empty"),
        (["a.b"], "contains '.'"),
        (["x" * 201], "longer than 200 bytes"),
        (["é" * 101], "longer than 200 bytes"),  # 202 bytes of UTF-8, 101 characters
        ([f"l{i}" for i in range(9)], "at most 8"),
        (["x" * 200, "y" * 200], "longer than 255 bytes"),
        ([], "malformed request"),
    ],
)
def test_invalid_namespaces_are_refused_at_creation(
    catalog_server: UvicornThread, levels: list[str], reason: str
) -> None:
    response = requests.post(f"{catalog_server.url}/v1/namespaces", json={"namespace": levels}, timeout=5)
    assert _error(response) == (400, "BadRequestException", 400)
    assert reason in response.json()["error"]["message"]
    listed = requests.get(f"{catalog_server.url}/v1/namespaces", timeout=5).json()["namespaces"]
    assert levels not in listed


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("../../../domain-project-local-raw/x", "path separator"),
        ("..", "'..'"),
        ("a\\b", "path separator"),
        ("line\nbreak", "control character"),
        ("t" * 201, "longer than 200 bytes"),
    ],
)
def test_invalid_table_names_are_refused_everywhere(
    catalog_server: UvicornThread, ns: str, name: str, reason: str
) -> None:
    base = f"{catalog_server.url}/v1/namespaces/{ns}"
    attempts = [
        _create(catalog_server.url, ns, name=name),
        requests.post(f"{base}/register", json={"name": name, "metadata-location": "file:///x.json"}, timeout=5),
        requests.post(
            f"{catalog_server.url}/v1/tables/rename",
            json={"source": {"namespace": [ns], "name": "t"}, "destination": {"namespace": [ns], "name": name}},
            timeout=5,
        ),
    ]
    for response in attempts:
        assert _error(response) == (400, "BadRequestException", 400)
        assert reason in response.json()["error"]["message"]
    assert requests.get(f"{base}/tables", timeout=5).json()["identifiers"] == []


def test_names_at_the_limits_work(rest: RestCatalog, ns: str) -> None:
    longest, unicode_name = "t" * 200, "tabelle_ä_東京"
    for name in (longest, unicode_name):
        rest.create_table((ns, name), ROWS.schema).append(ROWS)
    assert sorted(rest.load_table((ns, longest)).scan().to_arrow().column("id").to_pylist()) == [1, 2, 3]
    assert sorted(t[-1] for t in rest.list_tables(ns)) == sorted([longest, unicode_name])


def test_pyiceberg_raises_bad_request_and_not_found(rest: RestCatalog, ns: str) -> None:
    with pytest.raises(BadRequestError, match="path separator"):
        rest.create_namespace(("a/b",))
    with pytest.raises(BadRequestError, match="path separator"):
        rest.create_table((ns, "../escape"), ROWS.schema)
    with pytest.raises(BadRequestError, match="outside the warehouse"):
        rest.create_table((ns, "t"), ROWS.schema, location="file:///tmp/elsewhere")
    with pytest.raises(NoSuchTableError):
        rest.load_table((ns, "missing"))
    with pytest.raises(NoSuchNamespaceError):
        rest.load_namespace_properties(f"missing_{ns}")


# ---------------------------------------------------------------- locations


def test_table_locations_stay_under_the_warehouse(catalog_server: UvicornThread, catalog_dir: Path, ns: str) -> None:
    warehouse = (catalog_dir / "warehouse").as_uri()
    refused = {
        "file:///tmp/outside": "outside the warehouse",
        f"{warehouse}/../escaped": "'..' segment",
        f"{warehouse}/a/%2e%2e/%2E%2E/escaped": "'..' segment",
        f"{warehouse}2/sibling": "outside the warehouse",  # a prefix of the string, not of the path
        f"s3://domain-project-local-raw/{ns}": "outside the warehouse",
        f"http://127.0.0.1:1/{ns}": "outside the warehouse",
        "relative/path": "not an absolute URI",
        f"{warehouse}/q?x=1": "query or fragment",
    }
    for location, reason in refused.items():
        response = _create(catalog_server.url, ns, name="t", location=location)
        assert _error(response) == (400, "BadRequestException", 400), location
        message = response.json()["error"]["message"]
        assert reason in message, message
        assert location[:60] in message, message
        if reason == "outside the warehouse":
            assert warehouse in message  # names the warehouse it must be under
    accepted = _create(catalog_server.url, ns, name="t", location=f"{warehouse}//{ns}/./explicit/")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["metadata"]["location"] == f"{warehouse}/{ns}/explicit"
    hadoop_style = _create(catalog_server.url, ns, name="h", location=f"file:{catalog_dir}/warehouse/{ns}/hadoop")
    assert hadoop_style.status_code == 200, hadoop_style.text  # Hadoop writes file:/path
    assert hadoop_style.json()["metadata"]["location"] == f"{warehouse}/{ns}/hadoop"


def test_namespace_location_and_path_properties_are_confined(catalog_server: UvicornThread, ns: str) -> None:
    url = catalog_server.url
    child = requests.post(
        f"{url}/v1/namespaces", json={"namespace": [ns, "c"], "properties": {"location": "file:///tmp/x"}}, timeout=5
    )
    assert _error(child) == (400, "BadRequestException", 400)
    moved = requests.post(
        f"{url}/v1/namespaces/{ns}/properties", json={"updates": {"location": "s3://raw/x"}}, timeout=5
    )
    assert _error(moved) == (400, "BadRequestException", 400)
    for key, value in [("write.metadata.path", "file:///tmp/meta"), ("write.data.path", "s3://raw/data")]:
        response = _create(url, ns, name="t", properties={key: value})
        assert _error(response) == (400, "BadRequestException", 400)
        assert key in response.json()["error"]["message"]
    code = _create(url, ns, name="t", properties={"py-io-impl": "os.system"})
    assert _error(code) == (400, "BadRequestException", 400)
    assert "would load code" in code.json()["error"]["message"]
    assert requests.get(f"{url}/v1/namespaces/{ns}", timeout=5).json()["properties"] == {"exists": "true"}


_SNAPSHOT_ELSEWHERE = {
    "snapshot-id": 1,
    "timestamp-ms": 1,
    "manifest-list": "file:///tmp/elsewhere/snap-1.avro",
    "summary": {"operation": "append"},
    "schema-id": 0,
}


@pytest.mark.parametrize(
    ("update", "reason"),
    [
        ({"action": "set-location", "location": "file:///tmp/moved"}, "set-location of table"),
        ({"action": "set-properties", "updates": {"write.metadata.path": "file:///tmp/m"}}, "'write.metadata.path'"),
        ({"action": "set-properties", "updates": {"write.py-location-provider.impl": "os.Evil"}}, "would load code"),
        ({"action": "add-snapshot", "snapshot": _SNAPSHOT_ELSEWHERE}, "manifest list of a snapshot"),
    ],
)
def test_commits_cannot_move_a_table_out(
    catalog_server: UvicornThread, rest: RestCatalog, ns: str, update: dict[str, Any], reason: str
) -> None:
    table = rest.create_table((ns, "t"), ROWS.schema)
    before = rest.load_table((ns, "t")).metadata_location
    body: dict[str, Any] = {
        "requirements": [{"type": "assert-table-uuid", "uuid": str(table.metadata.table_uuid)}],
        "updates": [update],
    }
    response = requests.post(f"{catalog_server.url}/v1/namespaces/{ns}/tables/t", json=body, timeout=5)
    assert _error(response) == (400, "BadRequestException", 400)
    assert reason in response.json()["error"]["message"]
    assert rest.load_table((ns, "t")).metadata_location == before


def test_a_table_recreated_after_a_drop_without_purge_gets_a_fresh_location(rest: RestCatalog, ns: str) -> None:
    first = rest.create_table((ns, "t"), ROWS.schema)
    first.append(ROWS)
    rest.drop_table((ns, "t"))  # files are kept
    assert any(Path(first.location().removeprefix("file://")).rglob("*.parquet"))
    second = rest.create_table((ns, "t"), ROWS.schema)
    assert second.location() != first.location()
    assert second.scan().to_arrow().column("id").to_pylist() == []
    second.append(pa.table({"id": pa.array([7], pa.int64())}))
    assert rest.load_table((ns, "t")).scan().to_arrow().column("id").to_pylist() == [7]


def test_allowed_prefixes_extend_the_warehouse(tmp_path: Path) -> None:
    extra = (tmp_path / "shared-area").as_uri()
    backend = CatalogBackend(str(tmp_path / "c.db"), (tmp_path / "wh").as_uri(), allowed_locations=[extra])
    with UvicornThread(create_app(backend)) as server:
        requests.post(f"{server.url}/v1/namespaces", json={"namespace": ["ns"]}, timeout=5).raise_for_status()
        inside = _create(server.url, "ns", name="t", location=f"{extra}/t")
        assert inside.json()["metadata"]["location"] == f"{extra}/t"
        outside = _create(server.url, "ns", name="u", location=(tmp_path / "other").as_uri())
        assert _error(outside) == (400, "BadRequestException", 400)
        assert extra in outside.json()["error"]["message"]


def test_register_checks_the_metadata_location(
    catalog_server: UvicornThread, catalog_dir: Path, rest: RestCatalog, ns: str
) -> None:
    url = f"{catalog_server.url}/v1/namespaces/{ns}/register"
    warehouse = (catalog_dir / "warehouse").as_uri()
    cases = {
        "http://127.0.0.1:1/metadata.json": (400, "outside the warehouse"),
        f"{warehouse}/{ns}/missing.metadata.json": (400, "does not exist"),
        "": (400, "malformed request"),
    }
    (catalog_dir / "warehouse" / ns).mkdir(parents=True)
    (catalog_dir / "warehouse" / ns / "junk.metadata.json").write_text("{not metadata")
    cases[f"{warehouse}/{ns}/junk.metadata.json"] = (400, "is not Iceberg table metadata")
    for location, (status, reason) in cases.items():
        response = requests.post(url, json={"name": "r", "metadata-location": location}, timeout=5)
        assert _error(response)[0] == status, location
        assert reason in response.json()["error"]["message"], response.text
    missing = requests.post(url, json={"name": "r"}, timeout=5)
    assert _error(missing) == (400, "BadRequestException", 400)
    overwrite = requests.post(url, json={"name": "r", "metadata-location": "x", "overwrite": True}, timeout=5)
    assert _error(overwrite) == (406, "UnsupportedOperationException", 406)
    assert not rest.table_exists((ns, "r"))


# ---------------------------------------------------------------- error shapes


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"),
    [
        ("GET", "/v1/no/such/route", None, (404, "NoSuchRouteException", 404)),
        ("GET", "/", None, (404, "NoSuchRouteException", 404)),
        ("PUT", "/v1/namespaces", b"{}", (405, "MethodNotAllowedException", 405)),
        ("PATCH", "/v1/config", None, (405, "MethodNotAllowedException", 405)),
        ("POST", "/v1/namespaces", b"{not json", (400, "BadRequestException", 400)),
        ("POST", "/v1/namespaces", b"[1, 2]", (400, "BadRequestException", 400)),
        ("POST", "/v1/namespaces", b'{"namespace": "flat"}', (400, "BadRequestException", 400)),
        ("POST", "/v1/namespaces", b"\xff\xfe", (400, "BadRequestException", 400)),
        ("GET", "/v1/namespaces?pageSize=0", None, (400, "BadRequestException", 400)),
        ("POST", "/v1/tables/rename", b'{"source": {}}', (400, "BadRequestException", 400)),
    ],
)
def test_every_error_is_the_error_model_and_keeps_the_connection(
    catalog_server: UvicornThread, method: str, path: str, body: bytes | None, expected: tuple[int, str, int]
) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", catalog_server.port, timeout=10)
    headers = {"Content-Type": "application/json"} if body is not None else {}
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    payload = json.loads(response.read())
    assert (response.status, payload["error"]["type"], payload["error"]["code"]) == expected
    assert response.getheader("content-type") == "application/json"
    assert response.getheader("connection") != "close"
    connection.request("GET", "/v1/config")  # the same connection answers the next request
    follow_up = connection.getresponse()
    assert follow_up.status == 200
    assert "endpoints" in json.loads(follow_up.read())
    connection.close()


def test_wrong_method_names_the_allowed_ones(catalog_server: UvicornThread) -> None:
    response = requests.put(f"{catalog_server.url}/v1/config", timeout=5)
    assert _error(response) == (405, "MethodNotAllowedException", 405)
    assert response.headers["allow"] == "GET"


def test_pyiceberg_errors_are_bad_requests_not_500(catalog_server: UvicornThread, ns: str) -> None:
    unknown_source = {
        "spec-id": 0,
        "fields": [{"source-id": 99, "field-id": 1000, "name": "p", "transform": "identity"}],
    }
    cases: list[tuple[dict[str, Any], str]] = [
        ({"partition-spec": unknown_source}, "Could not find in old schema"),
        ({"properties": {"format-version": "9"}}, "Unknown format version: 9"),
        ({"schema": {"type": "struct", "fields": "none"}}, "malformed schema"),
    ]
    for extra, reason in cases:
        response = _create(catalog_server.url, ns, name=f"t_{uuid.uuid4().hex[:6]}", **extra)
        assert _error(response) == (400, "BadRequestException", 400), response.text
        assert reason in response.json()["error"]["message"]
    assert requests.get(f"{catalog_server.url}/v1/namespaces/{ns}/tables", timeout=5).json()["identifiers"] == []
