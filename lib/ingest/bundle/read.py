"""Reading a bundle: a folder or zip of CSVs, one JSON file or one XLSX workbook, into raw text rows per table.

Reading is strict and bounded, because the file comes from outside:

- only regular files are opened (a symlink, directory, FIFO or device named
  like a table is refused; a FIFO is never opened, so it cannot hang the read);
- each table comes from one file (two files for one table, in a folder, in two
  folders of a zip or as a repeated zip member, are refused: one would silently
  win);
- every byte read is counted against the limits of ``lib/ingest/limits.py``: a
  zip's members are checked in its directory (size, total, ratio, encryption)
  and again while they stream, as a directory can lie;
- CSVs are read line by line (a line is never read past its limit), with the
  csv module's strict mode; a line break in a cell that is not free text means
  a stray double quote swallowed the following lines and is refused; a header
  naming a column twice is refused;
- JSON refuses repeated keys, nesting deeper than the limit, numbers with more
  digits than the limit, NaN and Infinity;
- XLSX sheets are checked against their declared size and streamed cell by cell
  (sparse: a lone cell at XFD1048576 is one cell, not a billion).

Any problem becomes a :class:`Problem` naming the file, row and column; one
that makes further reading pointless (a limit, a broken zip) stops the read.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import math
import os
import re
import stat
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any, NamedTuple

from lib.ingest import limits
from lib.ingest.bundle.cells import join_list
from lib.ingest.bundle.spec import SPEC_BY_TABLE, RawRow, TableSpec
from lib.ingest.report import Problem

UNREADABLE = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError)
"""What reading a damaged zip member raises: a bad CRC, a truncated stream, an unsupported method, a password."""
_SMALL = 1_000_000  # a zip member below this size is not held to the compression-ratio limit


class BundleRead(NamedTuple):
    """A bundle as read: raw rows per table, the file each came from, problems, the SHA-256 of its bytes, warnings."""

    rows: dict[str, list[RawRow]]
    names: dict[str, str]
    problems: list[Problem]
    sha256: str
    warnings: list[Problem]


class _Stop(Exception):
    """A problem that ends the read at once (a limit, an unreadable container)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


@dataclass
class _Reading:
    """What one read collects, and the bytes it has taken so far against the bundle's total."""

    shown: str
    rows: dict[str, list[RawRow]] = field(default_factory=dict)
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
        self.total += count
        if self.total > limits.TOTAL_BYTES.value:
            raise _Stop(Problem(self.shown, 0, "", limits.TOTAL_BYTES.refusal("the bundle, uncompressed,")))


class _Counted(io.RawIOBase):
    """A stream that counts (and hashes) what it reads and stops at the file limit, the bundle's total or a zip ratio."""

    def __init__(self, raw: IO[bytes], shown: str, reading: _Reading, compressed: int | None = None, hashed: bool = True) -> None:
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
            raise _Stop(Problem(self.shown, 0, "", limits.FILE_BYTES.refusal("the file, uncompressed,")))
        if self.compressed is not None and self.count > max(_SMALL, limits.ZIP_RATIO.value * self.compressed):
            raise _Stop(Problem(self.shown, 0, "", limits.ZIP_RATIO.refusal(f"its expansion (past {self.count:,} bytes)")))
        self.reading.take(n)
        if self.hashed:
            self.reading.hasher.update(memoryview(buffer)[:n])
        return n


def read_bundle(path: Path) -> BundleRead:
    """Read a bundle into raw rows per table, every problem found, and the SHA-256 of its bytes (for `imports`)."""
    path = Path(path)
    reading = _Reading(path.name)
    try:
        kind = _file_kind(path)
        if kind == "directory":
            _read_folder(path, reading)
        elif path.suffix.lower() == ".zip":
            _read_zip(path, reading)
        elif path.suffix.lower() == ".json":
            _read_json(path, reading)
        elif path.suffix.lower() == ".xlsx":
            _read_xlsx(path, reading)
        elif path.suffix.lower() == ".csv" and reading.table_for(path.name, path.name):
            with _open_regular(path, follow=True) as handle:
                _read_csv(_Counted(handle, path.name, reading), path.name, reading)
        elif path.suffix.lower() != ".csv":
            reading.problems.append(Problem(path.name, 0, "", "not a bundle: give a folder or .zip of CSVs, a .json or an .xlsx file"))
    except _Stop as stop:
        reading.problems.append(stop.problem)
    except UNREADABLE as exc:  # a damaged container found while reading a member
        reading.problems.append(Problem(path.name, 0, "", f"cannot be read: {_reason(exc)}"))
    return BundleRead(reading.rows, reading.names, reading.problems, reading.hasher.hexdigest(), reading.warnings)


