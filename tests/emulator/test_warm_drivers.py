"""Warm job drivers: a run in a pre-started driver is the run a new process would have made.

Two in-process AWS endpoints share moto's S3, Glue and CloudWatch: ``warm`` keeps two warm drivers,
``cold`` none. The same Glue job runs on both; the tables it writes (compared with chispa), its
CloudWatch output and error streams (run ids, run folders and clock times aside), its argv and
environment, and a failure's exit code and ErrorMessage must be the same. A run whose JVM settings
differ from the pool's starts cold and works; a run arriving during a warm-up cuts it short and is the
same run too; Stop ends a warm run's process group; a replacement warms up beside a run only at the
lowest priority, the run having its own back (or, where priorities cannot be given back, not at all)."""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from chispa import assert_df_equality
from pyspark.sql import SparkSession

from emulator.clients import aws_client
from emulator.glue_runtime.warm_pool import (
    WARM_WHILE_WARMING_UP,
    WARMING_NICENESS,
    driver_memory_bytes,
    pool_size_that_fits,
)
from emulator.stack.identity import stat_fields
from tests.emulator.servers import AwsThread
from tools.local.glue_run import job_output, wait_for_job_run

pytestmark = pytest.mark.e2e

BUCKET = "warm-drivers"
WARM_UP_SECONDS = 600  # a warm-up on a busy 2-core machine; typically 15-30 s
CLOCK = re.compile(r"^\d\d:\d\d:\d\d ")

JOB_SCRIPT = """
import json, os, sys
from awsglue.context import GlueContext
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext
from pyspark.sql import functions as F

args = getResolvedOptions(sys.argv, ["JOB_NAME", "output", "table"])
sc = SparkContext()
glue = GlueContext(sc)
spark = glue.spark_session
here = os.path.dirname(os.path.abspath(__file__))
print(json.dumps({
    "argv": sys.argv[1:], "name": __name__, "script": os.path.basename(sys.argv[0]),
    "cwd_is_script_dir": os.getcwd() == here, "path0_is_script_dir": sys.path[0] == here,
    "region": os.environ["AWS_REGION"], "job": args["JOB_NAME"], "app": sc.appName,
    "session_app": spark.conf.get("spark.app.name"), "partitions": spark.conf.get("spark.sql.shuffle.partitions"),
    "stdin": sys.stdin.read(), "extra_file": open("notes.txt").read().strip(),
    "extra_file_by_spark": [r.value for r in spark.read.text("notes.txt").collect()],
}, sort_keys=True))
print("to stderr", file=sys.stderr)
orders = spark.createDataFrame([(i, f"c{i % 4}", i * 1.5) for i in range(40)], "id INT, customer STRING, amount DOUBLE")
totals = orders.groupBy("customer").agg(F.sum("amount").alias("total"), F.count("*").alias("n"))
totals.write.mode("overwrite").parquet(args["output"])
table = f"local.db.{args['table']}"
spark.sql(f"CREATE TABLE {table} (customer STRING, total DOUBLE, n BIGINT) USING iceberg")
totals.createOrReplaceTempView("totals")
spark.sql(f"MERGE INTO {table} t USING totals s ON t.customer = s.customer "
          "WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *")
for row in spark.table(table).orderBy("customer").collect():
    print(json.dumps(row.asDict(), sort_keys=True))
"""
FAILING_SCRIPT = """
import sys
from pyspark.sql import SparkSession

spark = SparkSession.builder.appName("failing").getOrCreate()
print("rows", spark.range(3).count())
def check(rows):
    raise ValueError(f"boom: {rows} rows is not enough")
check(spark.range(3).count())
"""
# As core.get_spark() does: the session asks for Java options of its own, which only a JVM's launch reads.
JAVA_OPTIONS_SCRIPT = """
import json, time
from pyspark.sql import SparkSession

began_ms = time.time() * 1000
options = "-Duser.timezone=UTC -Dlakehouse.test=own"
spark = (SparkSession.builder.appName("own_java_options").config("spark.driver.extraJavaOptions", options)
         .config("spark.executor.extraJavaOptions", options).getOrCreate())
sc = spark.sparkContext
print(json.dumps({
    "driver": sc.getConf().get("spark.driver.extraJavaOptions"),
    "executor": sc.getConf().get("spark.executor.extraJavaOptions"),
    "app": sc.appName, "rows": spark.range(5).count(), "context_older_than_script": sc.startTime < began_ms,
}, sort_keys=True))
"""
SLEEPING_SCRIPT = """
import time
from pyspark.sql import SparkSession

spark = SparkSession.builder.getOrCreate()
print("rows", spark.range(3).count(), flush=True)
time.sleep(300)
"""


