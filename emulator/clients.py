"""boto3 clients for this stack's AWS endpoint (what tools, tests and the emulator itself use)."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config as BotoConfig

from emulator.settings import Settings


def aws_client(settings: Settings, service: str, *, region: str | None = None) -> Any:
    env = settings.client_environment()
    return boto3.client(
        service,
        region_name=region or env["AWS_DEFAULT_REGION"],
        endpoint_url=settings.aws_endpoint,
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        config=BotoConfig(retries={"max_attempts": 3, "mode": "standard"}),
    )
