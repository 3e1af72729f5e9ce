"""Hostile input and broken storage against a real catalog server: path escapes through names and
locations write nothing outside the warehouse, huge and malformed bodies are refused in the spec's
ErrorModel, unexpected failures are a JSON 500, and the server keeps answering on the same connection."""

from __future__ import annotations

import http.client
import json
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import requests
from pyiceberg.catalog.rest import RestCatalog
from pyiceberg.exceptions import BadRequestError, ServerError

from emulator.catalog.app import create_app
from emulator.catalog.backend import CatalogBackend
from emulator.catalog.file_io import s3_properties
from emulator.clients import aws_client
from tests.emulator.servers import AwsThread, UvicornThread

pytestmark = pytest.mark.faults

SCHEMA: dict[str, Any] = {
    "type": "struct",
    "schema-id": 0,
    "fields": [{"id": 1, "name": "id", "type": "long", "required": False}],
}
ROWS = pa.table({"id": pa.array([1, 2, 3], pa.int64())})
RAW = "domain-project-local-raw"


class Lakehouse:
    """A catalog whose warehouse sits beside another 'bucket' on disk, as the stack's buckets sit side by side."""

    def __init__(self, root: Path, **app_options: Any) -> None:
        self.root = root
        self.buckets = root / "buckets"
        self.warehouse = self.buckets / "domain-project-local-curated" / "warehouse"
        self.raw = self.buckets / RAW
        self.raw.mkdir(parents=True)
        (self.raw / "orders.csv").write_text("id\n1\n")
        backend = CatalogBackend(str(root / "catalog.db"), self.warehouse.as_uri())
        self.server = UvicornThread(create_app(backend, **app_options))

    @property
    def url(self) -> str:
        return self.server.url

    def files(self) -> dict[str, bytes]:
        """Every file under the root except the catalog's own database."""
        return {
            str(p.relative_to(self.root)): p.read_bytes()
            for p in sorted(self.root.rglob("*"))
            if p.is_file() and not p.name.startswith("catalog.db")
        }


@pytest.fixture
def lakehouse(tmp_path: Path) -> Iterator[Lakehouse]:
    house = Lakehouse(tmp_path)
    with house.server:
        requests.post(f"{house.url}/v1/namespaces", json={"namespace": ["esc"]}, timeout=5).raise_for_status()
        yield house


def _error(response: requests.Response) -> tuple[int, str, int]:
    error = response.json()["error"]
    return response.status_code, error["type"], error["code"]


def _still_answers(url: str) -> None:
    assert requests.get(f"{url}/v1/namespaces", timeout=5).json()["namespaces"] == [["esc"]]


def _table_metadata_outside(house: Lakehouse) -> str:
    """A valid metadata file written outside the warehouse (made by a second catalog), to try to register."""
    other = CatalogBackend(str(house.root / "other.db"), house.raw.as_uri())
    other.catalog.create_namespace("x")
    location = str(other.catalog.create_table("x.t", pa.schema([("id", pa.int64())])).metadata_location)
    other.catalog.engine.dispose()
    (house.root / "other.db").unlink()
    return location


def _hostile_requests(house: Lakehouse) -> list[tuple[str, str, dict[str, Any]]]:
    warehouse, raw = house.warehouse.as_uri(), house.raw.as_uri()
    create = "/v1/namespaces/esc/tables"
    return [
        ("POST", create, {"name": f"../../../{RAW}/x", "schema": SCHEMA}),
        ("POST", create, {"name": "..", "schema": SCHEMA}),
        ("POST", create, {"name": "t", "schema": SCHEMA, "location": f"{raw}/t"}),
        ("POST", create, {"name": "t", "schema": SCHEMA, "location": f"{warehouse}/../../{RAW}/t"}),
        ("POST", create, {"name": "t", "schema": SCHEMA, "location": f"{warehouse}/%2e%2e/%2e%2e/{RAW}/t"}),
        ("POST", create, {"name": "t", "schema": SCHEMA, "location": f"{warehouse}-evil/t"}),
        (
            "POST",
            create,
            {"name": "t", "schema": SCHEMA, "location": f"file://{house.root}/../outside-{house.root.name}"},
        ),
        ("POST", create, {"name": "t", "schema": SCHEMA, "properties": {"write.metadata.path": f"{raw}/meta"}}),
        ("POST", create, {"name": "t", "schema": SCHEMA, "stage-create": True, "location": f"{raw}/staged"}),
        ("POST", "/v1/namespaces", {"namespace": [f"../../{RAW}"]}),
        ("POST", "/v1/namespaces", {"namespace": ["n"], "properties": {"location": f"{raw}/ns"}}),
        ("POST", "/v1/namespaces/esc/properties", {"updates": {"location": f"{warehouse}/../../{RAW}"}}),
        ("POST", "/v1/namespaces/esc/register", {"name": "r", "metadata-location": _table_metadata_outside(house)}),
        ("POST", "/v1/namespaces/esc/register", {"name": "r", "metadata-location": f"{warehouse}/../../{RAW}/m.json"}),
    ]