# -- files ---------------------------------------------------------------------------
def _file_kind(path: Path, follow: bool = True) -> str:
    """'file', 'directory', or why the path is neither (raises _Stop for the bundle path itself)."""
    try:
        mode = (os.stat if follow else os.lstat)(path).st_mode
    except OSError as exc:
        raise _Stop(Problem(path.name, 0, "", f"cannot be read: {_reason(exc)}")) from exc
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISDIR(mode):
        return "directory"
    kind = "a symbolic link" if stat.S_ISLNK(mode) else "a FIFO (named pipe)" if stat.S_ISFIFO(mode) else "a device or socket"
    if follow:
        raise _Stop(Problem(path.name, 0, "", f"is {kind}, not a file: give a bundle folder or file"))
    return kind


@contextmanager
def _open_regular(path: Path, follow: bool = False) -> Iterator[IO[bytes]]:
    """Open a file only if it is a regular file (a FIFO is opened non-blocking and refused at once).

    A bundle folder's files are opened without following symlinks; the bundle path itself, which the user
    named, may be one.
    """
    nofollow = 0 if follow else getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, os.O_RDONLY | nofollow | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise _Stop(Problem(path.name, 0, "", f"cannot be opened: {_reason(exc)}")) from exc
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise _Stop(Problem(path.name, 0, "", "is not a regular file"))
    with os.fdopen(fd, "rb", buffering=0) as handle:
        yield handle


def _read_folder(path: Path, reading: _Reading) -> None:
    """Every plain file of the folder, in name order, hashed as name + NUL + bytes; sub-folders are not part of a bundle."""
    for entry in sorted(path.iterdir(), key=lambda p: p.name):
        if entry.name.startswith("."):
            continue
        kind = _file_kind(entry, follow=False)
        if kind == "directory" and not entry.name.lower().endswith(".csv"):
            continue
        if kind != "file":
            reading.problems.append(Problem(entry.name, 0, "", f"is {'a directory' if kind == 'directory' else kind}, not a file: "
                                                               "a bundle holds plain files only (copy the file itself in)"))
            continue
        if not reading.table_for(entry.name, entry.name):
            continue
        reading.hasher.update(entry.name.encode() + b"\0")
        with _open_regular(entry) as handle:
            _read_csv(_Counted(handle, entry.name, reading), entry.name, reading)


def _zip_members(archive: zipfile.ZipFile, shown: str, reading: _Reading) -> list[zipfile.ZipInfo]:
    """The zip's file entries, after checking its directory: count, encryption, method, sizes and ratios."""
    infos = archive.infolist()
    if len(infos) > limits.ZIP_MEMBERS.value:
        raise _Stop(Problem(shown, 0, "", limits.ZIP_MEMBERS.refusal(f"the zip's count of {len(infos):,} entries")))
    declared = 0
    for info in infos:
        where = f"{shown}:{info.filename}"
        if info.flag_bits & 0x1:
            raise _Stop(Problem(where, 0, "", "is encrypted: give a zip without a password"))
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA):
            raise _Stop(Problem(where, 0, "", f"uses compression method {info.compress_type}, which cannot be read: re-zip it"))
        if info.file_size > limits.FILE_BYTES.value:
            raise _Stop(Problem(where, 0, "", limits.FILE_BYTES.refusal(f"its declared size of {info.file_size:,} bytes")))
        if info.file_size > max(_SMALL, limits.ZIP_RATIO.value * info.compress_size):
            raise _Stop(Problem(where, 0, "", limits.ZIP_RATIO.refusal(
                f"its expansion to {info.file_size:,} bytes ({info.file_size / max(info.compress_size, 1):,.0f} times)")))
        declared += info.file_size
    if declared > limits.TOTAL_BYTES.value:
        raise _Stop(Problem(shown, 0, "", limits.TOTAL_BYTES.refusal(f"its declared {declared:,} bytes uncompressed")))
    return [info for info in infos if not info.is_dir()]


def _open_zip(path: Path, handle: IO[bytes]) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(handle)
    except UNREADABLE as exc:
        raise _Stop(Problem(path.name, 0, "", f"not a readable zip: {_reason(exc)}")) from exc


