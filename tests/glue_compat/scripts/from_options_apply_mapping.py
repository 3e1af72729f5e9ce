# ruff: noqa: N816 - glueContext is how AWS's samples and the console template name it
"""CSV from S3 as a DynamicFrame, ApplyMapping to typed columns, a partitioned Parquet sink."""

import sys

from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.transforms import ApplyMapping
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext

args = getResolvedOptions(sys.argv, ["JOB_NAME", "input", "output", "output_format"])

sc = SparkContext()
glueContext = GlueContext(sc)
spark = glueContext.spark_session
job = Job(glueContext)
job.init(args["JOB_NAME"], args)

orders = glueContext.create_dynamic_frame.from_options(
    connection_type="s3",
    connection_options={"paths": [args["input"]], "recurse": True},
    format="csv",
    format_options={"withHeader": True, "separator": ","},
    transformation_ctx="orders_source",
)

mapped = ApplyMapping.apply(
    frame=orders,
    mappings=[
        ("order_id", "string", "order_id", "long"),
        ("customer", "string", "customer_name", "string"),
        ("amount", "string", "amount", "double"),
        ("country", "string", "country", "string"),
    ],
    transformation_ctx="orders_mapping",
)

glueContext.write_dynamic_frame.from_options(
    frame=mapped,
    connection_type="s3",
    connection_options={"path": args["output"], "partitionKeys": ["country"]},
    format=args["output_format"],
    transformation_ctx="orders_sink",
)

job.commit()
