# ruff: noqa: N816 - glueContext is how AWS's samples and the console template name it
"""With --enable-glue-datacatalog, Spark SQL's default catalog is the Glue Data Catalog."""

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

big = spark.sql(f"SELECT id, name, qty FROM {args['database']}.{args['table']} WHERE qty >= 5")
big.write.mode("overwrite").parquet(args["output"])

job.commit()
