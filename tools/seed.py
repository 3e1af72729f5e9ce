"""Copy the domains' sample data (``jobs/<domain>/sample_data/``) into a raw zone.

The sample tree mirrors the raw zone: ``jobs/sales/sample_data/orders/ingest_date=…/`` lands
at ``<raw root>/sales/orders/ingest_date=…/``. The raw root is a local directory
(``file://`` or a path) or ``s3://bucket[/prefix]`` on the configured S3 endpoint.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tools.manifest import JOBS_ROOT


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
