"""pyiceberg FileIO properties for the stack's S3: what the catalog server and its clients (tools, tests)
both use, kept out of server.py so a client imports no server module."""

from __future__ import annotations

from emulator.settings import Settings


def s3_properties(settings: Settings, endpoint: str) -> dict[str, str]:
    """pyiceberg FileIO properties for the warehouse's S3 (path-style; the stack's static test
    credentials unless LAKEHOUSE_S3_* name others)."""
    env = settings.client_environment()
    key_id, secret = settings.s3_credentials or (env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"])
    return {
        "s3.endpoint": endpoint,
        "s3.access-key-id": key_id,
        "s3.secret-access-key": secret,
        "s3.region": settings.lakehouse.region,
        "s3.force-virtual-addressing": "false",
    }
