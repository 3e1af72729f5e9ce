# ruff: noqa: N816 - glueContext is how AWS's samples and the console template name it
"""Iceberg on Glue as AWS documents it: the catalog comes from --datalake-formats and --conf, the
script only speaks SQL to glue_catalog: create, insert, then MERGE INTO an upsert."""

import sys

from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext

args = getResolvedOptions(sys.argv, ["JOB_NAME", "database", "table"])

sc = SparkContext()
glueContext = GlueContext(sc)
spark = glueContext.spark_session
job = Job(glueContext)
job.init(args["JOB_NAME"], args)

table = f"glue_catalog.{args['database']}.{args['table']}"
spark.sql(f"CREATE DATABASE IF NOT EXISTS glue_catalog.{args['database']}")
spark.sql(f"CREATE TABLE {table} (id bigint, name string, tier string) USING iceberg")
spark.sql(f"INSERT INTO {table} VALUES (1, 'Ana', 'gold'), (2, 'Ben', 'silver'), (3, 'Cy', 'bronze')")

updates = spark.createDataFrame([(2, "Ben", "gold"), (4, "Di", "silver")], "id bigint, name string, tier string")
updates.createOrReplaceTempView("tier_updates")
spark.sql(f"""
    MERGE INTO {table} t
    USING tier_updates s
    ON t.id = s.id
    WHEN MATCHED THEN UPDATE SET *
    WHEN NOT MATCHED THEN INSERT *
""")
spark.sql(f"SELECT * FROM {table} ORDER BY id").show()

job.commit()
