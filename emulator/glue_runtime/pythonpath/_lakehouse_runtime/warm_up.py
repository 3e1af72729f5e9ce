"""What a warm driver does before it waits for a run: the code paths jobs take, loaded and compiled.

A run's first query pays for class loading and for the JIT compiling Spark's planner: profiled
in one warm-driver run, the customers job's SCD2 MERGE took 7.1 s as the process's first and 2.8 s
as its fourth, and the first S3A listing 1.8 s against 0.5 s for the next. So the warm-up runs the shapes
Glue jobs are made of, twice: text and JSON lines parsed against a schema, CSV, a cached frame,
aggregates, window functions, joins and unions; Iceberg appends, MERGE (conditional updates,
inserts and deletes), dynamic partition overwrites and DELETE; and reads of nothing at the
lakehouse (a missing key in its warehouse bucket through S3A, the REST catalog's namespaces).

It writes only to a scratch directory of its own and reads only what does not exist at the
lakehouse, so no run can see it. Afterwards Hadoop's file system cache is emptied: the run's S3A is
created with the run's own settings, as in a cold process.

A run that arrives while the warm-up is under way cuts it short at the next step (``run_waiting``):
the session is built by then or being built, so a driver still warming up is always ahead of a
cold process, never behind it.
"""

from __future__ import annotations

import secrets
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROUNDS = 2  # the second round compiles what the first only interpreted
_LOCAL = "lakehouse_warm_up"
_REST = "lakehouse_warm_up_rest"
_CHANGES = [
    '{"op": "I", "id": 1, "name": " Ada ", "amount": "2.50", "at": "2026-11-25T06:00:00"}',
    '{"op": "U", "id": 1, "name": "Ada L", "amount": "3.00", "at": "2026-11-26T06:00:00"}',
    '{"op": "I", "id": 2, "name": "Bob", "amount": "x", "at": "2026-11-25T07:00:00"}',
    '{"op": "D", "id": 3, "at": "2026-11-26T08:00:00"}',
    "not json",
]
_CSV = 'id,name,amount,day\n1,Ada,2.50,2026-11-25\n2,Bob,x,2026-11-26\n3,"C, D",1.00,2026-11-26\n'


def warm_up(rest_uri: str, warehouse: str, run_waiting: Callable[[], bool]) -> Any:
    """The run defaults' session, after the work above (or as much of it as came before a run)."""
    from pyspark.sql import SparkSession

    spark = SparkSession.builder.getOrCreate()
    if not _cut_short(run_waiting):
        _warm_up_work(spark, rest_uri, warehouse, run_waiting)
    jvm = spark.sparkContext._jvm
    jvm.org.apache.hadoop.fs.FileSystem.closeAll()
    return spark


def _warm_up_work(spark: Any, rest_uri: str, warehouse: str, run_waiting: Callable[[], bool]) -> None:
    with tempfile.TemporaryDirectory(prefix="lakehouse-warm-up-") as scratch:
        inputs = _write_inputs(Path(scratch))
        spark.conf.set(f"spark.sql.catalog.{_LOCAL}", "org.apache.iceberg.spark.SparkCatalog")
        spark.conf.set(f"spark.sql.catalog.{_LOCAL}.type", "hadoop")
        spark.conf.set(f"spark.sql.catalog.{_LOCAL}.warehouse", Path(scratch, "warehouse").as_uri())
        for round_ in range(ROUNDS):
            changes, latest = _frames(spark, inputs)
            if _cut_short(run_waiting):
                return
            _iceberg_writes(spark, latest, f"{_LOCAL}.db{round_}")
            changes.unpersist()
            if _cut_short(run_waiting):
                return
    _lakehouse_reads(spark, rest_uri, warehouse)


def _cut_short(run_waiting: Callable[[], bool]) -> bool:
    if run_waiting():
        _note("cut short: a run is waiting")
        return True
    return False


def _write_inputs(scratch: Path) -> dict[str, str]:
    Path(scratch, "changes").mkdir()
    Path(scratch, "changes", "part-0.json").write_text("\n".join(_CHANGES) + "\n", encoding="utf-8")
    Path(scratch, "csv").mkdir()
    Path(scratch, "csv", "part-0.csv").write_text(_CSV, encoding="utf-8")
    return {"changes": Path(scratch, "changes").as_uri(), "csv": Path(scratch, "csv").as_uri()}


