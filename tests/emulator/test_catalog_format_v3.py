"""Iceberg format v3 through our REST catalog: Spark 3.5 + Iceberg 1.10 writes deletion vectors (Puffin)
and row lineage into a v3 table; pyiceberg and DuckDB read it back; v2 tables upgrade to v3; the server
writes v3 metadata itself and keeps the commit semantics (409 on conflicts, 400 on updates that cannot apply).

Limitations of pyiceberg 0.12 as a *client* (the server is not involved) are asserted exactly:
it cannot append to a v3 table, nor ask for an upgrade to v3 (``upgrade_table_version(3)``).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest
import requests
from chispa import assert_df_equality
from pyiceberg.catalog.rest import RestCatalog
from pyiceberg.schema import Schema
from pyiceberg.types import LongType, NestedField, StringType, TimestampNanoType, TimestamptzNanoType
from pyspark.sql import SparkSession

from tests.emulator.servers import UvicornThread

LINEAGE_COLUMNS = "id, status, _row_id, _last_updated_sequence_number"
MERGE_ON_READ = ", ".join(f"'write.{op}.mode'='merge-on-read'" for op in ("delete", "update", "merge"))
PUFFIN_MAGIC = b"PFA1"


def _path(uri: str) -> Path:
    return Path(uri.removeprefix("file:").removeprefix("//"))


def _lineage(rest: RestCatalog, table: str) -> tuple[int | None, list[tuple[int | None, int | None, int | None]]]:
    """The table's next-row-id and each snapshot's (sequence-number, first-row-id, added-rows), oldest first."""
    metadata = rest.load_table(table).metadata
    snapshots = sorted(metadata.snapshots, key=lambda s: s.sequence_number or 0)
    lineage = [(s.sequence_number, s.first_row_id, s.added_rows) for s in snapshots]
    return getattr(metadata, "next_row_id", None), lineage


def _commit(catalog_server: UvicornThread, namespace: str, table: str, body: dict[str, Any]) -> requests.Response:
    return requests.post(f"{catalog_server.url}/v1/namespaces/{namespace}/tables/{table}", json=body, timeout=30)


def _load(catalog_server: UvicornThread, namespace: str, table: str) -> dict[str, Any]:
    answer = requests.get(f"{catalog_server.url}/v1/namespaces/{namespace}/tables/{table}", timeout=30)
    answer.raise_for_status()
    loaded: dict[str, Any] = answer.json()
    return loaded


@pytest.fixture(scope="module")
def v3_ns(catalog_server: UvicornThread) -> str:
    name = f"v3_{uuid.uuid4().hex[:10]}"
    RestCatalog("v3", uri=catalog_server.url).create_namespace(name)
    return name


@dataclass(frozen=True)
class SparkV3Table:
    name: str  # in pyiceberg's and DuckDB's terms: <namespace>.<table>
    spark_name: str  # in Spark's: rest.<namespace>.<table>
    first_data_file: str  # the one data file the INSERT wrote (coalesced to one task)


@pytest.fixture(scope="module")
def orders_v3(spark: SparkSession, spark_rest: str, v3_ns: str) -> SparkV3Table:
    """Written once by Spark: 5 rows in one file, then a DELETE and an UPDATE in merge-on-read mode."""
    t = f"{spark_rest}.{v3_ns}.orders"
    spark.sql(f"CREATE TABLE {t} (id BIGINT, status STRING) USING iceberg "
              f"TBLPROPERTIES ('format-version'='3', {MERGE_ON_READ})")  # fmt: skip
    spark.sql(f"INSERT INTO {t} SELECT /*+ COALESCE(1) */ * FROM VALUES (0,'a'),(1,'b'),(2,'c'),(3,'d'),(4,'e')")
    [first_file] = [r["_file"] for r in spark.sql(f"SELECT DISTINCT _file FROM {t}").collect()]
    spark.sql(f"DELETE FROM {t} WHERE id = 1")
    spark.sql(f"UPDATE {t} SET status = 'z' WHERE id = 2")
    return SparkV3Table(f"{v3_ns}.orders", t, first_file)


EXPECTED_ORDERS = [(0, "a"), (2, "z"), (3, "d"), (4, "e")]


# ---------------------------------------------------------------- Spark writes v3


def test_spark_writes_one_deletion_vector_per_data_file_in_puffin(spark: SparkSession, orders_v3: SparkV3Table) -> None:
    columns = "content, file_format, referenced_data_file, record_count, file_path"
    delete_files = spark.sql(f"SELECT {columns} FROM {orders_v3.spark_name}.delete_files").collect()
    # The UPDATE's deletion vector replaced the DELETE's: one DV for the data file, both positions (rows 1 and 2).
    assert [tuple(r)[:4] for r in delete_files] == [(1, "PUFFIN", orders_v3.first_data_file, 2)]
    puffin = _path(delete_files[0]["file_path"])
    assert puffin.suffix == ".puffin"
    content = puffin.read_bytes()
    assert (content[:4], content[-4:]) == (PUFFIN_MAGIC, PUFFIN_MAGIC)


def test_spark_reads_row_lineage_metadata_columns(spark: SparkSession, orders_v3: SparkV3Table) -> None:
    # Row ids 0-4 were assigned by the INSERT (sequence number 1); the UPDATE (sequence number 3) kept row 2's id.
    expected = spark.createDataFrame(
        [(0, "a", 0, 1), (2, "z", 2, 3), (3, "d", 3, 1), (4, "e", 4, 1)],
        "id BIGINT, status STRING, _row_id BIGINT, _last_updated_sequence_number BIGINT",
    )
    actual = spark.sql(f"SELECT {LINEAGE_COLUMNS} FROM {orders_v3.spark_name}")
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True, ignore_metadata=True)


def test_the_server_records_row_lineage_in_v3_metadata(rest: RestCatalog, orders_v3: SparkV3Table) -> None:
    # INSERT: ids 0-4; DELETE adds no rows; UPDATE adds the rewritten row (its new file takes id space 5).
    assert _lineage(rest, orders_v3.name) == (6, [(1, 0, 5), (2, 5, 0), (3, 5, 1)])
    table = rest.load_table(orders_v3.name)
    written = json.loads(_path(table.metadata_location).read_text())  # the file the server wrote itself
    assert (written["format-version"], written["next-row-id"]) == (3, 6)
    assert [(s["first-row-id"], s["added-rows"]) for s in written["snapshots"]] == [(0, 5), (5, 0), (5, 1)]


# ---------------------------------------------------------------- other clients read it back


def test_pyiceberg_reads_the_v3_table_with_its_deletion_vectors(rest: RestCatalog, orders_v3: SparkV3Table) -> None:
    rows = rest.load_table(orders_v3.name).scan().to_arrow()
    assert sorted(zip(rows.column("id").to_pylist(), rows.column("status").to_pylist(), strict=True)) == EXPECTED_ORDERS


def test_duckdb_reads_the_v3_table_with_its_deletion_vectors(
    duck: duckdb.DuckDBPyConnection, orders_v3: SparkV3Table
) -> None:
    assert sorted(duck.sql(f"SELECT id, status FROM lake.{orders_v3.name}").fetchall()) == EXPECTED_ORDERS


# ---------------------------------------------------------------- create as select, upgrade


def test_spark_ctas_creates_a_v3_table_through_a_staged_create(
    spark: SparkSession, spark_rest: str, rest: RestCatalog, v3_ns: str
) -> None:
    t = f"{spark_rest}.{v3_ns}.ctas"
    spark.sql(f"CREATE TABLE {t} USING iceberg TBLPROPERTIES ('format-version'='3') "
              "AS SELECT /*+ COALESCE(1) */ id, CAST(id AS STRING) status FROM range(3)")  # fmt: skip
    assert rest.load_table(f"{v3_ns}.ctas").metadata.format_version == 3
    assert _lineage(rest, f"{v3_ns}.ctas") == (3, [(1, 0, 3)])
    rows = sorted(tuple(r) for r in spark.sql(f"SELECT {LINEAGE_COLUMNS} FROM {t}").collect())
    assert rows == [(0, "0", 0, 1), (1, "1", 1, 1), (2, "2", 2, 1)]


def test_spark_upgrades_a_v2_table_to_v3_and_assigns_row_ids_to_existing_rows(
    spark: SparkSession, spark_rest: str, rest: RestCatalog, v3_ns: str
) -> None:
    t = f"{spark_rest}.{v3_ns}.upgraded"
    spark.sql(f"CREATE TABLE {t} (id BIGINT, status STRING) USING iceberg TBLPROPERTIES ('format-version'='2')")
    spark.sql(f"INSERT INTO {t} SELECT /*+ COALESCE(1) */ * FROM VALUES (10, 'old'), (11, 'old')")
    spark.sql(f"ALTER TABLE {t} SET TBLPROPERTIES ('format-version'='3')")  # → upgrade-format-version 3
    upgraded = rest.load_table(f"{v3_ns}.upgraded").metadata
    assert (upgraded.format_version, "format-version" in upgraded.properties) == (3, False)
    assert _lineage(rest, f"{v3_ns}.upgraded") == (0, [(1, None, None)])  # the v2 snapshot keeps no row ids
    spark.sql(f"INSERT INTO {t} VALUES (12, 'new')")
    # The first v3 snapshot assigns ids to the new rows (its manifest is listed first) and to the existing ones.
    assert _lineage(rest, f"{v3_ns}.upgraded") == (3, [(1, None, None), (2, 0, 3)])
    rows = sorted(tuple(r) for r in spark.sql(f"SELECT {LINEAGE_COLUMNS} FROM {t}").collect())
    assert rows == [(10, "old", 1, 1), (11, "old", 2, 1), (12, "new", 0, 2)]


def test_a_v2_table_upgrades_over_http_which_pyiceberg_cannot_send(
    catalog_server: UvicornThread, rest: RestCatalog, ns: str
) -> None:
    table = rest.create_table(f"{ns}.t", pa.schema([pa.field("id", pa.int64())]))
    assert table.metadata.format_version == 2
    with pytest.raises(ValueError, match=r"^Unsupported table format version: 3$"):  # pyiceberg 0.12, client side
        table.transaction().upgrade_table_version(3)
    answer = _commit(catalog_server, ns, "t", {
        "requirements": [{"type": "assert-table-uuid", "uuid": str(table.metadata.table_uuid)}],
        "updates": [{"action": "upgrade-format-version", "format-version": 3}],
    })  # fmt: skip
    assert answer.status_code == 200, answer.text
    assert (answer.json()["metadata"]["format-version"], answer.json()["metadata"]["next-row-id"]) == (3, 0)
    assert rest.load_table(f"{ns}.t").metadata.format_version == 3
    upgraded = _load(catalog_server, ns, "t")
    again = _commit(catalog_server, ns, "t", {
        "requirements": [], "updates": [{"action": "upgrade-format-version", "format-version": 3}]
    })  # fmt: skip
    assert (again.status_code, again.json()["metadata-location"]) == (200, upgraded["metadata-location"])  # no-op


def test_a_v1_table_upgrades_to_v3_through_v2(catalog_server: UvicornThread, rest: RestCatalog, ns: str) -> None:
    rest.create_table(f"{ns}.t", pa.schema([pa.field("id", pa.int64())]), properties={"format-version": "1"})
    answer = _commit(catalog_server, ns, "t", {
        "requirements": [], "updates": [{"action": "upgrade-format-version", "format-version": 3}]
    })  # fmt: skip
    metadata = answer.json()["metadata"]
    assert (answer.status_code, metadata["format-version"], metadata["next-row-id"]) == (200, 3, 0)
    assert metadata["last-sequence-number"] == 0
    assert rest.load_table(f"{ns}.t").metadata.format_version == 3


# ---------------------------------------------------------------- what is refused


def test_a_downgrade_from_v3_is_refused_with_the_spec_error_and_changes_nothing(
    catalog_server: UvicornThread, rest: RestCatalog, ns: str
) -> None:
    rest.create_table(f"{ns}.t", pa.schema([pa.field("id", pa.int64())]), properties={"format-version": "3"})
    before = _load(catalog_server, ns, "t")
    answer = _commit(catalog_server, ns, "t", {
        "requirements": [], "updates": [{"action": "upgrade-format-version", "format-version": 2}]
    })  # fmt: skip
    assert (answer.status_code, answer.json()) == (400, {"error": {
        "message": f"cannot apply updates to {ns}.t: Cannot downgrade v3 table to v2",
        "type": "BadRequestException", "code": 400,
    }})  # fmt: skip
    assert _load(catalog_server, ns, "t") == before


def test_format_versions_beyond_3_are_refused(catalog_server: UvicornThread, rest: RestCatalog, ns: str) -> None:
    rest.create_table(f"{ns}.t", pa.schema([pa.field("id", pa.int64())]), properties={"format-version": "3"})
    answer = _commit(catalog_server, ns, "t", {
        "requirements": [], "updates": [{"action": "upgrade-format-version", "format-version": 4}]
    })  # fmt: skip
    assert (answer.status_code, answer.json()["error"]["type"]) == (400, "BadRequestException")
    assert answer.json()["error"]["message"] == (
        f"cannot apply updates to {ns}.t: Unsupported table format version: 4 (this catalog supports 1 to 3)"
    )


def _snapshot(location: str, snapshot_id: int, **fields: Any) -> dict[str, Any]:
    """An add-snapshot update; the server never reads the manifest list, so none is written."""
    snapshot = {"snapshot-id": snapshot_id, "timestamp-ms": 1_700_000_000_000, "summary": {"operation": "append"},
                "manifest-list": f"{location}/metadata/snap-{snapshot_id}.avro", "schema-id": 0, **fields}  # fmt: skip
    return {"action": "add-snapshot", "snapshot": snapshot}


def _main(snapshot_id: int) -> dict[str, Any]:
    return {"action": "set-snapshot-ref", "ref-name": "main", "type": "branch", "snapshot-id": snapshot_id}


def test_row_lineage_rules_on_commit(catalog_server: UvicornThread, rest: RestCatalog, ns: str) -> None:
    rest.create_table(f"{ns}.t", pa.schema([pa.field("id", pa.int64())]), properties={"format-version": "3"})
    location = _load(catalog_server, ns, "t")["metadata"]["location"]
    first = _snapshot(location, 1, **{"sequence-number": 1, "first-row-id": 0, "added-rows": 10})
    answer = _commit(catalog_server, ns, "t", {"requirements": [], "updates": [first, _main(1)]})
    assert (answer.status_code, answer.json()["metadata"]["next-row-id"]) == (200, 10)
    after_first = _load(catalog_server, ns, "t")

    def refused(snapshot: dict[str, Any], requirements: list[dict[str, Any]] | None = None) -> tuple[int, str, str]:
        body = {"requirements": requirements or [], "updates": [snapshot, _main(snapshot["snapshot"]["snapshot-id"])]}
        error = _commit(catalog_server, ns, "t", body).json()["error"]
        return error["code"], error["type"], error["message"]

    # Row ids 0-9 are taken: a snapshot built on the table before the first commit conflicts (retry), not 400.
    stale = _snapshot(
        location, 2, **{"sequence-number": 2, "parent-snapshot-id": 1, "first-row-id": 3, "added-rows": 1}
    )
    assert refused(stale) == (409, "CommitFailedException", (
        "snapshot 2 starts at row id 3, but rows up to 9 were assigned by another commit: refresh the table and retry"
    ))  # fmt: skip
    no_added_rows = _snapshot(location, 3, **{"sequence-number": 2, "parent-snapshot-id": 1, "first-row-id": 10})
    assert refused(no_added_rows) == (400, "BadRequestException", (
        f"cannot apply updates to {ns}.t: Cannot add snapshot 3 to a v3 table without added-rows"
    ))  # fmt: skip
    no_first_row_id = _snapshot(location, 4, **{"sequence-number": 2, "parent-snapshot-id": 1, "added-rows": 1})
    assert refused(no_first_row_id) == (
        400, "BadRequestException", f"cannot apply updates to {ns}.t: Cannot add snapshot without first row id"
    )  # fmt: skip
    old_sequence = _snapshot(location, 5, **{"sequence-number": 1, "parent-snapshot-id": 1, "first-row-id": 10,
                                              "added-rows": 1})  # fmt: skip
    assert refused(old_sequence) == (400, "BadRequestException", (
        f"cannot apply updates to {ns}.t: Cannot add snapshot with sequence number 1 older than last sequence number 1"
    ))  # fmt: skip
    # Requirements are checked before any update, as for v1/v2 tables.
    valid = _snapshot(
        location, 6, **{"sequence-number": 2, "parent-snapshot-id": 1, "first-row-id": 10, "added-rows": 1}
    )
    stale_ref = [{"type": "assert-ref-snapshot-id", "ref": "main", "snapshot-id": 999}]
    assert refused(valid, stale_ref)[:2] == (409, "CommitFailedException")
    assert _load(catalog_server, ns, "t") == after_first  # nothing above changed the table


V3_SCHEMA: dict[str, Any] = {"type": "struct", "schema-id": 0, "fields": [
    {"id": 1, "name": "id", "type": "long", "required": False},
    {"id": 2, "name": "at", "type": "timestamp_ns", "required": False},
    {"id": 3, "name": "at_tz", "type": "timestamptz_ns", "required": False},
    {"id": 4, "name": "status", "type": "string", "required": False, "initial-default": "new", "write-default": "new"},
]}  # fmt: skip


def _create(catalog_server: UvicornThread, ns: str, format_version: int) -> requests.Response:
    body: dict[str, Any] = {"name": "t", "schema": V3_SCHEMA, "properties": {"format-version": str(format_version)}}
    return requests.post(f"{catalog_server.url}/v1/namespaces/{ns}/tables", json=body, timeout=30)


def test_v3_types_and_column_defaults_are_kept(catalog_server: UvicornThread, rest: RestCatalog, ns: str) -> None:
    answer = _create(catalog_server, ns, 3)
    assert answer.status_code == 200, answer.text
    assert answer.json()["metadata"]["schemas"] == [{**V3_SCHEMA, "identifier-field-ids": []}]
    loaded = rest.load_table(f"{ns}.t")
    assert (loaded.metadata.format_version, loaded.metadata.next_row_id) == (3, 0)
    assert loaded.schema() == Schema(
        NestedField(1, "id", LongType(), required=False),
        NestedField(2, "at", TimestampNanoType(), required=False),
        NestedField(3, "at_tz", TimestamptzNanoType(), required=False),
        NestedField(4, "status", StringType(), required=False, initial_default="new", write_default="new"),
    )


def test_v3_only_types_and_defaults_in_a_v2_table_are_refused(catalog_server: UvicornThread, ns: str) -> None:
    answer = _create(catalog_server, ns, 2)
    assert (answer.status_code, answer.json()["error"]["type"]) == (400, "BadRequestException")
    assert answer.json()["error"]["message"] == (
        f"cannot create table {ns}.t: Invalid initial default for status: non-null default ('new') "
        "is not supported until v3, the table is v2"
    )
    without_defaults = [{k: v for k, v in f.items() if not k.endswith("-default")} for f in V3_SCHEMA["fields"]]
    body: dict[str, Any] = {
        "name": "t",
        "schema": {**V3_SCHEMA, "fields": without_defaults},
        "properties": {"format-version": "2"},
    }
    answer = requests.post(f"{catalog_server.url}/v1/namespaces/{ns}/tables", json=body, timeout=30)
    assert (answer.status_code, answer.json()["error"]["message"]) == (400, (
        f"cannot create table {ns}.t: timestamp_ns is only supported in 3 or higher. Current format version is: 2"
    ))  # fmt: skip


def test_pyiceberg_client_limits_on_v3_tables(rest: RestCatalog, ns: str) -> None:
    """pyiceberg 0.12 as a client: it drops column defaults before sending a create, and cannot append to v3."""
    schema = Schema(NestedField(1, "status", StringType(), required=False, initial_default="new", write_default="new"))
    table = rest.create_table(f"{ns}.t", schema, properties={"format-version": "3"})
    assert rest.load_table(f"{ns}.t").schema() == Schema(NestedField(1, "status", StringType(), required=False))
    with pytest.raises(ValueError, match=r"^Cannot write manifest for table version: 3$"):
        table.append(pa.table({"status": ["x"]}))
    assert rest.load_table(f"{ns}.t").metadata.snapshots == []
