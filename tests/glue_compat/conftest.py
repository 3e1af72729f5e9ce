"""One embedded stack for the whole compatibility suite, and the way a user drives Glue with boto3:
upload the script, create the job with the console's default parameters, start a run, wait for it.
A run that does not succeed fails the test with its ErrorMessage and its CloudWatch error stream."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from pyiceberg.catalog.rest import RestCatalog

from emulator.clients import aws_client
from emulator.settings import Settings, load_settings
from emulator.stack import supervisor
from tests.emulator.servers import free_port
from tools.data.tables import rest_catalog
from tools.local.glue_run import job_output, wait_for_job_run

SCRIPTS_DIR = Path(__file__).parent / "scripts"
DATA_BUCKET = "glue-compat-data"
ARTIFACTS_BUCKET = "glue-compat-artifacts"
ROLE_ARN = "arn:aws:iam::123456789012:role/GlueCompatJobRole"
RUN_TIMEOUT_MINUTES = 10
# The stack's Glue "minute" is shrunk so a hung run ends as TIMEOUT after 10 x 20 s, not 10 minutes.
SECONDS_PER_TIMEOUT_MINUTE = "20"
ERROR_LINES_SHOWN = 80

# What the Glue console puts on a new Spark job (and what Terraform users copy): all must be accepted.
CONSOLE_DEFAULT_ARGUMENTS = {
    "--job-language": "python",
    "--enable-metrics": "true",
    "--enable-spark-ui": "true",
    "--spark-event-logs-path": f"s3://{ARTIFACTS_BUCKET}/sparkHistoryLogs/",
    "--enable-job-insights": "true",
    "--enable-observability-metrics": "true",
    "--enable-continuous-cloudwatch-log": "true",
    "--enable-glue-datacatalog": "true",
    "--job-bookmark-option": "job-bookmark-disable",
    "--TempDir": f"s3://{ARTIFACTS_BUCKET}/temporary/",
}


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    settings = load_settings({
        "LAKEHOUSE_STATE_DIR": str(tmp_path_factory.mktemp("glue-compat-lakehouse")),
        "LAKEHOUSE_AWS_PORT": str(free_port()),
        "LAKEHOUSE_CATALOG_PORT": str(free_port()),
    })  # fmt: skip
    try:
        with pytest.MonkeyPatch.context() as patch:  # the stack's processes read it from their environment
            patch.setenv("LAKEHOUSE_SECONDS_PER_TIMEOUT_MINUTE", SECONDS_PER_TIMEOUT_MINUTE)
            supervisor.up(settings, say=lambda _: None)
        lakehouse = settings.lakehouse
        buckets = [DATA_BUCKET, ARTIFACTS_BUCKET, lakehouse.curated_bucket, lakehouse.raw_bucket]
        s3 = aws_client(settings, "s3")
        existing = {b["Name"] for b in s3.list_buckets()["Buckets"]}  # `up` made the stack's own
        for bucket in sorted(set(buckets) - existing):
            s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": lakehouse.region})
        yield settings
    finally:
        supervisor.down(settings, say=lambda _: None)


class GlueUser:
    """A user's boto3 session against the stack in one region: S3, Glue and CloudWatch Logs clients."""

    def __init__(self, settings: Settings, region: str | None = None) -> None:
        self.settings = settings
        self.region = region or settings.lakehouse.region
        self.s3 = aws_client(settings, "s3", region=self.region)
        self.glue = aws_client(settings, "glue", region=self.region)
        self.logs = aws_client(settings, "logs", region=self.region)

    def deploy(self, name: str, script: str, arguments: Mapping[str, str] | None = None,
               bucket: str = ARTIFACTS_BUCKET) -> str:  # fmt: skip
        """Upload ``scripts/<script>`` and create a Glue 5.1 Spark job running it; returns the job name."""
        key = f"scripts/{script}"
        self.s3.upload_file(str(SCRIPTS_DIR / script), bucket, key)
        self.glue.create_job(
            Name=name,
            Role=ROLE_ARN,
            Command={"Name": "glueetl", "ScriptLocation": f"s3://{bucket}/{key}", "PythonVersion": "3"},
            GlueVersion="5.1",
            WorkerType="G.1X",
            NumberOfWorkers=2,
            Timeout=RUN_TIMEOUT_MINUTES,
            MaxRetries=0,
            DefaultArguments={**CONSOLE_DEFAULT_ARGUMENTS, **(arguments or {})},
        )
        return name

    def run(self, job: str, arguments: Mapping[str, str] | None = None) -> dict[str, Any]:
        """Start a run and wait for it to end; returns the final JobRun."""
        run_id = self.glue.start_job_run(JobName=job, Arguments=dict(arguments or {}))["JobRunId"]
        return wait_for_job_run(self.glue, job, run_id, say=lambda _: None, poll=0.5)

    def run_ok(self, job: str, arguments: Mapping[str, str] | None = None) -> dict[str, Any]:
        """A run that must succeed: anything else fails the test with the reason Glue gives."""
        run = self.run(job, arguments)
        if run["JobRunState"] != "SUCCEEDED":
            pytest.fail(self.diagnosis(run), pytrace=False)
        return run

    def diagnosis(self, run: dict[str, Any]) -> str:
        errors = job_output(self.logs, run["Id"], group="/aws-glue/jobs/error")[-ERROR_LINES_SHOWN:]
        return (
            f"{run['JobName']} run {run['Id']} ended {run['JobRunState']}: {run.get('ErrorMessage', '')}\n"
            f"run arguments: {run.get('Arguments', {})}\n"
            f"--- /aws-glue/jobs/error stream {run['Id']} (last {ERROR_LINES_SHOWN} lines) ---\n" + "\n".join(errors)
        )

    def output(self, run: dict[str, Any]) -> list[str]:
        """The run's stdout lines, from /aws-glue/jobs/output."""
        return job_output(self.logs, run["Id"])


