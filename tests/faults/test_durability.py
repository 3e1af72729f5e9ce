"""Durable state of the embedded stack, with its real processes: `down`/`up` and `kill -9` of
either process keep every acknowledged write; `--fresh` starts empty; an incompatible state
directory is refused."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pyarrow as pa  # type: ignore[import-untyped]
import pytest
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError
from pyiceberg.exceptions import NamespaceAlreadyExistsError
from pyiceberg.table import Table

from emulator.clients import aws_client
from emulator.settings import Settings, load_settings
from emulator.stack import supervisor
from emulator.state_format import VERSION_FILE
from tests.emulator.servers import free_port
from tools.data.tables import rest_catalog

pytestmark = pytest.mark.faults
RAW = "domain-project-local-raw"
SCHEMA = pa.schema([pa.field("id", pa.int64(), nullable=False), pa.field("name", pa.string())])
PASS_MACHINE = {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "Result": {"rows": 3}, "End": True}}}


def _quiet(_: str) -> None:
    """Supervisor progress is not part of what these tests check."""


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    settings = load_settings({
        "LAKEHOUSE_STATE_DIR": str(tmp_path_factory.mktemp("durable")),
        "LAKEHOUSE_AWS_PORT": str(free_port()),
        "LAKEHOUSE_CATALOG_PORT": str(free_port()),
    })  # fmt: skip
    with pytest.MonkeyPatch.context() as patch:
        # No job runs here: no warm driver's JVM competing with the restarts these tests time out on.
        patch.setenv("LAKEHOUSE_GLUE_WARM_DRIVERS", "0")
        supervisor.up(settings, fresh=True, say=_quiet)
        yield settings
        supervisor.down(settings, say=_quiet)


def _pid(settings: Settings, service: str) -> int:
    pids = json.loads((settings.state_dir / supervisor.PID_FILE).read_text())["pids"]
    return int(pids[service])


def _kill9(settings: Settings, service: str) -> None:
    pid = _pid(settings, service)
    os.killpg(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while supervisor.status(settings)[supervisor.SERVICES.index(service)].alive:
        assert time.monotonic() < deadline, f"{service} (pid {pid}) survived SIGKILL"
        time.sleep(0.05)


def _table(settings: Settings, name: str) -> Table:
    catalog = rest_catalog(settings)
    with contextlib.suppress(NamespaceAlreadyExistsError):  # a previous test of this module made it
        catalog.create_namespace("durable")
    table: Table = catalog.create_table(f"durable.{name}", schema=SCHEMA)
    return table


def _rows(settings: Settings, name: str) -> list[dict[str, Any]]:
    rows = rest_catalog(settings).load_table(f"durable.{name}").scan().to_arrow().to_pylist()
    return sorted(rows, key=lambda row: row["id"])


def _batch(ids: range) -> pa.Table:
    return pa.Table.from_pylist([{"id": i, "name": f"row-{i}"} for i in ids], schema=SCHEMA)


def _s3_key(uri: str) -> tuple[str, str]:
    bucket, _, key = uri.removeprefix("s3://").removeprefix("s3a://").partition("/")
    return bucket, key


def _missing_files(settings: Settings, table: Table) -> list[str]:
    """Metadata and data files the table points at that S3 does not have."""
    s3 = aws_client(settings, "s3")
    uris = [table.metadata_location, *(task.file.file_path for task in table.scan().plan_files())]
    missing = []
    for uri in uris:
        try:
            s3.head_object(Bucket=_s3_key(uri)[0], Key=_s3_key(uri)[1])
        except ClientError:
            missing.append(uri)
    return missing


def test_down_and_up_keep_tables_objects_jobs_machines_and_executions(stack: Settings) -> None:
    table = _table(stack, "kept")
    table.append(_batch(range(3)))
    s3 = aws_client(stack, "s3")
    payload = bytes(range(256)) * 40
    s3.put_object(Bucket=RAW, Key="kept/object.bin", Body=payload)
    glue = aws_client(stack, "glue")
    command = {"Name": "glueetl", "ScriptLocation": "s3://domain-project-local-artifacts/x.py", "PythonVersion": "3"}
    glue.create_job(Name="kept_job", Role="arn:aws:iam::123456789012:role/glue", Command=command,
                    DefaultArguments={"--run_date": "2026-11-26"}, GlueVersion="5.1")  # fmt: skip
    sfn = aws_client(stack, "stepfunctions")
    machine = sfn.create_state_machine(name="kept_machine", definition=json.dumps(PASS_MACHINE),
                                       roleArn="arn:aws:iam::123456789012:role/sfn")["stateMachineArn"]  # fmt: skip
    execution = sfn.start_execution(stateMachineArn=machine, name="kept_run")["executionArn"]
    deadline = time.monotonic() + 20
    while sfn.describe_execution(executionArn=execution)["status"] == "RUNNING":
        assert time.monotonic() < deadline
        time.sleep(0.1)

    supervisor.down(stack, say=_quiet)
    supervisor.up(stack, say=_quiet)

    assert _rows(stack, "kept") == [{"id": i, "name": f"row-{i}"} for i in range(3)]
    assert aws_client(stack, "s3").get_object(Bucket=RAW, Key="kept/object.bin")["Body"].read() == payload
    job = aws_client(stack, "glue").get_job(JobName="kept_job")["Job"]
    assert (job["Command"], job["DefaultArguments"]) == (command, {"--run_date": "2026-11-26"})
    sfn = aws_client(stack, "stepfunctions")
    assert json.loads(sfn.describe_state_machine(stateMachineArn=machine)["definition"]) == PASS_MACHINE
    described = sfn.describe_execution(executionArn=execution)
    assert (described["status"], json.loads(described["output"])) == ("SUCCEEDED", {"rows": 3})


def _put_burst(settings: Settings, worker: int, acknowledged: dict[str, bytes], stop: threading.Event) -> None:
    env = settings.client_environment()
    s3 = boto3.client("s3", endpoint_url=settings.aws_endpoint, region_name=env["AWS_REGION"],
                      aws_access_key_id=env["AWS_ACCESS_KEY_ID"], aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
                      config=BotoConfig(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=5))  # fmt: skip
    for n in range(100_000):
        if stop.is_set():
            return
        key, body = f"burst/{worker}/{n}", f"worker {worker} object {n} ".encode() * (n % 50 + 1)
        try:
            s3.put_object(Bucket=RAW, Key=key, Body=body)
        except (BotoCoreError, ClientError):
            return  # the endpoint is gone: this put was never acknowledged
        acknowledged[key] = body


def test_kill_9_of_the_aws_endpoint_during_puts_loses_no_acknowledged_object(stack: Settings) -> None:
    supervisor.up(stack, say=_quiet)
    acknowledged: dict[str, bytes] = {}
    stop = threading.Event()
    workers = [threading.Thread(target=_put_burst, args=(stack, w, acknowledged, stop)) for w in range(4)]
    for worker in workers:
        worker.start()
    time.sleep(2.0)
    _kill9(stack, "aws")
    stop.set()
    for worker in workers:
        worker.join(timeout=30)
    assert len(acknowledged) > 20, "the burst did not get going before the kill"

    supervisor.up(stack, say=_quiet)
    s3 = aws_client(stack, "s3")
    stored = {key: s3.get_object(Bucket=RAW, Key=key)["Body"].read() for key in acknowledged}
    assert stored == acknowledged


def test_kill_9_of_the_catalog_during_commits_keeps_every_acknowledged_commit(stack: Settings) -> None:
    supervisor.up(stack, say=_quiet)
    aws_pid = _pid(stack, "aws")
    table = _table(stack, "commits")
    acknowledged: list[int] = []
    killer = threading.Timer(2.0, _kill9, args=(stack, "catalog"))
    killer.start()
    for batch in range(10_000):
        try:
            table.append(_batch(range(batch * 10, batch * 10 + 10)))
        except Exception:  # noqa: BLE001 - whatever the client raises once the catalog is gone
            break
        acknowledged.append(batch)
    killer.join()
    assert len(acknowledged) >= 2, "no commit was acknowledged before the kill"

    supervisor.up(stack, say=_quiet)
    assert _pid(stack, "aws") == aws_pid  # only the catalog was restarted
    ids = {row["id"] for row in _rows(stack, "commits")}
    expected = {i for batch in acknowledged for i in range(batch * 10, batch * 10 + 10)}
    # A commit in flight at the kill may or may not have landed; nothing else may differ.
    in_flight = set(range(len(acknowledged) * 10, len(acknowledged) * 10 + 10))
    assert expected <= ids <= expected | in_flight
    reloaded = rest_catalog(stack).load_table("durable.commits")
    assert _missing_files(stack, reloaded) == []


def test_an_execution_running_at_a_kill_9_is_reported_aborted_and_not_rerun(stack: Settings) -> None:
    supervisor.up(stack, say=_quiet)
    waiting = {"StartAt": "Wait", "States": {"Wait": {"Type": "Wait", "Seconds": 600, "End": True}}}
    sfn = aws_client(stack, "stepfunctions")
    machine = sfn.create_state_machine(name="waiting_machine", definition=json.dumps(waiting),
                                       roleArn="arn:aws:iam::123456789012:role/sfn")["stateMachineArn"]  # fmt: skip
    execution = sfn.start_execution(stateMachineArn=machine, name="interrupted")["executionArn"]
    assert sfn.describe_execution(executionArn=execution)["status"] == "RUNNING"
    _kill9(stack, "aws")
    supervisor.up(stack, say=_quiet)
    described = aws_client(stack, "stepfunctions").describe_execution(executionArn=execution)
    assert (described["status"], described["error"]) == ("ABORTED", "Lakehouse.EndpointStopped")
    assert "stopped while this execution was running" in described["cause"]


def test_restarting_only_the_catalog_keeps_the_aws_process_and_its_s3(stack: Settings) -> None:
    supervisor.up(stack, say=_quiet)
    aws_client(stack, "s3").put_object(Bucket=RAW, Key="only-catalog/a.txt", Body=b"still here")
    aws_pid = _pid(stack, "aws")
    _kill9(stack, "catalog")
    supervisor.up(stack, say=_quiet)
    assert _pid(stack, "aws") == aws_pid
    assert [s.name for s in supervisor.status(stack) if s.alive and s.healthy] == ["aws", "catalog"]
    assert aws_client(stack, "s3").get_object(Bucket=RAW, Key="only-catalog/a.txt")["Body"].read() == b"still here"


def test_fresh_starts_empty_with_the_stack_buckets(stack: Settings) -> None:
    supervisor.up(stack, say=_quiet)
    aws_client(stack, "s3").put_object(Bucket=RAW, Key="before-fresh.txt", Body=b"x")
    supervisor.up(stack, fresh=True, say=_quiet)
    assert rest_catalog(stack).list_namespaces() == []
    s3 = aws_client(stack, "s3")
    assert sorted(b["Name"] for b in s3.list_buckets()["Buckets"]) == sorted(
        ["domain-project-local-artifacts", "domain-project-local-curated", RAW]
    )
    assert s3.list_objects_v2(Bucket=RAW).get("Contents", []) == []
    assert aws_client(stack, "glue").get_jobs()["Jobs"] == []


def test_an_incompatible_state_directory_is_refused_with_what_to_do(tmp_path: Path) -> None:
    (tmp_path / VERSION_FILE).write_text(json.dumps({"format": 999, "moto": "0.0.1"}))
    settings = load_settings({"LAKEHOUSE_STATE_DIR": str(tmp_path), "LAKEHOUSE_AWS_PORT": str(free_port()),
                              "LAKEHOUSE_CATALOG_PORT": str(free_port())})  # fmt: skip
    with pytest.raises(supervisor.StackError, match=r"has format \{'format': 999.*`just reset`"):
        supervisor.up(settings, say=_quiet)
    assert sorted(p.name for p in tmp_path.iterdir()) == [VERSION_FILE]  # nothing started, nothing written


def test_state_written_before_durability_is_refused(tmp_path: Path) -> None:
    (tmp_path / "catalog.db").write_bytes(b"")
    settings = load_settings({"LAKEHOUSE_STATE_DIR": str(tmp_path), "LAKEHOUSE_AWS_PORT": str(free_port()),
                              "LAKEHOUSE_CATALOG_PORT": str(free_port())})  # fmt: skip
    with pytest.raises(supervisor.StackError, match=r"has no VERSION file.*`just up --fresh`"):
        supervisor.up(settings, say=_quiet)