def _frames(spark: Any, inputs: dict[str, str]) -> tuple[Any, Any]:
    """Parsing, typing, caching, aggregating, windows, joins: the changes (cached) and the latest per id."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    schema = "op STRING, id BIGINT, name STRING, amount STRING, at STRING, _corrupt_record STRING"
    lines = spark.read.text(inputs["changes"]).where(F.btrim("value") != "")
    parsed = lines.select(
        F.col("value"),
        F.from_json(F.decode(F.col("value").cast("binary"), "UTF-8"), schema,
                    {"mode": "PERMISSIVE", "columnNameOfCorruptRecord": "_corrupt_record"}).alias("p"),
    )  # fmt: skip
    typed = parsed.select(
        F.upper(F.trim("p.op")).alias("op"),
        F.col("p.id").alias("id"),
        F.trim("p.name").alias("name"),
        F.expr("try_cast(p.amount AS DECIMAL(12,2))").alias("amount"),
        F.to_timestamp("p.at").alias("at"),
        F.sha2(F.to_json(F.struct("p.*")), 256).alias("state"),
        F.concat_ws("; ", F.array(F.when(F.col("p._corrupt_record").isNotNull(), F.lit("malformed")))).alias("reason"),
    ).persist()
    typed.agg(F.count(F.lit(1)), F.sum(F.when(F.col("reason") == "", 1).otherwise(0))).first()
    csv = (
        spark.read.schema("id STRING, name STRING, amount STRING, day STRING, _corrupt_record STRING")
        .option("header", True).option("encoding", "ISO-8859-1").option("mode", "PERMISSIVE")
        .option("columnNameOfCorruptRecord", "_corrupt_record").csv(inputs["csv"])
    )  # fmt: skip
    typed_csv = csv.select(F.expr("try_cast(id AS BIGINT) AS id"), F.to_date("day").alias("day"), F.input_file_name())
    typed_csv.groupBy("day").count().collect()
    by_id = Window.partitionBy("id").orderBy("at")
    ranked = (
        typed.where(F.col("reason") == "")
        .withColumn("rank", F.row_number().over(Window.partitionBy("id").orderBy(F.col("at").desc(), "state")))
        .withColumn("previous", F.lag("state").over(by_id))
        .withColumn("next_at", F.lead("at").over(by_id))
        .withColumn("first_at", F.min("at").over(Window.partitionBy("id")))
    )
    totals = typed.groupBy("id").agg(F.max("at").alias("last_at"), F.countDistinct("state").alias("states"))
    ranked.join(totals, "id", "left").unionByName(ranked.join(totals, "id", "left")).collect()
    return typed, ranked.where("rank = 1").select("op", "id", "name", "amount", "at")


def _iceberg_writes(spark: Any, latest: Any, namespace: str) -> None:
    """Create, append, MERGE (both ways jobs write them), overwrite partitions, DELETE, read back."""
    from pyspark.sql import functions as F

    dim, facts = f"{namespace}.dim", f"{namespace}.facts"
    spark.sql(f"CREATE TABLE {dim} (id BIGINT, name STRING, valid_from TIMESTAMP, valid_to TIMESTAMP, "
              "is_current BOOLEAN) USING iceberg")  # fmt: skip
    spark.sql(f"CREATE TABLE {facts} (id BIGINT, amount DECIMAL(12,2), day DATE) USING iceberg PARTITIONED BY (day)")
    latest.select("id", "amount", F.to_date("at").alias("day")).writeTo(facts).append()
    latest.select("id", "name", F.col("at").alias("valid_from"), F.lit(None).cast("timestamp").alias("valid_to"),
                F.lit(True).alias("is_current")).writeTo(dim).append()  # fmt: skip
    view = f"_lakehouse_warm_up_{secrets.token_hex(4)}"
    latest.createOrReplaceTempView(view)
    try:
        spark.sql(
            f"MERGE INTO {dim} t USING {view} s ON t.id = s.id AND t.is_current "
            "WHEN MATCHED AND s.op = 'D' THEN DELETE "
            "WHEN MATCHED AND s.at > t.valid_from THEN UPDATE SET t.valid_to = s.at, t.is_current = false "
            "WHEN NOT MATCHED AND s.op <> 'D' THEN INSERT (id, name, valid_from, valid_to, is_current) "
            "VALUES (s.id, s.name, s.at, NULL, true)"
        )
        spark.sql(
            f"MERGE INTO {facts} t USING (SELECT id, amount, to_date(at) AS day FROM {view}) s "
            "ON t.id <=> s.id WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *"
        )
    finally:
        spark.catalog.dropTempView(view)
    latest.select("id", "amount", F.to_date("at").alias("day")).writeTo(facts).overwritePartitions()
    spark.sql(f"DELETE FROM {facts} WHERE id = 2")
    spark.table(dim).join(spark.table(facts), "id", "full").collect()


def _lakehouse_reads(spark: Any, rest_uri: str, warehouse: str) -> None:
    """S3A and the REST client against the lakehouse, reading only what is not there."""
    from pyspark.errors import AnalysisException

    bucket = warehouse.split("://", 1)[-1].split("/", 1)[0]
    missing = f"s3a://{bucket}/_lakehouse_warm_up/{secrets.token_hex(8)}"
    try:
        spark.read.text(missing).collect()
    except AnalysisException as e:
        if "PATH_NOT_FOUND" not in str(e):
            _note(f"reading nothing at the lakehouse's S3 failed: {_first_line(e)}")
    except Exception as e:  # noqa: BLE001 - no such bucket (yet), S3 unreachable: the run does without this warm-up
        _note(f"reading nothing at the lakehouse's S3 failed: {type(e).__name__}: {_first_line(e)}")
    prefix = f"spark.sql.catalog.{_REST}"
    spark.conf.set(prefix, "org.apache.iceberg.spark.SparkCatalog")
    spark.conf.set(f"{prefix}.type", "rest")
    spark.conf.set(f"{prefix}.uri", rest_uri)
    spark.conf.set(f"{prefix}.warehouse", warehouse)
    spark.conf.set(f"{prefix}.io-impl", "org.apache.iceberg.hadoop.HadoopFileIO")
    try:
        spark.sql(f"SHOW NAMESPACES IN {_REST}").collect()
        spark.catalog.tableExists(f"{_REST}.{_LOCAL}.none")
    except Exception as e:  # noqa: BLE001 - the catalog may still be starting: the run does without this warm-up
        _note(f"the lakehouse's REST catalog did not answer the warm-up: {type(e).__name__}: {_first_line(e)}")


def _first_line(error: Exception) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else ""


def _note(message: str) -> None:
    sys.stderr.write(f"[lakehouse] warm-up: {message}\n")
    sys.stderr.flush()
