# ruff: noqa: N816 - glueContext is how AWS's samples and the console template name it
"""apply_mapping with dotted target names builds nested structs (and dotted sources read them)."""

import sys

from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext

args = getResolvedOptions(sys.argv, ["JOB_NAME", "input", "output"])

sc = SparkContext()
glueContext = GlueContext(sc)
job = Job(glueContext)
job.init(args["JOB_NAME"], args)

customers = glueContext.create_dynamic_frame.from_options(
    connection_type="s3", connection_options={"paths": [args["input"]]}, format="json"
)
shaped = customers.apply_mapping(
    [
        ("id", "long", "customer_id", "long"),
        ("city", "string", "address.city", "string"),
        ("zip", "string", "address.zip", "string"),
        ("profile.tier", "string", "tier", "string"),
    ]
)
glueContext.write_dynamic_frame.from_options(
    frame=shaped, connection_type="s3", connection_options={"path": args["output"]}, format="json"
)

job.commit()
