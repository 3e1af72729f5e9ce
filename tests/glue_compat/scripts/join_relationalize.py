# ruff: noqa: N816 - glueContext is how AWS's samples and the console template name it
"""The "join and relationalize" sample, on a small legislators-like data set: persons, memberships
and organizations joined into one history, then flattened into relational tables."""

import sys

from awsglue.context import GlueContext
from awsglue.job import Job
from awsglue.transforms import Join
from awsglue.utils import getResolvedOptions
from pyspark.context import SparkContext

args = getResolvedOptions(sys.argv, ["JOB_NAME", "TempDir", "persons", "memberships", "organizations", "output"])

sc = SparkContext()
glueContext = GlueContext(sc)
spark = glueContext.spark_session
job = Job(glueContext)
job.init(args["JOB_NAME"], args)


def read_json(path):
    return glueContext.create_dynamic_frame.from_options("s3", {"paths": [path]}, format="json")


persons = read_json(args["persons"])
memberships = read_json(args["memberships"])
orgs = read_json(args["organizations"])

orgs = orgs.drop_fields(["other_names", "identifiers"]).rename_field("id", "org_id").rename_field("name", "org_name")

l_history = Join.apply(
    orgs, Join.apply(persons, memberships, "id", "person_id"), "org_id", "organization_id"
).drop_fields(["person_id", "org_id"])
print("history rows:", l_history.count())

dfc = l_history.relationalize("hist_root", args["TempDir"])
for df_name in dfc.keys():  # noqa: SIM118 - a DynamicFrameCollection, not a dict
    glueContext.write_dynamic_frame.from_options(
        frame=dfc.select(df_name),
        connection_type="s3",
        connection_options={"path": f"{args['output']}/{df_name}/"},
        format="json",
    )

job.commit()
