# ruff: noqa: N816 - glueContext is how AWS's samples and the console template name it
"""Read a Data Catalog table (created by Terraform or a crawler), map its columns, write Parquet."""

import sys

from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.transforms import ApplyMapping
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext

args = getResolvedOptions(sys.argv, ["JOB_NAME", "database", "table", "output"])

sc = SparkContext()
glueContext = GlueContext(sc)
spark = glueContext.spark_session
job = Job(glueContext)
job.init(args["JOB_NAME"], args)

products = glueContext.create_dynamic_frame.from_catalog(
    database=args["database"], table_name=args["table"], transformation_ctx="products_source"
)
mapped = ApplyMapping.apply(
    frame=products,
    mappings=[
        ("id", "long", "product_id", "long"),
        ("name", "string", "product_name", "string"),
        ("qty", "int", "qty", "int"),
    ],
    transformation_ctx="products_mapping",
)
glueContext.write_dynamic_frame.from_options(
    frame=mapped, connection_type="s3", connection_options={"path": args["output"]}, format="parquet"
)

job.commit()
