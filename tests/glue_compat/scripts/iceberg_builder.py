"""An Iceberg catalog configured in the script itself with the Glue Data Catalog settings AWS's
Iceberg docs give (no --conf): the session builder names GlueCatalog and S3FileIO."""

import sys

from awsglue.utils import getResolvedOptions
from pyspark.sql import SparkSession

args = getResolvedOptions(sys.argv, ["JOB_NAME", "warehouse", "database", "table"])

spark = (
    SparkSession.builder.config(
        "spark.sql.extensions", "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions"
    )
    .config("spark.sql.catalog.glue_catalog", "org.apache.iceberg.spark.SparkCatalog")
    .config("spark.sql.catalog.glue_catalog.warehouse", args["warehouse"])
    .config("spark.sql.catalog.glue_catalog.catalog-impl", "org.apache.iceberg.aws.glue.GlueCatalog")
    .config("spark.sql.catalog.glue_catalog.io-impl", "org.apache.iceberg.aws.s3.S3FileIO")
    .getOrCreate()
)

table = f"glue_catalog.{args['database']}.{args['table']}"
spark.sql(f"CREATE DATABASE IF NOT EXISTS glue_catalog.{args['database']}")

readings = spark.createDataFrame(
    [("s1", "2026-11-25", 20), ("s2", "2026-11-25", 22)], "sensor string, day string, celsius int"
)
readings.writeTo(table).using("iceberg").createOrReplace()
spark.createDataFrame([("s1", "2026-11-26", 19)], "sensor string, day string, celsius int").writeTo(table).append()
spark.sql(f"DELETE FROM {table} WHERE sensor = 's2'")
spark.table(table).show()