@pytest.fixture(scope="module")
def stacks(tmp_path_factory: pytest.TempPathFactory, spark: SparkSession) -> Iterator[dict[str, AwsThread]]:
    # `spark` first: starting the test session's Spark sets environment variables a run inherits and the
    # pool's key includes, so a pool prepared before it would see every later run as different.
    with (
        AwsThread(tmp_path_factory.mktemp("warm-state"), glue_warm_drivers=2) as warm,
        AwsThread(tmp_path_factory.mktemp("cold-state"), glue_warm_drivers=0) as cold,
    ):
        warm.app.warm_pool.start()
        s3 = aws_client(warm.settings, "s3")
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        for name, code in {
            "job.py": JOB_SCRIPT,
            "failing.py": FAILING_SCRIPT,
            "sleeping.py": SLEEPING_SCRIPT,
            "java_options.py": JAVA_OPTIONS_SCRIPT,
        }.items():
            s3.put_object(Bucket=BUCKET, Key=f"scripts/{name}", Body=code.encode())
        s3.put_object(Bucket=BUCKET, Key="files/notes.txt", Body=b"deployed notes\n")
        yield {"warm": warm, "cold": cold}


def _job(stack: AwsThread, name: str, script: str, arguments: dict[str, str] | None = None) -> str:
    glue = aws_client(stack.settings, "glue")
    if name not in glue.list_jobs()["JobNames"]:  # moto's Glue is shared by both endpoints
        glue.create_job(
            Name=name, Role="arn:aws:iam::123456789012:role/glue", GlueVersion="5.1",
            Command={"Name": "glueetl", "ScriptLocation": f"s3://{BUCKET}/scripts/{script}", "PythonVersion": "3"},
            DefaultArguments=arguments or {},
        )  # fmt: skip
    return name


def _run(stack: AwsThread, job: str, arguments: dict[str, str], *, decision: str | None) -> dict[str, Any]:
    """A run on ``stack``, which the pool must decide as ``decision`` (None: a stack without a pool);
    "warm" only once its drivers are warm, so the run surely takes a warm one."""
    pool = stack.app.warm_pool
    if decision == "warm":
        assert pool.wait_until_ready(WARM_UP_SECONDS), "the warm driver did not get ready"
    glue = aws_client(stack.settings, "glue")
    run_id = glue.start_job_run(JobName=job, Arguments=arguments)["JobRunId"]
    run = wait_for_job_run(glue, job, run_id, say=lambda _: None, poll=0.1)
    assert pool.decisions.get(run_id) == decision, pool.decisions.get(run_id)
    return run


def _decision(mode: str) -> str | None:
    return "warm" if mode == "warm" else None


def _logs(stack: AwsThread, run: dict[str, Any], *, replace: dict[str, str]) -> dict[str, list[str]]:
    logs = aws_client(stack.settings, "logs")
    streams = {}
    for group in ("/aws-glue/jobs/output", "/aws-glue/jobs/error"):
        lines = []
        for line in job_output(logs, run["Id"], group=group):
            for old, new in replace.items():
                line = line.replace(old, new)
            lines.append(CLOCK.sub("", line).replace(run["Id"], "<run id>"))
        streams[group] = lines
    return streams