def test_path_escapes_write_nothing_outside_the_warehouse(lakehouse: Lakehouse) -> None:
    hostile = _hostile_requests(lakehouse)  # writes its one metadata file outside first, on purpose
    before = lakehouse.files()
    for method, path, body in hostile:
        response = requests.request(method, lakehouse.url + path, json=body, timeout=10)
        assert _error(response) == (400, "BadRequestException", 400), (path, body, response.text)
    assert lakehouse.files() == before  # nothing written or changed anywhere: not outside, not inside
    assert not (lakehouse.root.parent / f"outside-{lakehouse.root.name}").exists()
    listed = requests.get(f"{lakehouse.url}/v1/namespaces/esc/tables", timeout=5).json()["identifiers"]
    assert listed == []
    assert requests.get(f"{lakehouse.url}/v1/namespaces/esc", timeout=5).json()["properties"] == {"exists": "true"}
    _still_answers(lakehouse.url)


def test_a_commit_cannot_redirect_a_table_outside(lakehouse: Lakehouse) -> None:
    client = RestCatalog("faults", uri=lakehouse.url)
    table = client.create_table("esc.t", ROWS.schema)
    table.append(ROWS)
    before = lakehouse.files()
    for update in [
        {"action": "set-location", "location": lakehouse.raw.as_uri()},
        {"action": "set-properties", "updates": {"write.metadata.path": f"{lakehouse.raw.as_uri()}/m"}},
    ]:
        body: dict[str, Any] = {"requirements": [], "updates": [update]}
        response = requests.post(f"{lakehouse.url}/v1/namespaces/esc/tables/t", json=body, timeout=5)
        assert _error(response) == (400, "BadRequestException", 400)
    assert lakehouse.files() == before
    assert sorted(client.load_table("esc.t").scan().to_arrow().column("id").to_pylist()) == [1, 2, 3]


def test_purge_never_deletes_outside_the_warehouse(lakehouse: Lakehouse) -> None:
    client = RestCatalog("faults", uri=lakehouse.url)
    foreign = lakehouse.raw / "orders.parquet"
    pq.write_table(ROWS, foreign)
    original = foreign.read_bytes()
    adopted = client.create_table("esc.adopted", ROWS.schema)
    adopted.add_files([foreign.as_uri()])  # references a file in another bucket without copying it
    with pytest.raises(BadRequestError, match="outside the warehouse"):
        client.purge_table("esc.adopted")
    assert foreign.read_bytes() == original
    assert sorted(client.load_table("esc.adopted").scan().to_arrow().column("id").to_pylist()) == [1, 2, 3]

    owned = client.create_table("esc.owned", ROWS.schema)
    owned.append(ROWS)
    location = Path(owned.location().removeprefix("file://"))
    assert [p.suffix for p in location.rglob("*.parquet")] == [".parquet"]
    client.purge_table("esc.owned")
    assert [p for p in location.rglob("*") if p.is_file()] == []  # data, manifests, lists, metadata: all gone
    assert not client.table_exists("esc.owned")


