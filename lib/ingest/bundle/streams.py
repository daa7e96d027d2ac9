"""Where a bundle's bytes come from, bounded: regular files only, zips checked by their directory and again while they
stream, every byte counted against lib/ingest/limits.py; and what one read collects."""

from __future__ import annotations

import hashlib
import io
import os
import stat
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from lib.ingest import limits
from lib.ingest.bundle.spec import SPEC_BY_TABLE, RawRows, TableSpec
from lib.ingest.report import Problem

UNREADABLE = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError)
"""What reading a damaged zip member raises: a bad CRC, a truncated stream, an unsupported method, a password."""
SMALL = 1_000_000  # a zip member below this size is not held to the compression-ratio limit


class Stop(Exception):
    """A problem that ends the read at once (a limit, an unreadable container)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


@dataclass
class Reading:
    """What one read collects, and the bytes it has taken so far against the bundle's total."""

    shown: str
    rows: dict[str, RawRows] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    hasher: Any = field(default_factory=hashlib.sha256)
    total: int = 0

    def table_for(self, file_name: str, shown: str) -> TableSpec | None:
        """The table a file holds, or None after noting why not (unknown name, or the table given before)."""
        table = PurePosixPath(file_name).stem.lower()
        spec = SPEC_BY_TABLE.get(table)
        if spec is None:
            self.problems.append(Problem(shown, 0, "", f"not a table of the bundle format; expected one of {', '.join(SPEC_BY_TABLE)}"))
            return None
        if table in self.names:
            self.problems.append(Problem(shown, 0, "", f"table {table} is given twice (also {self.names[table]}): give each table once"))
            return None
        self.names[table] = shown
        return spec

    def take(self, count: int) -> None:
        """Count bytes read from the bundle's files against its total."""
        self.total += count
        if self.total > limits.TOTAL_BYTES.value:
            raise Stop(Problem(self.shown, 0, "", limits.TOTAL_BYTES.refusal("the bundle, uncompressed,")))


class Counted(io.RawIOBase):
    """A stream that counts (and hashes) what it reads and stops at the file limit, the bundle's total or a zip ratio."""

    def __init__(self, raw: IO[bytes], shown: str, reading: Reading, compressed: int | None = None, hashed: bool = True) -> None:
        super().__init__()
        self.raw, self.shown, self.reading, self.compressed, self.hashed = raw, shown, reading, compressed, hashed
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self.raw.readinto(buffer)
        if not n:
            return 0
        self.count += n
        if self.count > limits.FILE_BYTES.value:
            raise Stop(Problem(self.shown, 0, "", limits.FILE_BYTES.refusal("the file, uncompressed,")))
        if self.compressed is not None and self.count > max(SMALL, limits.ZIP_RATIO.value * self.compressed):
            raise Stop(Problem(self.shown, 0, "", limits.ZIP_RATIO.refusal(f"its expansion (past {self.count:,} bytes)")))
        self.reading.take(n)
        if self.hashed:
            self.reading.hasher.update(memoryview(buffer)[:n])
        return n


def read_head(stream: IO[bytes], most: int) -> tuple[bytes, bool, BaseException | None]:
    """Up to ``most`` bytes of the stream (counted as ever): the bytes, whether they are the whole of it, and the Stop or
    read error that ended it early (kept, not raised: :class:`Replay` raises it where the strict reader would meet it)."""
    head = bytearray()
    try:
        while len(head) <= most:
            chunk = stream.read(1 << 16)
            if not chunk:
                return bytes(head), True, None
            head += chunk
    except (Stop, *UNREADABLE) as failure:
        return bytes(head), False, failure
    return bytes(head), False, None


