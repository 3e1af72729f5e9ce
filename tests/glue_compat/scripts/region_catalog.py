# ruff: noqa: N816 - glueContext is how AWS's samples and the console template name it
"""A job in us-east-1 reading its Data Catalog table: the region is the one the run was started in."""

import os
import sys

from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext
from pyspark.sql import functions as F

args = getResolvedOptions(sys.argv, ["JOB_NAME", "database", "table", "output"])

sc = SparkContext()
glueContext = GlueContext(sc)
spark = glueContext.spark_session
job = Job(glueContext)
job.init(args["JOB_NAME"], args)

stores = glueContext.create_dynamic_frame.from_catalog(database=args["database"], table_name=args["table"]).toDF()
region = os.environ.get("AWS_REGION", "<unset>")
stores.withColumn("job_region", F.lit(region)).write.mode("overwrite").json(args["output"])

job.commit()
