"""Plain PySpark, no Glue libraries: read a CSV from S3, aggregate, write Parquet to S3."""

import argparse
import sys

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

parser = argparse.ArgumentParser(allow_abbrev=False)
parser.add_argument("--input", required=True)
parser.add_argument("--output", required=True)
args, _glue_arguments = parser.parse_known_args(sys.argv[1:])

spark = SparkSession.builder.appName("plain-pyspark").getOrCreate()

orders = spark.read.option("header", "true").option("inferSchema", "true").csv(args.input)
totals = orders.groupBy("customer").agg(F.sum("qty").alias("total_qty"), F.count("*").alias("orders"))
totals.write.mode("overwrite").parquet(args.output)
