"""A domain's table maintenance job, deployed from its manifest and run through the Glue API on the
embedded stack (AWS endpoint + Iceberg REST catalog, warehouse on the emulator's S3): small files
compacted, snapshots expired per policy, an old orphan removed from S3 (a young one kept), the data
unchanged; and a writer appending while it runs loses nothing."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pytest
from chispa import assert_df_equality
from moto.s3.models import s3_backends
from pyiceberg.catalog.rest import RestCatalog
from pyiceberg.exceptions import CommitFailedException
from pyiceberg.schema import Schema
from pyiceberg.table import Table
from pyiceberg.types import LongType, NestedField, StringType
from pyspark.sql import DataFrame, SparkSession

from emulator.catalog.server import build_app
from emulator.clients import aws_client
from emulator.settings import ACCOUNT_ID, Settings
from tests.conftest import REPO_ROOT
from tests.emulator.servers import AwsThread, UvicornThread
from tools.data.tables import rest_catalog
from tools.deploy.wheel import build_wheel
from tools.local.glue_run import job_output, wait_for_job_run
from tools.manifest import SHARED_DIR, JobSpec, load_manifests

pytestmark = pytest.mark.e2e
DOMAIN = "maint"
JOB = f"{DOMAIN}_table_maintenance"
EVENTS, CONCURRENT = f"{DOMAIN}.events", f"{DOMAIN}.concurrent"
NOT_YET = f"{DOMAIN}.later"  # declared by the job, never written yet
SMALL_APPENDS = 12
RETAIN_LAST = 2
# A test domain as a team would declare it: one job writing two tables, and their maintenance.
MANIFEST = f"""\
domain: {DOMAIN}
jobs:
  events:
    script: job_events.py
    description: Writes the events tables the maintenance tests fill
    writes:
      tables: [{EVENTS}, {CONCURRENT}, {NOT_YET}]
maintenance:
  schedule: cron(0 3 * * ? *)
  defaults:
    target_file_size_mb: 64
    min_input_files: 2
    snapshot_max_age_hours: 0     # only the newest retain_last survive
    retain_last: {RETAIN_LAST}
    orphan_min_age_hours: 24      # the shortest Iceberg allows
  tables:
    {CONCURRENT}:
      rewrite_manifests: false
"""
SCRIPT = f'TABLES_READ = ()\nTABLES_WRITTEN = ("{EVENTS}", "{CONCURRENT}", "{NOT_YET}")\n'
SCHEMA = Schema(NestedField(1, "id", LongType(), required=False), NestedField(2, "name", StringType(), required=False))
ARROW_SCHEMA = pa.schema([pa.field("id", pa.int64()), pa.field("name", pa.string())])


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """The AWS endpoint and the catalog in this process (so a test can age an S3 object), jobs as processes."""
    with AwsThread(tmp_path_factory.mktemp("maintenance-aws")) as aws:
        settings = aws.settings
        with UvicornThread(build_app(settings), port=settings.catalog_port):
            yield settings


@pytest.fixture(scope="module")
def deployed(stack: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The test domain's maintenance job, rendered from its manifest and created through boto3 (Terraform
    deploys the repository's domains: tests/terraform)."""
    root = tmp_path_factory.mktemp("jobs")
    shutil.copytree(REPO_ROOT / "jobs" / SHARED_DIR, root / SHARED_DIR, ignore=shutil.ignore_patterns("__pycache__"))
    (root / DOMAIN).mkdir()
    (root / DOMAIN / "jobs.yaml").write_text(MANIFEST)
    (root / DOMAIN / "job_events.py").write_text(SCRIPT)
    _create_job(stack, load_manifests(root).jobs[JOB])
    rest_catalog(stack).create_namespace(DOMAIN)
    return stack


def _create_job(settings: Settings, spec: JobSpec) -> None:
    """Upload the script and the core wheel, then CreateJob with the manifest's arguments, as a user would."""
    s3, lakehouse = aws_client(settings, "s3"), settings.lakehouse
    for name in (lakehouse.raw_bucket, lakehouse.curated_bucket, lakehouse.artifacts_bucket):  # `just up` makes these
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": lakehouse.region})
    bucket = lakehouse.artifacts_bucket
    wheel = build_wheel()
    s3.upload_file(str(wheel), bucket, f"libs/{wheel.name}")
    s3.upload_file(str(spec.script_path), bucket, spec.script_key)
    aws_client(settings, "glue").create_job(
        Name=spec.glue_name,
        Role=f"arn:aws:iam::{ACCOUNT_ID}:role/maintenance-test",
        Command={"Name": "glueetl", "ScriptLocation": f"s3://{bucket}/{spec.script_key}", "PythonVersion": "3"},
        DefaultArguments={"--extra-py-files": f"s3://{bucket}/libs/{wheel.name}", "--datalake-formats": "iceberg",
                          "--ENV": "local", **{f"--{k}": v for k, v in spec.arguments.items()}},
        GlueVersion="5.1",
        Timeout=spec.timeout_minutes,
    )  # fmt: skip