class Replay(io.RawIOBase):
    """The bytes :func:`read_head` took, then the rest of the stream, or the failure that cut it short: the strict
    reader reads exactly what it would have read from the stream itself."""

    def __init__(self, head: bytes, rest: IO[bytes], failure: BaseException | None) -> None:
        super().__init__()
        self.head, self.rest, self.failure, self.at = memoryview(head), rest, failure, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.at < len(self.head):
            n = min(len(buffer), len(self.head) - self.at)
            memoryview(buffer)[:n] = self.head[self.at:self.at + n]
            self.at += n
            return n
        if self.failure is not None:
            raise self.failure
        return self.rest.readinto(buffer)


def file_kind(path: Path, follow: bool = True) -> str:
    """'file', 'directory', or why the path is neither (raises Stop for the bundle path itself)."""
    try:
        mode = (os.stat if follow else os.lstat)(path).st_mode
    except OSError as exc:
        raise Stop(Problem(path.name, 0, "", f"cannot be read: {reason(exc)}")) from exc
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISDIR(mode):
        return "directory"
    kind = "a symbolic link" if stat.S_ISLNK(mode) else "a FIFO (named pipe)" if stat.S_ISFIFO(mode) else "a device or socket"
    if follow:
        raise Stop(Problem(path.name, 0, "", f"is {kind}, not a file: give a bundle folder or file"))
    return kind


@contextmanager
def open_regular(path: Path, follow: bool = False) -> Iterator[IO[bytes]]:
    """Open a file only if it is a regular file (a FIFO is opened non-blocking and refused at once).

    A bundle folder's files are opened without following symlinks; the bundle path itself, which the user
    named, may be one.
    """
    nofollow = 0 if follow else getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, os.O_RDONLY | nofollow | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise Stop(Problem(path.name, 0, "", f"cannot be opened: {reason(exc)}")) from exc
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise Stop(Problem(path.name, 0, "", "is not a regular file"))
    with os.fdopen(fd, "rb", buffering=0) as handle:
        yield handle


def zip_members(archive: zipfile.ZipFile, shown: str, reading: Reading) -> list[zipfile.ZipInfo]:
    """The zip's file entries, after checking its directory: count, encryption, method, sizes and ratios."""
    infos = archive.infolist()
    if len(infos) > limits.ZIP_MEMBERS.value:
        raise Stop(Problem(shown, 0, "", limits.ZIP_MEMBERS.refusal(f"the zip's count of {len(infos):,} entries")))
    declared = 0
    for info in infos:
        where = f"{shown}:{info.filename}"
        if info.flag_bits & 0x1:
            raise Stop(Problem(where, 0, "", "is encrypted: give a zip without a password"))
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA):
            raise Stop(Problem(where, 0, "", f"uses compression method {info.compress_type}, which cannot be read: re-zip it"))
        if info.file_size > limits.FILE_BYTES.value:
            raise Stop(Problem(where, 0, "", limits.FILE_BYTES.refusal(f"its declared size of {info.file_size:,} bytes")))
        if info.file_size > max(SMALL, limits.ZIP_RATIO.value * info.compress_size):
            raise Stop(Problem(where, 0, "", limits.ZIP_RATIO.refusal(
                f"its expansion to {info.file_size:,} bytes ({info.file_size / max(info.compress_size, 1):,.0f} times)")))
        declared += info.file_size
    if declared > limits.TOTAL_BYTES.value:
        raise Stop(Problem(shown, 0, "", limits.TOTAL_BYTES.refusal(f"its declared {declared:,} bytes uncompressed")))
    return [info for info in infos if not info.is_dir()]


def open_zip(path: Path, handle: IO[bytes]) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(handle)
    except UNREADABLE as exc:
        raise Stop(Problem(path.name, 0, "", f"not a readable zip: {reason(exc)}")) from exc


def hash_whole(handle: IO[bytes], shown: str, reading: Reading) -> None:
    """Hash a container file (bounded by the file limit), then rewind it for reading."""
    counted = Counted(handle, shown, reading)
    while counted.read(1 << 20):
        pass
    reading.total = 0  # the container's own bytes are not bundle content
    handle.seek(0)


def reason(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
