"""The stack's buckets (raw, curated = the warehouse, artifacts) exist as soon as the endpoint answers.

Created through the endpoint itself, so a durable endpoint journals them like any client's
CreateBucket; a bucket that already exists (durable state, or a client made it) is left alone.
"""

from __future__ import annotations

from collections.abc import Iterable

from emulator.aws.persistence import WsgiApp, call, request_environ
from emulator.settings import Settings


class BucketError(RuntimeError):
    """A stack bucket could not be created; the message carries the endpoint's answer."""


def stack_buckets(settings: Settings) -> tuple[str, ...]:
    config = settings.lakehouse
    return config.raw_bucket, config.curated_bucket, config.artifacts_bucket


def _s3_request(app: WsgiApp, method: str, bucket: str, region: str, body: bytes = b"") -> tuple[int, bytes]:
    credential = f"Credential=test/20260101/{region}/s3/aws4_request"
    environ = request_environ(
        {"REQUEST_METHOD": method, "PATH_INFO": f"/{bucket}", "HTTP_HOST": "localhost",
         "HTTP_AUTHORIZATION": f"AWS4-HMAC-SHA256 {credential}, SignedHeaders=host, Signature=0"},
        body,
    )  # fmt: skip
    status, _, payload = call(app, environ)
    return int(status.split(" ", 1)[0]), payload


def ensure_buckets(app: WsgiApp, names: Iterable[str], region: str) -> list[str]:
    """Create each missing bucket in ``region``; returns the names created."""
    created = []
    configuration = (
        b"" if region == "us-east-1" else
        f"<CreateBucketConfiguration><LocationConstraint>{region}</LocationConstraint></CreateBucketConfiguration>".encode()
    )  # fmt: skip
    for name in names:
        if _s3_request(app, "HEAD", name, region)[0] == 200:
            continue
        status, payload = _s3_request(app, "PUT", name, region, configuration)
        if status != 200:
            raise BucketError(f"cannot create the stack bucket {name} in {region}: {status} {payload[:300]!r}")
        created.append(name)
    return created
