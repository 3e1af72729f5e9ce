# ruff: noqa: N816 - glueContext is how AWS's samples and the console template name it
"""JSON whose "price" is a number in some records and a string in others: resolveChoice two ways
(--project is the second action: project:string, or cast:string),
back to a DataFrame to join the two, fromDF to write the result as a DynamicFrame."""

import sys

from awsglue.context import GlueContext
from awsglue.dynamicframe import DynamicFrame
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext

args = getResolvedOptions(sys.argv, ["JOB_NAME", "input", "output", "project"])

sc = SparkContext()
glueContext = GlueContext(sc)
spark = glueContext.spark_session
job = Job(glueContext)
job.init(args["JOB_NAME"], args)

items = glueContext.create_dynamic_frame.from_options(
    connection_type="s3", connection_options={"paths": [args["input"]]}, format="json"
)
items.printSchema()

as_long = items.resolveChoice(specs=[("price", "cast:long")]).toDF()
as_string = items.resolveChoice(specs=[("price", args["project"])]).toDF()

both = as_long.select("id", as_long["price"].alias("price_long")).join(
    as_string.select("id", as_string["price"].alias("price_string")), on="id"
)
result = DynamicFrame.fromDF(both, glueContext, "prices")
glueContext.write_dynamic_frame.from_options(
    frame=result, connection_type="s3", connection_options={"path": args["output"]}, format="parquet"
)

job.commit()
