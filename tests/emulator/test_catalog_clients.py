"""Catalog conformance with three independent clients: pyiceberg, Spark's Java RESTCatalog
(Iceberg 1.10) and DuckDB's iceberg extension. Each writes what the others read."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from pyiceberg.catalog.rest import RestCatalog
from pyiceberg.exceptions import CommitFailedException, NoSuchTableError
from pyiceberg.types import StringType
from pyspark.sql import SparkSession

from tests.emulator.servers import UvicornThread

ROWS = pa.table({"id": pa.array([1, 2, 3], pa.int64()), "name": ["a", "b", "c"]})


def _ids(rest: RestCatalog, table: str) -> list[int]:
    return sorted(rest.load_table(table).scan().to_arrow().column("id").to_pylist())


# ---------------------------------------------------------------- pyiceberg


def test_pyiceberg_namespaces(rest: RestCatalog, ns: str) -> None:
    rest.create_namespace((ns, "child"), {"owner": "sales"})
    assert (ns, "child") in rest.list_namespaces(ns)
    assert rest.load_namespace_properties((ns, "child"))["owner"] == "sales"
    summary = rest.update_namespace_properties((ns, "child"), removals={"owner"}, updates={"tier": "gold"})
    assert (summary.removed, summary.updated) == (["owner"], ["tier"])
    rest.drop_namespace((ns, "child"))
    assert (ns, "child") not in rest.list_namespaces(ns)


def test_pyiceberg_table_lifecycle(rest: RestCatalog, ns: str) -> None:
    table = rest.create_table(f"{ns}.t", ROWS.schema)
    table.append(ROWS)
    with table.update_schema() as update:
        update.add_column("note", StringType())
    assert [f.name for f in rest.load_table(f"{ns}.t").schema().fields] == ["id", "name", "note"]
    rest.rename_table(f"{ns}.t", f"{ns}.renamed")
    assert _ids(rest, f"{ns}.renamed") == [1, 2, 3]
    metadata_location = rest.load_table(f"{ns}.renamed").metadata_location
    rest.drop_table(f"{ns}.renamed")
    with pytest.raises(NoSuchTableError):
        rest.load_table(f"{ns}.renamed")
    rest.register_table(f"{ns}.registered", metadata_location)  # files were kept: drop without purge
    assert _ids(rest, f"{ns}.registered") == [1, 2, 3]


def test_staged_create_persists_nothing_until_the_commit(rest: RestCatalog, ns: str) -> None:
    transaction = rest.create_table_transaction(f"{ns}.staged", ROWS.schema)  # POST … "stage-create": true
    transaction.append(ROWS)
    assert not rest.table_exists(f"{ns}.staged")
    transaction.commit_transaction()  # assert-create + the table's whole metadata in one commit
    assert _ids(rest, f"{ns}.staged") == [1, 2, 3]


def test_purge_deletes_the_files(rest: RestCatalog, ns: str) -> None:
    table = rest.create_table(f"{ns}.p", ROWS.schema)
    table.append(ROWS)
    data_files = [Path(t.file.file_path.removeprefix("file:")) for t in table.scan().plan_files()]
    assert all(f.exists() for f in data_files)
    rest.purge_table(f"{ns}.p")
    assert not any(f.exists() for f in data_files)


def _append_with_retries(uri: str, table: str, value: int) -> None:
    client = RestCatalog("writer", uri=uri)
    for _ in range(50):  # beyond pyiceberg's own retries: keep going until the commit lands
        try:
            client.load_table(table).append(pa.table({"id": pa.array([value], pa.int64()), "name": [str(value)]}))
            return
        except CommitFailedException:
            continue
    raise AssertionError(f"append {value} never committed")


def test_concurrent_commits_from_threads_and_processes_lose_nothing(
    catalog_server: UvicornThread, rest: RestCatalog, ns: str
) -> None:
    table = f"{ns}.concurrent"
    rest.create_table(table, ROWS.schema)
    threads = [threading.Thread(target=_append_with_retries, args=(catalog_server.url, table, i)) for i in range(8)]
    code = (
        "import sys; from tests.emulator.test_catalog_clients import _append_with_retries as a; "
        "a(sys.argv[1], sys.argv[2], int(sys.argv[3]))"
    )
    processes = [
        subprocess.Popen([sys.executable, "-c", code, catalog_server.url, table, str(100 + i)]) for i in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(p.wait(timeout=120) == 0 for p in processes)
    assert _ids(rest, table) == [*range(8), 100, 101, 102]
    assert len(rest.load_table(table).metadata.snapshots) == 11


# ---------------------------------------------------------------- Spark (Java RESTCatalog)


def test_spark_ctas_replace_merge_update_delete_evolve(
    spark: SparkSession, spark_rest: str, rest: RestCatalog, ns: str
) -> None:
    t = f"{spark_rest}.{ns}.orders"
    spark.sql(f"CREATE TABLE {t} USING iceberg AS SELECT CAST(id AS BIGINT) id, 'new' status FROM range(5)")
    spark.sql(f"CREATE OR REPLACE TABLE {t} USING iceberg AS SELECT CAST(id AS BIGINT) id, 'new' status FROM range(4)")
    spark.sql(f"""
        MERGE INTO {t} t USING (SELECT 1L id, 'paid' status UNION ALL SELECT 9L, 'new') s ON t.id = s.id
        WHEN MATCHED THEN UPDATE SET status = s.status WHEN NOT MATCHED THEN INSERT *""")
    spark.sql(f"UPDATE {t} SET status = 'shipped' WHERE id = 2")
    spark.sql(f"DELETE FROM {t} WHERE id = 3")
    spark.sql(f"ALTER TABLE {t} ADD COLUMN amount DECIMAL(10,2)")
    spark.sql(f"INSERT INTO {t} VALUES (10, 'new', 5.50)")
    rows = sorted(tuple(r) for r in spark.table(t).select("id", "status").collect())
    assert rows == [(0, "new"), (1, "paid"), (2, "shipped"), (9, "new"), (10, "new")]
    # pyiceberg, another client, sees the same table and schema
    assert _ids(rest, f"{ns}.orders") == [0, 1, 2, 9, 10]
    assert [f.name for f in rest.load_table(f"{ns}.orders").schema().fields] == ["id", "status", "amount"]


def test_spark_namespaces_rename_drop_purge(spark: SparkSession, spark_rest: str, rest: RestCatalog, ns: str) -> None:
    spark.sql(f"CREATE NAMESPACE {spark_rest}.{ns}_sub")
    spark.sql(f"CREATE TABLE {spark_rest}.{ns}_sub.a (id bigint) USING iceberg")
    spark.sql(f"ALTER TABLE {spark_rest}.{ns}_sub.a RENAME TO {ns}_sub.b")
    assert [r["tableName"] for r in spark.sql(f"SHOW TABLES IN {spark_rest}.{ns}_sub").collect()] == ["b"]
    spark.sql(f"DROP TABLE {spark_rest}.{ns}_sub.b PURGE")
    spark.sql(f"DROP NAMESPACE {spark_rest}.{ns}_sub")
    assert (f"{ns}_sub",) not in rest.list_namespaces()


def test_spark_reads_what_pyiceberg_wrote(spark: SparkSession, spark_rest: str, rest: RestCatalog, ns: str) -> None:
    rest.create_table(f"{ns}.from_py", ROWS.schema).append(ROWS)
    assert sorted(r["id"] for r in spark.table(f"{spark_rest}.{ns}.from_py").collect()) == [1, 2, 3]


# ---------------------------------------------------------------- DuckDB (iceberg extension)


def test_duckdb_reads_what_spark_wrote(
    spark: SparkSession, spark_rest: str, duck: duckdb.DuckDBPyConnection, ns: str
) -> None:
    spark.sql(f"CREATE TABLE {spark_rest}.{ns}.sparkt USING iceberg AS SELECT CAST(id AS BIGINT) id FROM range(3)")
    spark.sql(f"UPDATE {spark_rest}.{ns}.sparkt SET id = 30 WHERE id = 2")  # a merge-on-read delete file too
    assert sorted(r[0] for r in duck.sql(f"SELECT id FROM lake.{ns}.sparkt").fetchall()) == [0, 1, 30]


def test_duckdb_writes_what_the_others_read(
    spark: SparkSession, spark_rest: str, duck: duckdb.DuckDBPyConnection, rest: RestCatalog, ns: str
) -> None:
    duck.sql(f"CREATE TABLE lake.{ns}.ducks (id BIGINT, name VARCHAR)")
    duck.sql(f"INSERT INTO lake.{ns}.ducks VALUES (1, 'a'), (2, 'b')")
    assert _ids(rest, f"{ns}.ducks") == [1, 2]
    assert sorted(r["id"] for r in spark.table(f"{spark_rest}.{ns}.ducks").collect()) == [1, 2]