def _read_zip(path: Path, reading: _Reading) -> None:
    """A zip of table CSVs, in any folders; names that climb out (`../x.csv`) or repeat a table are refused."""
    with _open_regular(path, follow=True) as handle:
        _hash_whole(handle, path.name, reading)
        with _open_zip(path, handle) as archive:
            for info in _zip_members(archive, path.name, reading):
                name = info.filename
                member = PurePosixPath(name.replace("\\", "/"))
                if member.name.startswith(".") or "__MACOSX" in member.parts:
                    continue
                shown = f"{path.name}:{name}"
                if member.is_absolute() or ".." in member.parts:
                    reading.problems.append(Problem(shown, 0, "", "member name leaves the zip's folder: refused"))
                    continue
                if not reading.table_for(member.name, member.name):
                    continue
                with archive.open(info) as stream:
                    _read_csv(_Counted(stream, member.name, reading, info.compress_size, hashed=False), member.name, reading)


def _hash_whole(handle: IO[bytes], shown: str, reading: _Reading) -> None:
    """Hash a container file (bounded by the file limit), then rewind it for reading."""
    counted = _Counted(handle, shown, reading)
    while counted.read(1 << 20):
        pass
    reading.total = 0  # the container's own bytes are not bundle content
    handle.seek(0)


def _reason(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


# -- CSV -----------------------------------------------------------------------------
def _lines(stream: IO[bytes], shown: str, problems: list[Problem]) -> Iterator[str]:
    """The stream's lines as text, each read no further than the line limit; stops at the first byte that is not UTF-8."""
    buffered = io.BufferedReader(stream, 1 << 16)
    limit = limits.LINE_BYTES.value
    number = 0
    while raw := buffered.readline(limit + 1):
        number += 1
        if len(raw) > limit:
            raise _Stop(Problem(shown, number, "", limits.LINE_BYTES.refusal("the line")))
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            problems.append(Problem(shown, number, "", f"not UTF-8 text (byte 0x{raw[exc.start]:02x}): save the file as UTF-8"))
            return


def _read_csv(stream: IO[bytes], shown: str, reading: _Reading) -> None:
    spec = SPEC_BY_TABLE[PurePosixPath(shown).stem.lower()]
    before = len(reading.problems)
    csv.field_size_limit(limits.FIELD_CHARS.value)
    reader = csv.reader(_lines(stream, shown, reading.problems), strict=True)
    records: list[tuple[int, list[str]]] = []
    start = 1
    try:
        header = next(reader, None)
        start = reader.line_num + 1
        for record in reader:
            records.append((start, record))
            start = reader.line_num + 1
            if len(records) > limits.ROWS.value:
                raise _Stop(Problem(shown, reader.line_num, "", limits.ROWS.refusal("the table")))
    except csv.Error as exc:
        if len(reading.problems) == before:  # not the end of a file cut short at a byte that is not UTF-8
            reading.problems.append(_csv_problem(shown, start, reader.line_num, exc))
        return
    if len(reading.problems) > before:
        return
    if header is None:
        reading.problems.append(Problem(shown, 0, "", "the file is empty: give at least the header row"))
        return
    header = [h.strip() for h in header]
    rows = []
    for line, record in records:
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            hint = ": a stray double quote may have joined lines" if any("\n" in cell or "\r" in cell for cell in record) else ""
            reading.problems.append(Problem(shown, line, "", f"has {len(record)} fields, the header has {len(header)}{hint}"))
            continue
        rows.append((line, record))
    _table(spec, shown, header, rows, reading, header_row=1)


def _csv_problem(shown: str, start: int, line: int, exc: csv.Error) -> Problem:
    text = str(exc)
    if "field larger than field limit" in text:
        return Problem(shown, start, "", limits.FIELD_CHARS.refusal("a cell"))
    if "unexpected end of data" in text:
        return Problem(shown, start, "", "a double quote opened on this row is never closed: a stray \" swallowed the rest of the file")
    if "NUL" in text or "null byte" in text:
        return Problem(shown, line, "", "holds a NUL byte: not a text file")
    return Problem(shown, line, "", f"is not well-formed CSV ({text}): quote a cell that holds a comma, a quote or a line break, "
                                    "and double the quotes inside it")


def _table(spec: TableSpec, shown: str, header: list[str], records: list[tuple[int, list[Any]]], reading: _Reading,
           header_row: int) -> None:
    """Check a table's header and cells, then keep its rows (known columns only) under the table's name."""
    if len(header) > limits.COLUMNS.value:
        reading.problems.append(Problem(shown, header_row, "", limits.COLUMNS.refusal(f"the header's count of {len(header):,} columns")))
        return
    seen: set[str] = set()
    for column in header:
        if column and column in seen:
            reading.problems.append(Problem(shown, header_row, column, "column given twice: one would silently win"))
        seen.add(column)
    known = {c.name for c in spec.columns}
    for column in spec.columns:
        if column.required and column.name not in seen:
            reading.problems.append(Problem(shown, header_row, column.name, "required column is missing"))
    reading.warnings += [Problem(shown, header_row, h, "unknown column, ignored") for h in header if h and h not in known]
    rows: list[RawRow] = []
    for line, record in records:
        row = {h: _cell_text(v) for h, v in zip(header, record, strict=False) if h in known}
        for column, text in row.items():
            if ("\n" in text or "\r" in text) and column not in spec.free_text:
                reading.problems.append(Problem(shown, line, column, "holds a line break: a stray double quote probably opened a "
                                                                     "quoted cell that swallowed the following lines"))
        rows.append((line, row))
    reading.rows[spec.table] = rows


# -- JSON ----------------------------------------------------------------------------
class _BadJson(ValueError):
    """A JSON value the bundle refuses: a repeated key, an oversized or non-finite number."""


def _read_json(path: Path, reading: _Reading) -> None:
    with _open_regular(path, follow=True) as handle:
        data = _Counted(handle, path.name, reading).readall()
    try:
        document = json.loads(data.decode("utf-8-sig"), object_pairs_hook=_no_repeated_keys,
                              parse_int=_bounded_number(int), parse_float=_bounded_number(float), parse_constant=_no_constant)
    except RecursionError:
        raise _Stop(Problem(path.name, 0, "", limits.JSON_DEPTH.refusal("the nesting"))) from None
    except (UnicodeDecodeError, ValueError) as exc:  # JSONDecodeError and _BadJson are ValueErrors
        raise _Stop(Problem(path.name, 0, "", f"not a JSON bundle: {exc}")) from None
    if _depth(document) > limits.JSON_DEPTH.value:
        raise _Stop(Problem(path.name, 0, "", limits.JSON_DEPTH.refusal("the nesting")))
    if not isinstance(document, dict):
        raise _Stop(Problem(path.name, 0, "", "a JSON bundle is one object of arrays named after the tables"))
    for key, records in document.items():
        shown = f"{path.name}:{key}"
        spec = reading.table_for(f"{key}.csv", shown)
        if not spec:
            continue
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            reading.problems.append(Problem(shown, 0, "", "must be an array of objects"))
            continue
        if len(records) > limits.ROWS.value:
            raise _Stop(Problem(shown, 0, "", limits.ROWS.refusal("the table")))
        header = list(dict.fromkeys(k for r in records for k in r))
        for number, record in enumerate(records, start=1):
            for column, value in record.items():
                if isinstance(value, dict) or (isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value)):
                    reading.problems.append(Problem(shown, number, column, "must be text, a number, true/false or a list of those"))
        _table(spec, shown, header, [(i, [r.get(h) for h in header]) for i, r in enumerate(records, start=1)], reading, header_row=1)


