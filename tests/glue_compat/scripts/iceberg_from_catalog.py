# ruff: noqa: N816 - glueContext is how AWS's samples and the console template name it
"""An Iceberg table of the Data Catalog through GlueContext, as AWS's Iceberg page shows it:
write_data_frame.from_catalog appends, create_dynamic_frame.from_catalog reads."""

import sys

from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext

args = getResolvedOptions(sys.argv, ["JOB_NAME", "database", "table", "output"])

sc = SparkContext()
glueContext = GlueContext(sc)
spark = glueContext.spark_session
job = Job(glueContext)
job.init(args["JOB_NAME"], args)

database, table = args["database"], args["table"]
spark.sql(f"CREATE DATABASE IF NOT EXISTS glue_catalog.{database}")
spark.sql(f"CREATE TABLE glue_catalog.{database}.{table} (id bigint, city string) USING iceberg")
spark.sql(f"INSERT INTO glue_catalog.{database}.{table} VALUES (1, 'Lisbon'), (2, 'Porto')")

more = spark.createDataFrame([(3, "Faro")], "id bigint, city string")
glueContext.write_data_frame.from_catalog(frame=more, database=database, table_name=table)

cities = glueContext.create_dynamic_frame.from_catalog(database=database, table_name=table)
glueContext.write_dynamic_frame.from_options(
    frame=cities, connection_type="s3", connection_options={"path": args["output"]}, format="parquet"
)

job.commit()
