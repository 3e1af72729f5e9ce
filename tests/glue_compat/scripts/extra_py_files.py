# ruff: noqa: N816 - glueContext is how AWS's samples and the console template name it
"""Uses a helper package shipped as a zip with --extra-py-files, on the driver and in a UDF."""

import sys

from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from compat_helpers.names import normalise_name
from pyspark.context import SparkContext
from pyspark.sql import functions as F
from pyspark.sql import types as T

args = getResolvedOptions(sys.argv, ["JOB_NAME", "output"])

sc = SparkContext()
glueContext = GlueContext(sc)
spark = glueContext.spark_session
job = Job(glueContext)
job.init(args["JOB_NAME"], args)

print("driver sees:", normalise_name("  ada   LOVELACE "))
people = spark.createDataFrame([(1, "  ada   LOVELACE "), (2, "grace hopper")], "id int, raw_name string")
normalise = F.udf(normalise_name, T.StringType())
people.withColumn("name", normalise("raw_name")).select("id", "name").write.mode("overwrite").parquet(args["output"])

job.commit()
