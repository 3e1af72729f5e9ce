"""Reads a settings file that --extra-files copied into the script's working directory."""

import json
import sys

from awsglue.utils import getResolvedOptions
from pyspark.sql import SparkSession

args = getResolvedOptions(sys.argv, ["JOB_NAME", "output"])

with open("thresholds.json") as settings_file:
    thresholds = json.load(settings_file)

spark = SparkSession.builder.getOrCreate()
levels = spark.createDataFrame([(name, value) for name, value in sorted(thresholds.items())], "level string, min int")
levels.write.mode("overwrite").parquet(args["output"])
