# ruff: noqa: N816 - glueContext is how AWS's samples and the console template name it
"""The boilerplate every Glue job starts with, then plain DataFrames: JSON events in, daily CSV out."""

import sys

from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.transforms import *  # noqa: F403 - what the console's script template writes
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext
from pyspark.sql import functions as F

args = getResolvedOptions(sys.argv, ["JOB_NAME", "input", "output"])

sc = SparkContext()
glueContext = GlueContext(sc)
spark = glueContext.spark_session
job = Job(glueContext)
job.init(args["JOB_NAME"], args)
logger = glueContext.get_logger()

events = spark.read.json(args["input"])
logger.info(f"read {events.count()} events from {args['input']}")

daily = (
    events.filter(F.col("status") == "ok")
    .groupBy("day")
    .agg(F.countDistinct("user").alias("users"), F.sum("clicks").alias("clicks"))
    .withColumn("job_name", F.lit(args["JOB_NAME"]))
)
daily.coalesce(1).write.mode("overwrite").option("header", "true").csv(args["output"])

job.commit()