def test_the_warm_up_leaves_nothing_at_the_lakehouse(stacks: dict[str, AwsThread]) -> None:
    """It reads a missing key in the warehouse bucket and the catalog's namespaces: no object, no trace."""
    warm = stacks["warm"]
    assert warm.app.warm_pool.wait_until_ready(WARM_UP_SECONDS), "the warm driver did not get ready"
    s3 = aws_client(warm.settings, "s3")
    keys = [
        (bucket["Name"], item["Key"])
        for bucket in s3.list_buckets()["Buckets"]
        for item in s3.list_objects_v2(Bucket=bucket["Name"]).get("Contents", [])
    ]
    assert [key for key in keys if "warm_up" in key[1] or "warm-up" in key[1]] == []


def _job_py_arguments(warehouse: str) -> dict[str, str]:
    conf = (
        "spark.sql.catalog.local=org.apache.iceberg.spark.SparkCatalog --conf spark.sql.catalog.local.type=hadoop"
        f" --conf spark.sql.catalog.local.warehouse={warehouse} --conf spark.sql.shuffle.partitions=3"
    )
    return {"--conf": conf, "--extra-files": f"s3://{BUCKET}/files/notes.txt"}


def _job_py_run(
    stack: AwsThread, job: str, mode: str, tmp_path: Path, decision: str | None
) -> tuple[str, dict[str, list[str]]]:
    """job.py's run on ``stack``: where it wrote its parquet and its logs (what differs by run made alike)."""
    output = (tmp_path / mode / "totals").as_uri()
    run = _run(stack, job, {"--output": output, "--table": f"totals_{mode}"}, decision=decision)
    assert run["JobRunState"] == "SUCCEEDED", run.get("ErrorMessage")
    run_dir = str(stack.settings.runs_dir / run["Id"])
    return output, _logs(stack, run, replace={output: "<output>", f"totals_{mode}": "<table>", run_dir: "<run dir>"})


def _assert_job_py_wrote_the_same(spark: SparkSession, warehouse: str, outputs: dict[str, str]) -> None:
    first, second = outputs
    assert_df_equality(spark.read.parquet(outputs[first]), spark.read.parquet(outputs[second]), ignore_row_order=True)
    tables = {mode: spark.read.format("iceberg").load(f"{warehouse}/db/totals_{mode}") for mode in outputs}
    assert_df_equality(tables[first], tables[second], ignore_row_order=True)
    assert sorted(tuple(r) for r in tables[first].collect()) == [
        ("c0", sum(i * 1.5 for i in range(0, 40, 4)), 10),
        ("c1", sum(i * 1.5 for i in range(1, 40, 4)), 10),
        ("c2", sum(i * 1.5 for i in range(2, 40, 4)), 10),
        ("c3", sum(i * 1.5 for i in range(3, 40, 4)), 10),
    ]


def test_a_warm_run_writes_and_logs_what_a_cold_run_does(
    stacks: dict[str, AwsThread], spark: SparkSession, tmp_path: Path
) -> None:
    warehouse = (tmp_path / "warehouse").as_uri()
    results = {}
    for mode, stack in stacks.items():
        job = _job(stack, "warm_equals_cold", "job.py", _job_py_arguments(warehouse))
        results[mode] = _job_py_run(stack, job, mode, tmp_path, _decision(mode))
    (warm_output, warm_logs), (cold_output, cold_logs) = results["warm"], results["cold"]
    assert warm_logs == cold_logs
    probe = json.loads(warm_logs["/aws-glue/jobs/output"][0])
    assert probe == {
        "app": "warm_equals_cold", "session_app": "warm_equals_cold", "job": "warm_equals_cold",
        "argv": probe["argv"], "name": "__main__", "script": "job.py", "cwd_is_script_dir": True,
        "path0_is_script_dir": True, "region": "eu-west-1", "partitions": "3", "stdin": "",
        "extra_file": "deployed notes", "extra_file_by_spark": ["deployed notes"],
    }  # fmt: skip
    assert probe["argv"][probe["argv"].index("--JOB_NAME") + 1] == "warm_equals_cold"
    assert probe["argv"][probe["argv"].index("--JOB_RUN_ID") + 1] == "<run id>"
    assert "to stderr" in warm_logs["/aws-glue/jobs/error"]
    _assert_job_py_wrote_the_same(spark, warehouse, {"warm": warm_output, "cold": cold_output})


