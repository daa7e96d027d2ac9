"""Opening a dataset file (plain, .gz, or a .zip of one file) and checking it against the limits before DuckDB reads it.

The check streams the unpacked text once in 1 MB blocks, in C-level bytes
operations (split, len, count: no Python step per field), and stops at the
first line past a limit, so a hostile file costs seconds and a few MB. A zip is
unpacked in the same pass (DuckDB cannot read zips here); the unpacked size is
counted as it is produced, never taken from the archive's own header.
"""

from __future__ import annotations

import gzip
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import repeat
from pathlib import Path
from typing import IO

import duckdb

from lib.ingest import limits

BLOCK = 1 << 20


class ArchiveRefused(duckdb.InvalidInputException):
    """An archive the importer will not open (several files, encrypted): reported like any unreadable file."""


def zip_member(archive: zipfile.ZipFile) -> zipfile.ZipInfo:
    """The one file in a dataset's zip (GDELT ships each update as a zip of one CSV); not encrypted."""
    files = [info for info in archive.infolist() if not info.is_dir()]
    if len(files) != 1:
        raise ArchiveRefused(f"the zip holds {len(files)} files; give a zip of one events file")
    if files[0].flag_bits & 0x1:
        raise ArchiveRefused("the zip is encrypted; give the file unencrypted")
    return files[0]


@contextmanager
def unpacked(path: Path) -> Iterator[tuple[IO[bytes], int]]:
    """The file's text as a binary stream, with the packed size the unpacking ratio is measured against."""
    suffix = path.suffix.lower()
    if suffix == ".zip":
        with zipfile.ZipFile(path) as archive:
            member = zip_member(archive)
            with archive.open(member) as stream:
                yield stream, member.compress_size
    elif suffix == ".gz":
        with gzip.open(path, "rb") as stream:
            yield stream, path.stat().st_size
    else:
        with path.open("rb") as stream:
            yield stream, 0


@contextmanager
def readable(path: Path, delimiter: str) -> Iterator[Path]:
    """A path DuckDB can read, after the whole text was checked against the limits (raises LimitExceeded).

    Plain and gzipped files are read where they are; a zip's one member is
    unpacked into a temporary folder, under a fixed name (a member called
    ``../x`` writes nothing outside it), while it is checked.
    """
    with unpacked(path) as (stream, packed), tempfile.TemporaryDirectory() as tmp:
        if path.suffix.lower() != ".zip":
            check(stream, delimiter, packed)
            yield path
            return
        target = Path(tmp) / "member.txt"
        with target.open("wb") as out:
            check(stream, delimiter, packed, out)
        yield target


def check(stream: IO[bytes], delimiter: str, packed: int = 0, copy: IO[bytes] | None = None) -> None:
    """Read ``stream`` to its end, raising LimitExceeded at the first line, field or byte past a limit; ``copy`` gets every block.

    ``packed`` is the compressed size (0: not compressed): unpacking more than
    PACK_RATIO times it, or more than UNPACKED_BYTES at all, is a zip bomb's mark.
    """
    max_line, max_field, max_fields = limits.DATASET_LINE_BYTES.value, limits.DATASET_FIELD_BYTES.value, limits.DATASET_FIELDS.value
    max_total = limits.DATASET_UNPACKED_BYTES.value
    if packed:  # past the first MB (small files pack poorly or oddly well), the text may be at most PACK_RATIO times the archive
        max_total = min(max_total, max(packed * limits.DATASET_PACK_RATIO.value, BLOCK))
    separator = delimiter.encode()
    carry, done_lines, total = b"", 0, 0
    while block := stream.read(BLOCK):
        total += len(block)
        if total > max_total:
            limit = limits.DATASET_UNPACKED_BYTES if total > limits.DATASET_UNPACKED_BYTES.value else limits.DATASET_PACK_RATIO
            raise limits.LimitExceeded(limit, total if limit is limits.DATASET_UNPACKED_BYTES else total // max(packed, 1))
        if copy is not None:
            copy.write(block)
        lines = (carry + block).split(b"\n")
        carry = lines.pop()
        if len(carry) > max_line:  # a line still open after a whole block: refuse before holding more of it
            raise limits.LimitExceeded(limits.DATASET_LINE_BYTES, len(carry), done_lines + len(lines) + 1)
        _check_lines(lines, done_lines, separator, max_line, max_field, max_fields)
        done_lines += len(lines)
    _check_lines([carry], done_lines, separator, max_line, max_field, max_fields)


def _check_lines(lines: list[bytes], before: int, separator: bytes, max_line: int, max_field: int, max_fields: int) -> None:
    """Check a block's complete lines; ``before`` lines came earlier. Only a block with a long line is looked at line by line."""
    if not lines:
        return
    fields = max(map(bytes.count, lines, repeat(separator))) + 1
    if fields > max_fields:
        at = next(i for i, line in enumerate(lines) if line.count(separator) + 1 > max_fields)
        raise limits.LimitExceeded(limits.DATASET_FIELDS, lines[at].count(separator) + 1, before + at + 1)
    if max(map(len, lines)) <= min(max_field, max_line):
        return
    for at, line in enumerate(lines):
        if len(line) > max_line:
            raise limits.LimitExceeded(limits.DATASET_LINE_BYTES, len(line), before + at + 1)
        longest = max(map(len, line.split(separator)))
        if longest > max_field:
            raise limits.LimitExceeded(limits.DATASET_FIELD_BYTES, longest, before + at + 1)


def first_line(path: Path) -> str:
    """The file's first line as text (at most 64 KB of it), for recognising its layout."""
    with unpacked(path) as (stream, _):
        raw = stream.readline(65536)
    return raw.decode("utf-8", errors="replace").rstrip("\r\n")