@pytest.mark.parametrize("keyed", [False, True], ids=["plain", "with-idempotency-key"])
def test_bodies_over_the_limit_are_refused_and_the_connection_survives(lakehouse: Lakehouse, keyed: bool) -> None:
    """With an Idempotency-Key the idempotency layer reads the body itself: the refusal is the same."""
    big = json.dumps({"namespace": ["big"], "properties": {"blob": "x" * 20_000_000}}).encode()
    connection = http.client.HTTPConnection("127.0.0.1", lakehouse.server.port, timeout=30)
    key = {"Idempotency-Key": str(uuid.uuid4())} if keyed else {}
    attempts: list[dict[str, Any]] = [
        {"body": big, "headers": {"Content-Type": "application/json", **key}},  # declared Content-Length
        {  # chunked: no length up front, counted as it arrives
            "body": (big[i : i + 1_000_000] for i in range(0, len(big), 1_000_000)),
            "headers": {"Content-Type": "application/json", "Transfer-Encoding": "chunked", **key},
            "encode_chunked": True,
        },
    ]
    for attempt in attempts:
        connection.request("POST", "/v1/namespaces", **attempt)
        response = connection.getresponse()
        error = json.loads(response.read())["error"]
        assert (response.status, error["type"], error["code"]) == (413, "RequestTooLargeException", 413)
        assert "10485760 bytes" in error["message"]
        connection.request("GET", "/v1/namespaces")  # same connection, next request
        follow_up = connection.getresponse()
        assert (follow_up.status, json.loads(follow_up.read())) == (
            200,
            {"namespaces": [["esc"]], "next-page-token": None},
        )
    connection.close()
    assert requests.get(f"{lakehouse.url}/v1/namespaces/big", timeout=5).status_code == 404
    # A refused body claims no key: the same key with a body that fits runs (a 200, not a replayed 413).
    fits = requests.post(f"{lakehouse.url}/v1/namespaces", json={"namespace": ["big"]}, headers=key, timeout=5)
    assert (fits.status_code, "Idempotency-Replayed" in fits.headers) == (200, False)


def test_the_body_limit_is_configurable(tmp_path: Path) -> None:
    house = Lakehouse(tmp_path, max_body_bytes=2_000)
    with house.server:
        fits: dict[str, Any] = {"namespace": ["small"], "properties": {"note": "x" * 1_500}}
        assert requests.post(f"{house.url}/v1/namespaces", json=fits, timeout=5).status_code == 200
        too_big: dict[str, Any] = {"namespace": ["large"], "properties": {"note": "x" * 2_500}}
        response = requests.post(f"{house.url}/v1/namespaces", json=too_big, timeout=5)
        assert _error(response) == (413, "RequestTooLargeException", 413)
        listed = requests.get(f"{house.url}/v1/namespaces", timeout=5).json()["namespaces"]
        assert listed == [["small"]]