def test_a_run_arriving_during_the_warm_up_cuts_it_short_and_is_the_run_a_cold_process_makes(
    stacks: dict[str, AwsThread], spark: SparkSession, tmp_path: Path
) -> None:
    """The driver stops warming up at its next step and runs the script: what it writes and logs is
    what a cold process writes and logs."""
    warehouse = (tmp_path / "warehouse").as_uri()
    job = _job(stacks["cold"], "warming_equals_cold", "job.py", _job_py_arguments(warehouse))
    with AwsThread(tmp_path / "warming-state", glue_warm_drivers=1) as warming:
        pool = warming.app.warm_pool
        pool.start()
        deadline = time.monotonic() + WARM_UP_SECONDS
        while pool.status()["idle"] == 0:  # its driver has started and is warming up
            assert time.monotonic() < deadline, "no warm driver started"
            time.sleep(0.05)
        assert pool.status() == {"size": 1, "idle": 1, "ready": 0}
        warming_output, warming_logs = _job_py_run(warming, job, "warming", tmp_path, WARM_WHILE_WARMING_UP)
    cold_output, cold_logs = _job_py_run(stacks["cold"], job, "cold", tmp_path, None)
    assert warming_logs == cold_logs
    assert json.loads(warming_logs["/aws-glue/jobs/output"][0])["app"] == "warming_equals_cold"
    _assert_job_py_wrote_the_same(spark, warehouse, {"warming": warming_output, "cold": cold_output})


def test_a_failing_script_fails_the_same_way_warm_and_cold(stacks: dict[str, AwsThread]) -> None:
    ended = {}
    for mode, stack in stacks.items():
        run = _run(stack, _job(stack, "warm_failing", "failing.py"), {}, decision=_decision(mode))
        replace = {str(stack.settings.runs_dir / run["Id"]): "<run dir>"}
        ended[mode] = (run["JobRunState"], run["ErrorMessage"], _logs(stack, run, replace=replace))
    assert ended["warm"] == ended["cold"]
    state, message, logs = ended["warm"]
    assert (state, message) == ("FAILED", "ValueError: boom: 3 rows is not enough")
    assert logs["/aws-glue/jobs/output"] == ["rows 3"]
    assert logs["/aws-glue/jobs/error"][:2] == [
        "Traceback (most recent call last):",
        '  File "<run dir>/failing.py", line 9, in <module>',
    ]


def test_a_script_asking_for_its_own_java_options_runs_in_the_warm_context(stacks: dict[str, AwsThread]) -> None:
    """Java options only the JVM's launch reads do not make the driver stop its context (a new one in the
    same JVM would not apply them either): the script sees the options it asked for, warm as cold."""
    seen = {}
    for mode, stack in stacks.items():
        run = _run(stack, _job(stack, "warm_java_options", "java_options.py"), {}, decision=_decision(mode))
        assert run["JobRunState"] == "SUCCEEDED", run.get("ErrorMessage")
        seen[mode] = json.loads(job_output(aws_client(stack.settings, "logs"), run["Id"])[0])
    assert seen["warm"].pop("context_older_than_script") is True  # the lent context, not a new one
    assert seen["cold"].pop("context_older_than_script") is False
    assert seen["warm"] == seen["cold"]  # Spark's Java module and IPv6 options before the script's own
    assert seen["warm"]["app"] == "own_java_options"
    assert seen["warm"]["rows"] == 5
    for key in ("driver", "executor"):
        assert seen["warm"][key].endswith(" -Duser.timezone=UTC -Dlakehouse.test=own"), seen["warm"][key]


