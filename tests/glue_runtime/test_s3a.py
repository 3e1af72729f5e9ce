"""S3 sources over S3A against the real AWS endpoint: listing, bookmarks by key + last-modified, empty prefixes.

S3A is pointed at the test endpoint with per-bucket Hadoop settings (``fs.s3a.bucket.<name>.*``), so
the session-wide SparkSession is not reconfigured for anyone else.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from awsglue._bookmarks import BookmarkSession, BookmarkState
from awsglue.context import GlueContext
from awsglue.errors import GlueRuntimeError

from emulator.clients import aws_client
from tests.emulator.servers import AwsThread


@pytest.fixture
def bucket(aws_endpoint: AwsThread, glue_context: GlueContext) -> tuple[str, Any]:
    name = f"h1-{uuid.uuid4().hex[:10]}"
    s3 = aws_client(aws_endpoint.settings, "s3")
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": s3.meta.region_name})
    env = aws_endpoint.settings.client_environment()
    conf = glue_context.spark_session.sparkContext._jsc.hadoopConfiguration()  # type: ignore[union-attr]
    for key, value in {
        "endpoint": aws_endpoint.settings.aws_endpoint,
        "path.style.access": "true",
        "connection.ssl.enabled": "false",
        "access.key": env["AWS_ACCESS_KEY_ID"],
        "secret.key": env["AWS_SECRET_ACCESS_KEY"],
        "aws.credentials.provider": "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider",
    }.items():
        conf.set(f"fs.s3a.bucket.{name}.{key}", value)
    return name, s3


def _read(ctx: GlueContext, uri: str) -> list[str]:
    frame = ctx.create_dynamic_frame.from_options(
        connection_type="s3", connection_options={"paths": [uri], "recurse": True}, format="csv",
        transformation_ctx="src",
    )  # fmt: skip
    return sorted(r["col0"] for r in frame.toDF().collect())


def test_bookmarks_over_s3_objects(bucket: tuple[str, Any], glue_context: GlueContext) -> None:
    name, s3 = bucket
    s3.put_object(Bucket=name, Key="in/a.csv", Body=b"a\n")
    s3.put_object(Bucket=name, Key="in/deep/b.csv", Body=b"b\n")
    s3.put_object(Bucket=name, Key="in/_SUCCESS", Body=b"")
    session = BookmarkSession("job-bookmark-enable", BookmarkState())
    glue_context.bookmarks = session
    try:
        assert _read(glue_context, f"s3a://{name}/in/") == ["a", "b"]
        assert sorted(session.committed().contexts["src"]) == [f"s3a://{name}/in/a.csv", f"s3a://{name}/in/deep/b.csv"]
        glue_context.bookmarks = BookmarkSession("job-bookmark-enable", session.committed())
        s3.put_object(Bucket=name, Key="in/c.csv", Body=b"c\n")
        assert _read(glue_context, f"s3a://{name}/in/") == ["c"]
    finally:
        glue_context.bookmarks = None


def test_an_empty_prefix_is_an_empty_frame_as_on_glue(bucket: tuple[str, Any], glue_context: GlueContext) -> None:
    name, _s3 = bucket
    assert _read(glue_context, f"s3a://{name}/nothing/here/") == []


def test_a_local_path_that_does_not_exist_is_an_error(glue_context: GlueContext) -> None:
    with pytest.raises(GlueRuntimeError, match="does not exist"):
        _read(glue_context, "file:///no/such/dir")