def test_a_burst_of_garbage_on_one_connection_is_answered_in_json(lakehouse: Lakehouse) -> None:
    garbage: list[tuple[str, str, bytes, int]] = [
        ("POST", "/v1/namespaces", b"{", 400),
        ("POST", "/v1/namespaces", b"null", 400),
        ("POST", "/v1/namespaces", b'{"namespace": [1, {"a": []}]}', 400),
        ("POST", "/v1/namespaces/esc/tables", b'{"name": "t", "schema": 5}', 400),
        ("POST", "/v1/namespaces/esc/tables/t", b'{"updates": [{"action": "rm -rf"}]}', 400),
        ("DELETE", "/v1/config", b"", 405),
        ("GET", "/v1/../../etc/passwd", b"", 404),
        ("GET", "/v1/namespaces/esc/tables/t/../../../../config", b"", 404),
        ("POST", "/v1/namespaces", b"\x00\x01\x02" * 1000, 400),
    ]
    connection = http.client.HTTPConnection("127.0.0.1", lakehouse.server.port, timeout=10)
    for method, path, body, status in garbage:
        connection.request(method, path, body=body, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        error = json.loads(response.read())["error"]
        assert (response.status, error["code"]) == (status, status), (method, path, error)
        assert response.getheader("connection") != "close"
    connection.request("GET", "/v1/namespaces/esc")
    final = connection.getresponse()
    assert (final.status, json.loads(final.read())["namespace"]) == (200, ["esc"])
    connection.close()


def _get(connection: http.client.HTTPConnection, path: str) -> tuple[int, dict[str, Any], str | None]:
    connection.request("GET", path)
    response = connection.getresponse()
    return response.status, json.loads(response.read()), response.getheader("connection")


def test_a_damaged_metadata_file_is_a_json_500_and_other_tables_still_load(lakehouse: Lakehouse) -> None:
    client = RestCatalog("faults", uri=lakehouse.url)
    client.create_table("esc.broken", ROWS.schema)
    client.create_table("esc.fine", ROWS.schema).append(ROWS)
    Path(client.load_table("esc.broken").metadata_location.removeprefix("file://")).write_text("{ truncated")
    connection = http.client.HTTPConnection("127.0.0.1", lakehouse.server.port, timeout=10)
    status, payload, header = _get(connection, "/v1/namespaces/esc/tables/broken")
    assert (status, payload["error"]["type"], payload["error"]["code"]) == (500, "InternalServerError", 500)
    assert "the metadata of table esc.broken cannot be read" in payload["error"]["message"]
    assert header != "close"
    status, payload, _ = _get(connection, "/v1/namespaces/esc/tables/fine")  # same connection
    assert (status, payload["metadata"]["format-version"]) == (200, 2)
    connection.close()
    with pytest.raises(ServerError, match="cannot be read"):
        client.load_table("esc.broken")
    assert sorted(client.load_table("esc.fine").scan().to_arrow().column("id").to_pylist()) == [1, 2, 3]


def test_an_unexpected_failure_is_a_json_500_and_the_connection_survives(lakehouse: Lakehouse) -> None:
    """A catalog database overwritten on disk: nothing anticipates it, the boundary still answers in JSON."""
    database = lakehouse.root / "catalog.db"
    with database.open("r+b") as f:
        f.write(b"garbage!" * (database.stat().st_size // 8))
    connection = http.client.HTTPConnection("127.0.0.1", lakehouse.server.port, timeout=10)
    status, payload, header = _get(connection, "/v1/namespaces")
    assert (status, payload["error"]["type"], payload["error"]["code"]) == (500, "InternalServerError", 500)
    assert payload["error"]["message"] == (
        "unexpected DatabaseError in the catalog: (sqlite3.DatabaseError) file is not a database"
    )
    assert header != "close"
    status, payload, _ = _get(connection, "/v1/config")  # same connection, answered
    assert (status, payload["overrides"]) == (200, {})
    connection.close()


def test_a_missing_warehouse_bucket_is_a_clear_503(tmp_path: Path) -> None:
    with AwsThread(tmp_path / "aws") as aws:
        endpoint = aws.settings.aws_endpoint
        backend = CatalogBackend(
            str(tmp_path / "c.db"), "s3://no-such-bucket/warehouse", s3_properties(aws.settings, endpoint)
        )
        with UvicornThread(create_app(backend)) as server:
            requests.post(f"{server.url}/v1/namespaces", json={"namespace": ["ns"]}, timeout=5).raise_for_status()
            body: dict[str, Any] = {"name": "t", "schema": SCHEMA}
            response = requests.post(f"{server.url}/v1/namespaces/ns/tables", json=body, timeout=30)
            assert _error(response) == (503, "ServiceUnavailableException", 503)
            assert "s3://no-such-bucket/warehouse/ns/t-" in response.json()["error"]["message"]
            assert requests.get(f"{server.url}/v1/namespaces/ns/tables", timeout=5).json()["identifiers"] == []
            aws_client(aws.settings, "s3").create_bucket(
                Bucket="no-such-bucket", CreateBucketConfiguration={"LocationConstraint": aws.settings.lakehouse.region}
            )
            created = requests.post(f"{server.url}/v1/namespaces/ns/tables", json=body, timeout=30)
            assert created.status_code == 200, created.text
            assert created.json()["metadata-location"].startswith("s3://no-such-bucket/warehouse/ns/t-")


def test_the_listing_sees_a_file_written_beside_the_warehouse(lakehouse: Lakehouse) -> None:
    """The escape tests compare listings: this proves a write outside the warehouse would show."""
    before = lakehouse.files()
    shutil.copy(lakehouse.raw / "orders.csv", lakehouse.raw / "copy.csv")
    assert lakehouse.files() != before