@pytest.fixture(scope="session")
def user(stack: Settings) -> GlueUser:
    return GlueUser(stack)


@pytest.fixture(scope="session")
def iceberg(stack: Settings) -> RestCatalog:
    """The stack's Iceberg REST catalog, read from the host with pyiceberg."""
    return rest_catalog(stack)


def data_uri(*parts: str) -> str:
    return f"s3://{DATA_BUCKET}/" + "/".join(p.strip("/") for p in parts)


PRODUCTS_DATABASE = "compat_sales"
PRODUCTS_TABLE = "products"
PRODUCTS_FILES = {"part-1.csv": "1,widget,7\n2,gadget,3\n", "part-2.csv": "3,gizmo,12\n"}


@pytest.fixture(scope="session")
def products_table(user: GlueUser) -> tuple[str, str]:
    """A CSV table in the Data Catalog, declared the way Terraform's aws_glue_catalog_table does it."""
    location = data_uri("catalog", "products") + "/"
    for name, text in PRODUCTS_FILES.items():
        user.s3.put_object(Bucket=DATA_BUCKET, Key=f"catalog/products/{name}", Body=text.encode())
    user.glue.create_database(DatabaseInput={"Name": PRODUCTS_DATABASE, "Description": "compat suite"})
    user.glue.create_table(
        DatabaseName=PRODUCTS_DATABASE,
        TableInput={
            "Name": PRODUCTS_TABLE,
            "TableType": "EXTERNAL_TABLE",
            "Parameters": {"classification": "csv", "EXTERNAL": "TRUE"},
            "StorageDescriptor": {
                "Columns": [
                    {"Name": "id", "Type": "bigint"},
                    {"Name": "name", "Type": "string"},
                    {"Name": "qty", "Type": "int"},
                ],
                "Location": location,
                "InputFormat": "org.apache.hadoop.mapred.TextInputFormat",
                "OutputFormat": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
                "SerdeInfo": {
                    "SerializationLibrary": "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
                    "Parameters": {"field.delim": ",", "serialization.format": ","},
                },
            },
        },
    )
    return PRODUCTS_DATABASE, PRODUCTS_TABLE
