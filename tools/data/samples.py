"""The domains' sample data (``jobs/<domain>/sample_data/``), copied into a raw zone; ``just seed``.

The sample tree mirrors the raw zone: ``jobs/sales/sample_data/orders/ingest_date=…/`` lands
at ``<raw root>/sales/orders/ingest_date=…/``. The raw root is a local directory
(``file://`` or a path) or ``s3://bucket[/prefix]`` on the configured S3 endpoint; ``just seed``
uploads it to the running lakehouse's raw bucket.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tools.repository import JOBS_ROOT

if TYPE_CHECKING:
    from emulator.settings import Settings


def sample_files(root: Path = JOBS_ROOT) -> Iterator[tuple[Path, str]]:
    """(local file, key under the raw root) for every sample file of every domain."""
    for domain_dir in sorted(p for p in root.iterdir() if (p / "sample_data").is_dir()):
        base = domain_dir / "sample_data"
        for file in sorted(base.rglob("*")):
            if file.is_file():
                yield file, f"{domain_dir.name}/{file.relative_to(base).as_posix()}"


def seed(raw_root: str, *, s3_client: Any = None) -> list[str]:
    """Copy every sample file under ``raw_root``; returns the destination URIs."""
    written = []
    if raw_root.startswith(("s3://", "s3a://")):
        bucket, _, prefix = raw_root.split("://", 1)[1].partition("/")
        if s3_client is None:
            raise ValueError("seeding an s3:// raw root needs an S3 client")
        for file, key in sample_files():
            full_key = f"{prefix.strip('/')}/{key}".lstrip("/")
            s3_client.upload_file(str(file), bucket, full_key)
            written.append(f"s3://{bucket}/{full_key}")
        return written
    base = Path(raw_root.removeprefix("file://"))
    for file, key in sample_files():
        target = base / key
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(file, target)
        written.append(target.as_uri())
    return written


def seed_raw(settings: Settings) -> list[str]:
    """Upload the sample data to the raw bucket (``just up`` or the Terraform apply made it)."""
    from botocore.exceptions import ClientError

    from emulator.clients import aws_client

    bucket = settings.lakehouse.raw_bucket
    s3 = aws_client(settings, "s3")
    try:
        s3.head_bucket(Bucket=bucket)
    except ClientError as e:
        raise LookupError(f"no bucket {bucket} on the lakehouse: `just up` creates it, `just deploy-local` too") from e
    return seed(f"s3://{bucket}", s3_client=s3)


def seed_command(argv: list[str]) -> int:
    """``just seed``."""
    from emulator.settings import load_settings
    from tools.lakehouse import require_running

    argparse.ArgumentParser(prog="just seed", description="Upload the sample data to the raw bucket").parse_args(argv)
    settings = load_settings()
    require_running(settings)
    try:
        uploaded = seed_raw(settings)
    except LookupError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    for uri in uploaded:
        print(uri)
    return 0
