"""An append-only file of records, each on disk (fdatasync) before ``append`` returns.

A record is ``MAGIC | header length | body length | CRC-32 | header (JSON) | body``. A process
killed mid-append leaves a torn last record: ``read`` stops there and truncates it away (its
request was never acknowledged, since acknowledging happens after ``append`` returns).
"""

from __future__ import annotations

import json
import logging
import os
import struct
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAGIC = b"LHJ1"
_log = logging.getLogger("emulator.aws.journal")
_PREFIX = struct.Struct(">4sIQI")


@dataclass(frozen=True)
class Record:
    seq: int
    header: dict[str, Any]
    body: bytes


def _sync(fd: int) -> None:
    (os.fdatasync if hasattr(os, "fdatasync") else os.fsync)(fd)


def sync_directory(path: Path) -> None:
    """Make a file's creation or rename in ``path`` durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _encode(header: dict[str, Any], body: bytes) -> bytes:
    head = json.dumps(header, separators=(",", ":")).encode()
    return _PREFIX.pack(MAGIC, len(head), len(body), zlib.crc32(head + body)) + head + body


def _decode(data: bytes, offset: int) -> tuple[Record, int] | None:
    """The record at ``offset`` and the offset after it, or None if it is torn or corrupt."""
    end = offset + _PREFIX.size
    if end > len(data):
        return None
    magic, head_len, body_len, crc = _PREFIX.unpack_from(data, offset)
    if magic != MAGIC or end + head_len + body_len > len(data):
        return None
    head, body = data[end : end + head_len], data[end + head_len : end + head_len + body_len]
    if zlib.crc32(head + body) != crc:
        return None
    header = json.loads(head)
    return Record(int(header["seq"]), header, bytes(body)), end + head_len + body_len


class Journal:
    """One journal file; ``append`` is thread-safe and durable when it returns."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._fd: int | None = None
        self.size = 0
        self.next_seq = 1

    def read(self) -> Iterator[Record]:
        """Every intact record in order; a torn tail is cut off (reported on stderr)."""
        if not self.path.is_file():
            return
        data = self.path.read_bytes()
        offset = 0
        while offset < len(data):
            decoded = _decode(data, offset)
            if decoded is None:
                _log.warning("journal %s: dropping %d bytes of an unfinished write at offset %d (never acknowledged)",
                             self.path, len(data) - offset, offset)  # fmt: skip
                with self.path.open("r+b") as file:
                    file.truncate(offset)
                    _sync(file.fileno())
                return
            record, offset = decoded
            yield record

    def open(self, next_seq: int) -> None:
        self.next_seq = next_seq
        created = not self.path.exists()
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        self.size = os.fstat(self._fd).st_size
        if created:
            sync_directory(self.path.parent)

    def append(self, header: dict[str, Any], body: bytes = b"") -> int:
        """Write one record and return its sequence number once it is on disk."""
        with self._lock:
            if self._fd is None:
                raise RuntimeError(f"journal {self.path} is not open")
            seq = self.next_seq
            data = _encode({**header, "seq": seq}, body)
            written = 0
            while written < len(data):
                written += os.write(self._fd, data[written:])
            _sync(self._fd)
            self.size += len(data)
            self.next_seq = seq + 1
            return seq

    def truncate(self) -> None:
        """Empty the journal (after a snapshot made its records redundant)."""
        with self._lock:
            if self._fd is not None:
                os.ftruncate(self._fd, 0)
                _sync(self._fd)
                self.size = 0

    def close(self) -> None:
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
