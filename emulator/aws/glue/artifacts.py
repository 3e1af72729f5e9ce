"""Fetch what a run executes from the emulator's S3: the script and every ``--extra-py-files`` entry.

So a run executes exactly what was deployed (uploaded by ``just deploy-local`` or the API
deploy), not the working tree.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError


class ArtifactError(Exception):
    """A script or library named by the job cannot be fetched."""


@dataclass(frozen=True)
class Artifacts:
    script: Path
    python_path: list[Path]  # entries for PYTHONPATH, in the order Glue adds them


def split_s3_uri(uri: str) -> tuple[str, str]:
    if not uri.startswith(("s3://", "s3a://")) or "/" not in uri.split("://", 1)[1]:
        raise ArtifactError(f"{uri!r} is not an s3://bucket/key URI")
    bucket, _, key = uri.split("://", 1)[1].partition("/")
    return bucket, key


def download(s3: Any, uri: str, target: Path, what: str) -> Path:
    """``uri`` into ``target``; the target's name comes from the key and must be a plain file name."""
    bucket, key = split_s3_uri(uri)
    if not key or key.endswith("/") or target.name in {"", ".", ".."}:
        raise ArtifactError(f"{what} {uri} does not name an S3 object (its key must end in a file name)")
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        s3.download_file(bucket, key, str(target))
    except ClientError as e:
        code = e.response.get("Error", {}).get("Code", "")
        if code in {"404", "NoSuchKey", "NoSuchBucket"}:
            raise ArtifactError(f"{what} {uri} does not exist in S3: upload it first (just deploy-local)") from e
        raise ArtifactError(f"cannot fetch {what} {uri}: {e}") from e
    return target


def fetch(s3: Any, script_location: str, extra_py_files: str | None, run_dir: Path) -> Artifacts:
    """Download the script into ``run_dir`` and the libraries into ``run_dir/py``."""
    script = download(s3, script_location, run_dir / Path(split_s3_uri(script_location)[1]).name, "script")
    python_path: list[Path] = []
    for uri in filter(None, (u.strip() for u in (extra_py_files or "").split(","))):
        local = download(s3, uri, run_dir / "py" / Path(split_s3_uri(uri)[1]).name, "--extra-py-files entry")
        # .py files are imported from their folder; .zip and .whl archives are path entries themselves.
        entry = local.parent if local.suffix == ".py" else local
        if entry not in python_path:
            python_path.append(entry)
    return Artifacts(script=script, python_path=python_path)
