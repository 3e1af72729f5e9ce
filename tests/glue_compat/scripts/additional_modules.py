# ruff: noqa: N816 - glueContext is how AWS's samples and the console template name it
"""Uses a PyPI package Glue does not preinstall, installed with --additional-python-modules."""

import sys

import tabulate as tabulate_module
from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext
from tabulate import tabulate

args = getResolvedOptions(sys.argv, ["JOB_NAME", "output"])

sc = SparkContext()
glueContext = GlueContext(sc)
spark = glueContext.spark_session
job = Job(glueContext)
job.init(args["JOB_NAME"], args)

stock = spark.createDataFrame([("apple", 3), ("pear", 10), ("fig", 125)], "fruit string, qty int")
report = tabulate([tuple(r) for r in stock.collect()], headers=["fruit", "qty"], tablefmt="github")
print(f"tabulate {tabulate_module.__version__}")
print(report)
spark.createDataFrame([(report,)], "value string").coalesce(1).write.mode("overwrite").text(args["output"])

job.commit()