def test_a_run_with_other_jvm_settings_starts_cold_and_works(stacks: dict[str, AwsThread]) -> None:
    warm = stacks["warm"]
    job = _job(warm, "warm_other_jvm", "failing.py", {"--conf": "spark.driver.memory=1g"})
    glue = aws_client(warm.settings, "glue")
    run_id = glue.start_job_run(JobName=job)["JobRunId"]
    run = wait_for_job_run(glue, job, run_id, say=lambda _: None, poll=0.1)
    assert warm.app.warm_pool.decisions[run_id].startswith("cold: its JVM settings")
    assert (run["JobRunState"], run["ErrorMessage"]) == ("FAILED", "ValueError: boom: 3 rows is not enough")
    assert job_output(aws_client(warm.settings, "logs"), run_id) == ["rows 3"]


def test_stop_ends_a_warm_run_and_its_jvm(stacks: dict[str, AwsThread]) -> None:
    warm = stacks["warm"]
    job = _job(warm, "warm_sleeping", "sleeping.py")
    assert warm.app.warm_pool.wait_until_ready(WARM_UP_SECONDS)
    glue = aws_client(warm.settings, "glue")
    run_id = glue.start_job_run(JobName=job)["JobRunId"]
    logs = aws_client(warm.settings, "logs")
    deadline = time.monotonic() + 120
    while job_output(logs, run_id) != ["rows 3"]:  # the script is in its sleep
        assert time.monotonic() < deadline, glue.get_job_run(JobName=job, RunId=run_id)["JobRun"]
        time.sleep(0.2)
    assert warm.app.warm_pool.decisions[run_id] == "warm"
    pid = warm.app.runs("eu-west-1").get(job, run_id).pid
    assert pid is not None
    pool = warm.app.warm_pool
    if pool.beside_runs:  # a replacement warms up beside the run, at the lowest priority; the run got its back
        assert pool.status()["idle"] == 2
        emulator_niceness = os.getpriority(os.PRIO_PROCESS, 0)
        assert _niceness_of_group(pid) == {emulator_niceness}  # its JVM's threads too
        assert [_niceness_of_group(idle) for idle in pool.idle_pids()] == [{WARMING_NICENESS}] * 2
    else:  # no replacement warms up beside a run (it would take the run's CPU): the other idle driver is all there is
        assert pool.status()["idle"] == 1
    glue.batch_stop_job_run(JobName=job, JobRunIds=[run_id])
    run = wait_for_job_run(glue, job, run_id, say=lambda _: None, poll=0.1)
    assert run["JobRunState"] == "STOPPED"
    assert run["ExecutionTime"] < 60
    deadline = time.monotonic() + 30
    while _group_alive(pid):  # the driver's process group, its JVM included, goes (SIGTERM, then SIGKILL)
        assert time.monotonic() < deadline, f"process group {pid} is still there"
        time.sleep(0.2)


def _niceness_of_group(pgid: int) -> set[int]:
    """The niceness of every thread of every process in process group ``pgid`` (from /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/task/[0-9]*/stat"):
        try:
            fields = stat_fields(stat.read_text())
        except OSError:
            continue  # the thread ended while we looked
        if int(fields[5 - 3]) == pgid:  # proc(5): field 5 is the process group, 19 the niceness
            found.add(int(fields[19 - 3]))
    assert found, f"no process in group {pgid}"
    return found


def _group_alive(pid: int) -> bool:
    try:
        os.killpg(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_the_pool_keeps_only_the_drivers_that_fit_in_half_of_the_memory() -> None:
    gib = 1024**3
    assert pool_size_that_fits(4, "2g", 16 * gib) == 3  # 8 GiB / (2 GiB heap + 0.5 GiB each)
    assert pool_size_that_fits(1, "2g", 4 * gib) == 0  # a 4 GiB machine: every run starts cold
    assert pool_size_that_fits(0, "512m", 64 * gib) == 0
    sizes = [driver_memory_bytes(v) for v in ("512m", "1024", "2G", "3072k")]
    assert sizes == [512 * 1024**2, gib, 2 * gib, 3 * 1024**2]
    with pytest.raises(ValueError, match="spark.driver.memory='lots'"):
        driver_memory_bytes("lots")
