"""Listing and deleting files through Hadoop's FileSystem (py4j), so s3:// (S3A) and file:// behave alike."""

from __future__ import annotations

import fnmatch
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pyspark.sql import SparkSession

from awsglue.errors import GlueRuntimeError

_GLOB_CHARS = re.compile(r"[*?\[{]")
_OBJECT_STORE_SCHEMES = ("s3", "s3a", "s3n")
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FileInfo:
    """One data file: its full URI and last-modified time (ms since the epoch)."""

    path: str
    modified_ms: int


def _fs_and_path(spark: SparkSession, uri: str) -> tuple[Any, Any]:
    jvm = spark.sparkContext._jvm
    assert jvm is not None
    path = jvm.org.apache.hadoop.fs.Path(uri)
    return path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()), path


def _hidden(relative: str) -> bool:
    # Spark ignores files and directories whose names start with _ or . (_SUCCESS, .crc…)
    return any(part.startswith(("_", ".")) for part in relative.split("/") if part)


def list_files(spark: SparkSession, uris: Sequence[str], recurse: bool) -> list[FileInfo]:
    """The visible files at or under each URI (globs allowed), sorted by path."""
    found: dict[str, FileInfo] = {}
    for uri in uris:
        for info in _list_one(spark, uri, recurse):
            found[info.path] = info
    return sorted(found.values(), key=lambda f: f.path)


def _list_one(spark: SparkSession, uri: str, recurse: bool) -> list[FileInfo]:
    fs, path = _fs_and_path(spark, uri)
    roots = list(fs.globStatus(path) or []) if _GLOB_CHARS.search(uri) else []
    if not _GLOB_CHARS.search(uri):
        if not fs.exists(path):
            if uri.split("://", 1)[0] in _OBJECT_STORE_SCHEMES:
                # S3 has no directories: a prefix without objects is an empty input, as on Glue.
                _log.warning("no objects under %s: reading nothing from it", uri)
                return []
            raise GlueRuntimeError(f"path {uri!r} does not exist")
        roots = [fs.getFileStatus(path)]
    files: list[FileInfo] = []
    for root in roots:
        if root.isFile():
            files.append(FileInfo(root.getPath().toString(), int(root.getModificationTime())))
            continue
        base = root.getPath().toString().rstrip("/")
        iterator = fs.listFiles(root.getPath(), recurse)
        while iterator.hasNext():
            status = iterator.next()
            full = status.getPath().toString()
            if not _hidden(full[len(base) :]):
                files.append(FileInfo(full, int(status.getModificationTime())))
    return files


def glob_regex(pattern: str) -> re.Pattern[str]:
    """Glue's exclusion globs: ``**`` crosses ``/``, ``*`` and ``?`` stay inside one path segment."""
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("^" + "".join(out) + "$")


def exclude(files: Sequence[FileInfo], patterns: Sequence[str]) -> list[FileInfo]:
    regexes = [glob_regex(p) for p in patterns]
    return [f for f in files if not any(r.match(f.path) or r.match(_bucket_relative(f.path)) for r in regexes)]


def _bucket_relative(uri: str) -> str:
    """``s3://bucket/a/b.csv`` → ``a/b.csv`` (patterns may be written either way)."""
    rest = uri.split("://", 1)[-1]
    return rest.split("/", 1)[1] if "/" in rest else rest


def delete_older_than(spark: SparkSession, uri: str, cutoff_ms: int, keep: Sequence[str] = ()) -> list[str]:
    """Delete the files under ``uri`` last modified before ``cutoff_ms``; returns their paths."""
    fs, path = _fs_and_path(spark, uri)
    if not fs.exists(path):
        return []
    deleted = []
    for info in list_files(spark, [uri], recurse=True):
        if info.modified_ms < cutoff_ms and not any(fnmatch.fnmatch(info.path, k) for k in keep):
            target_fs, target = _fs_and_path(spark, info.path)
            target_fs.delete(target, False)
            deleted.append(info.path)
    return deleted