def _batch(first_id: int, rows: int) -> pa.Table:
    ids = list(range(first_id, first_id + rows))
    return pa.Table.from_pylist([{"id": i, "name": f"event-{i}"} for i in ids], schema=ARROW_SCHEMA)


def _data_files(table: Table) -> int:
    """Data files of the current snapshot, from the table's files metadata table."""
    files = table.inspect.files()
    return sum(1 for content in files.column("content").to_pylist() if content == 0)


def _frame(spark: SparkSession, table: Table) -> DataFrame:
    return spark.createDataFrame(table.scan().to_arrow().to_pandas())


def _put_aged(settings: Settings, uri: str, age: dt.timedelta) -> None:
    """Put an object into S3 and backdate it, as a file left by a write that failed ``age`` ago."""
    bucket, key = uri.removeprefix("s3://").split("/", 1)
    aws_client(settings, "s3").put_object(Bucket=bucket, Key=key, Body=b"left behind by a failed write")
    stored = s3_backends[ACCOUNT_ID]["aws"].buckets[bucket].keys[key]
    stored.last_modified = dt.datetime.now(dt.UTC).replace(tzinfo=None) - age  # moto keeps naive UTC


def _exists(settings: Settings, uri: str) -> bool:
    bucket, key = uri.removeprefix("s3://").split("/", 1)
    listed = aws_client(settings, "s3").list_objects_v2(Bucket=bucket, Prefix=key)
    return any(o["Key"] == key for o in listed.get("Contents", []))


def _objects(settings: Settings, prefix_uri: str) -> set[str]:
    bucket, prefix = prefix_uri.removeprefix("s3://").split("/", 1)
    pages = aws_client(settings, "s3").get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    return {f"s3://{bucket}/{o['Key']}" for page in pages for o in page.get("Contents", [])}


def _run_ok(settings: Settings, run_id: str) -> dict[str, Any]:
    glue = aws_client(settings, "glue")
    run = wait_for_job_run(glue, JOB, run_id, say=lambda _: None, poll=0.5)
    if run["JobRunState"] != "SUCCEEDED":
        errors = job_output(aws_client(settings, "logs"), run_id, group="/aws-glue/jobs/error")[-60:]
        pytest.fail(f"{JOB} ended {run['JobRunState']}: {run.get('ErrorMessage')}\n" + "\n".join(errors))
    return run


class Writer(threading.Thread):
    """Appends a small batch at a time to ``table`` until stopped, as a job committing meanwhile would;
    a lost commit race (CommitFailedException) is retried on the refreshed table, as Iceberg writers do."""

    def __init__(self, catalog: RestCatalog, table: str) -> None:
        super().__init__(daemon=True)
        self.catalog, self.table = catalog, table
        self.stop = threading.Event()
        self.committed: list[tuple[int, str]] = []
        self.conflicts = 0
        self.error: BaseException | None = None

    def run(self) -> None:
        first_id = 1000
        try:
            while not self.stop.is_set() or len(self.committed) < 3 * 2:  # three batches at least
                batch = _batch(first_id, 2)
                for _ in range(20):
                    try:
                        self.catalog.load_table(self.table).append(batch)
                        break
                    except CommitFailedException:
                        self.conflicts += 1
                else:
                    raise AssertionError(f"batch {first_id} never committed")
                self.committed += [(row["id"], row["name"]) for row in batch.to_pylist()]
                first_id += 10
                # A commit every ~2 s: dozens during the run. (Every 0.3 s, on a loaded machine, the rewrite's
                # commit lost every race, Iceberg's 4 retries and ours included: maintenance starved.)
                self.stop.wait(2.0)
        except BaseException as e:  # noqa: BLE001 - handed to the test thread, which fails with it
            self.error = e


@dataclass(frozen=True)
class Maintained:
    """One maintenance run over both tables while a writer appended to one of them."""

    run: dict[str, Any]
    before: DataFrame  # EVENTS before the run
    old_orphan: str
    young_orphan: str
    concurrent_before: list[tuple[int, str]]
    writer: Writer