def _no_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        again = next(k for i, k in enumerate(keys) if k in keys[:i])
        raise _BadJson(f"key '{again[:60]}' is given twice in one object: one would silently win")
    return dict(pairs)


def _bounded_number(kind: Callable[[str], Any]) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        digits = sum(ch.isdigit() for ch in text)
        if digits > limits.NUMBER_DIGITS.value:
            raise _BadJson(limits.NUMBER_DIGITS.refusal(f"a number of {digits:,} digits"))
        value = kind(text)
        if isinstance(value, float) and not math.isfinite(value):
            raise _BadJson(f"the number {text[:40]} is out of range")
        return value

    return parse


def _no_constant(text: str) -> Any:
    raise _BadJson(f"{text} is not a number a bundle can hold")


def _depth(value: Any) -> int:
    """How deeply containers nest (an object of arrays of objects of lists: 4), without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, level)
            stack += [(child, level + 1) for child in (item.values() if isinstance(item, dict) else item)]
    return deepest


# -- XLSX ----------------------------------------------------------------------------
def _read_xlsx(path: Path, reading: _Reading) -> None:
    """One sheet per table; the container is checked like a bundle zip, each sheet by its declared size, then streamed."""
    from openpyxl import load_workbook
    from openpyxl.worksheet._reader import WorkSheetParser

    with _open_regular(path, follow=True) as handle:
        _hash_whole(handle, path.name, reading)
        with _open_zip(path, handle) as archive:
            sizes = {info.filename: info.compress_size for info in _zip_members(archive, path.name, reading)}
            for part in (name for name in sizes if name.startswith("xl/worksheets/") and name.endswith(".xml")):
                _declared_size(archive, part, f"{path.name}:{part}")
        handle.seek(0)
        try:
            book = load_workbook(handle, read_only=True, data_only=False)
        except Exception as exc:  # openpyxl raises many types for a damaged workbook
            raise _Stop(Problem(path.name, 0, "", f"not a readable XLSX workbook: {_reason(exc)}")) from None
        try:
            for sheet in book.worksheets:
                shown = f"{path.name}:{sheet.title}"
                spec = reading.table_for(f"{sheet.title}.csv", shown)
                if not spec:
                    continue
                # openpyxl's own row iterator fills every gap (a lone cell at XFD1048576 becomes a billion empty cells):
                # its sheet parser yields the cells that are there
                part = sheet._worksheet_path
                with book._archive.open(part) as source:
                    parser = WorkSheetParser(_Counted(source, shown, reading, sizes.get(part), hashed=False), sheet._shared_strings,
                                             data_only=False, epoch=book.epoch, date_formats=book._date_formats,
                                             timedelta_formats=book._timedelta_formats)
                    bounds = (sheet.max_row or limits.ROWS.value + 1, sheet.max_column or limits.COLUMNS.value)
                    _sheet_rows(parser.parse(), spec, shown, reading, bounds)
        finally:
            book.close()


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="\$?([A-Z]{1,3})\$?(\d{1,7})(?::\$?([A-Z]{1,3})\$?(\d{1,7}))?"')


def _declared_size(archive: zipfile.ZipFile, part: str, shown: str) -> None:
    """Refuse a sheet whose declared size (its <dimension>, in the first 64 KB) is over the limits, or a large one declaring none.

    openpyxl reads a sheet without a <dimension> whole when it opens the workbook, to find its size: only a
    small sheet may leave it out (every spreadsheet program writes it).
    """
    from openpyxl.utils import column_index_from_string

    with archive.open(part) as source:
        head = source.read(1 << 16)
    found = _DIMENSION.search(head)
    if not found:
        if archive.getinfo(part).file_size > _SMALL:
            raise _Stop(Problem(shown, 0, "", "the sheet does not declare its size (<dimension>): save it again from a spreadsheet program"))
        return
    last_column, last_row = (found.group(3) or found.group(1)).decode(), int(found.group(4) or found.group(2))
    if last_row > limits.ROWS.value + 1:
        raise _Stop(Problem(shown, 0, "", limits.ROWS.refusal(f"the sheet's declared size of {last_row:,} rows")))
    if column_index_from_string(last_column) > limits.COLUMNS.value:
        raise _Stop(Problem(shown, 0, "", limits.COLUMNS.refusal(f"the sheet's declared width of {last_column} columns")))


def _sheet_rows(parsed: Iterator[tuple[int, list[dict[str, Any]]]], spec: TableSpec, shown: str, reading: _Reading,
                bounds: tuple[int, int]) -> None:
    """The sheet's rows, the first non-empty one as the header; a cell past the declared size or the limits stops the read."""
    header: list[str] | None = None
    header_row = 0
    records: list[tuple[int, list[Any]]] = []
    for number, cells in parsed:
        widest = max((c["column"] for c in cells), default=0)
        if widest > limits.COLUMNS.value:
            raise _Stop(Problem(shown, number, "", limits.COLUMNS.refusal(f"a cell in column {widest:,}")))
        if number > limits.ROWS.value + 1:
            raise _Stop(Problem(shown, number, "", limits.ROWS.refusal("the sheet")))
        if number > bounds[0] or widest > bounds[1]:
            raise _Stop(Problem(shown, number, "", "a cell lies past the sheet's declared size (<dimension>): save it again "
                                                   "from a spreadsheet program"))
        values: list[Any] = [None] * widest
        for cell in cells:
            values[cell["column"] - 1] = cell["value"]
        if header is None:
            if any(v not in (None, "") for v in values):
                header, header_row = [_cell_text(v).strip() for v in values], number
            continue
        if any(v not in (None, "") for v in values):
            records.append((number, values))
    if header is None:
        reading.problems.append(Problem(shown, 0, "", "the sheet is empty: give at least the header row"))
        return
    _table(spec, shown, header, records, reading, header_row)


def _cell_text(value: Any) -> str:
    """JSON and XLSX cells arrive typed; the validator reads text like a CSV's."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return join_list(_cell_text(v) for v in value)
    return str(value)
