# ruff: noqa: N816 - glueContext is how AWS's samples and the console template name it
"""An incremental job: with job bookmarks enabled, each run copies only the files it has not seen."""

import sys

from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext

args = getResolvedOptions(sys.argv, ["JOB_NAME", "input", "output", "fail_before_commit"])

sc = SparkContext()
glueContext = GlueContext(sc)
job = Job(glueContext)
job.init(args["JOB_NAME"], args)

events = glueContext.create_dynamic_frame.from_options(
    connection_type="s3",
    connection_options={"paths": [args["input"]], "recurse": True},
    format="csv",
    format_options={"withHeader": True, "separator": ","},
    transformation_ctx="events_source",
)
glueContext.write_dynamic_frame.from_options(
    frame=events,
    connection_type="s3",
    connection_options={"path": args["output"]},
    format="json",
    transformation_ctx="events_sink",
)

if args["fail_before_commit"] == "true":
    raise RuntimeError("failing on purpose after the read, before job.commit()")

job.commit()