@pytest.fixture(scope="module")
def maintained(deployed: Settings, spark: SparkSession) -> Maintained:
    catalog = rest_catalog(deployed)
    events = catalog.create_table(EVENTS, SCHEMA)
    for n in range(SMALL_APPENDS):
        events.append(_batch(n * 10, 3))
    assert (_data_files(events), len(events.snapshots())) == (SMALL_APPENDS, SMALL_APPENDS)
    old_orphan = f"{events.location()}/data/orphan-{uuid.uuid4().hex}.parquet"
    young_orphan = f"{events.location()}/data/in-flight-{uuid.uuid4().hex}.parquet"  # a write still committing
    _put_aged(deployed, old_orphan, dt.timedelta(days=3))
    _put_aged(deployed, young_orphan, dt.timedelta(hours=1))
    concurrent = catalog.create_table(CONCURRENT, SCHEMA)
    concurrent_before: list[tuple[int, str]] = []
    for n in range(6):
        concurrent.append(_batch(n * 10, 2))
        concurrent_before += [(i, f"event-{i}") for i in range(n * 10, n * 10 + 2)]
    before = _frame(spark, events)
    writer = Writer(catalog, CONCURRENT)
    run_id = aws_client(deployed, "glue").start_job_run(JobName=JOB)["JobRunId"]  # the deployed policy, no arguments
    writer.start()
    try:
        run = _run_ok(deployed, run_id)
    finally:
        writer.stop.set()
        writer.join(timeout=120)
    assert not writer.is_alive(), "the writer did not stop"
    if writer.error is not None:
        raise writer.error
    return Maintained(run, before, old_orphan, young_orphan, concurrent_before, writer)


def test_small_files_are_compacted_and_snapshots_expired_per_policy(deployed: Settings, maintained: Maintained) -> None:
    table = rest_catalog(deployed).load_table(EVENTS)
    assert _data_files(table) == 1  # 12 small files binpacked into one
    snapshots = table.snapshots()
    assert len(snapshots) == RETAIN_LAST  # snapshot_max_age_hours 0: all but the newest two expired
    assert snapshots[-1].snapshot_id == table.current_snapshot().snapshot_id  # type: ignore[union-attr]


def test_old_orphans_and_expired_files_leave_s3_young_files_stay(deployed: Settings, maintained: Maintained) -> None:
    table = rest_catalog(deployed).load_table(EVENTS)
    assert not _exists(deployed, maintained.old_orphan)
    assert _exists(deployed, maintained.young_orphan)  # younger than orphan_min_age_hours: never touched
    current = set(table.inspect.files().column("file_path").to_pylist())
    # what expiry freed is gone from S3 too: the data folder holds the compacted file and the young orphan
    assert _objects(deployed, f"{table.location()}/data/") == current | {maintained.young_orphan}


def test_the_data_is_unchanged(deployed: Settings, maintained: Maintained, spark: SparkSession) -> None:
    after = _frame(spark, rest_catalog(deployed).load_table(EVENTS))
    assert_df_equality(maintained.before, after, ignore_row_order=True)


def test_a_writer_appending_while_maintenance_runs_loses_nothing(deployed: Settings, maintained: Maintained) -> None:
    table = rest_catalog(deployed).load_table(CONCURRENT)
    assert len(maintained.writer.committed) >= 3 * 2  # three batches at least, while the run was running
    rows = [(r["id"], r["name"]) for r in table.scan().to_arrow().to_pylist()]
    assert sorted(rows) == sorted(maintained.concurrent_before + maintained.writer.committed)


def test_a_declared_table_not_created_yet_is_reported_not_failed(deployed: Settings, maintained: Maintained) -> None:
    output = "\n".join(job_output(aws_client(deployed, "logs"), maintained.run["Id"]))
    assert '"table not maintained: it does not exist yet"' in output
    finished = next(json.loads(line) for line in output.splitlines() if '"maintenance finished"' in line)
    assert (finished["missing_tables"], finished["failed_tables"]) == ([NOT_YET], {})
    steps = {(step["table"], step["procedure"]) for step in finished["steps"]}
    assert steps == {
        (EVENTS, "rewrite_data_files"), (EVENTS, "rewrite_manifests"), (EVENTS, "expire_snapshots"),
        (EVENTS, "remove_orphan_files"),
        (CONCURRENT, "rewrite_data_files"), (CONCURRENT, "expire_snapshots"), (CONCURRENT, "remove_orphan_files"),
    }  # fmt: skip
