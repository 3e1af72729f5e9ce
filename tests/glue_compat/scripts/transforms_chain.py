# ruff: noqa: N816 - glueContext is how AWS's samples and the console template name it
"""getSource/getSink and the record-level transforms Glue Studio scripts chain together:
Filter, Map, SelectFields, DropNullFields, RenameField."""

import sys

from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.transforms import DropNullFields, Filter, Map, RenameField, SelectFields
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext

args = getResolvedOptions(sys.argv, ["JOB_NAME", "input", "output"])

sc = SparkContext()
glueContext = GlueContext(sc)
job = Job(glueContext)
job.init(args["JOB_NAME"], args)

source = glueContext.getSource("s3", paths=[args["input"]], transformation_ctx="lines_source")
source.setFormat("json")
lines = source.getFrame()


def add_total(rec):
    rec["total"] = rec["qty"] * rec["price"]
    return rec


in_stock = Filter.apply(frame=lines, f=lambda rec: rec["qty"] > 0, transformation_ctx="in_stock")
with_total = Map.apply(frame=in_stock, f=add_total, transformation_ctx="with_total")
selected = SelectFields.apply(frame=with_total, paths=["sku", "total", "note"], transformation_ctx="selected")
no_nulls = DropNullFields.apply(frame=selected, transformation_ctx="no_nulls")
renamed = RenameField.apply(frame=no_nulls, old_name="sku", new_name="product", transformation_ctx="renamed")

sink = glueContext.getSink(connection_type="s3", path=args["output"], transformation_ctx="lines_sink")
sink.setFormat("parquet")
sink.writeFrame(renamed)

job.commit()
