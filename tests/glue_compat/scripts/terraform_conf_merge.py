"""A job whose catalog comes only from its --conf (exactly what Terraform renders for dev):
two-part names in the default catalog, a MERGE, nothing about the environment in the script."""

import sys

from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext

args = getResolvedOptions(sys.argv, ["JOB_NAME", "namespace"])
glue_context = GlueContext(SparkContext.getOrCreate())
spark = glue_context.spark_session
job = Job(glue_context)
job.init(args["JOB_NAME"], args)

table = f"{args['namespace']}.accounts"
spark.sql(f"CREATE NAMESPACE IF NOT EXISTS {args['namespace']}")
spark.sql(f"CREATE TABLE IF NOT EXISTS {table} (id int, balance int) USING iceberg")
spark.sql(f"INSERT INTO {table} VALUES (1, 10), (2, 20)")
spark.createDataFrame([(2, 25), (3, 30)], "id int, balance int").createOrReplaceTempView("changes")
spark.sql(f"""
    MERGE INTO {table} t USING changes c ON t.id = c.id
    WHEN MATCHED THEN UPDATE SET t.balance = c.balance
    WHEN NOT MATCHED THEN INSERT *
""")
job.commit()
