"""A bundle CSV: read whole, then column-wise when clean (:mod:`lib.ingest.bundle.csvcolumns`), else line by line within
the line and cell limits, strictly (docs/IMPORT.md, "How strictly files are read")."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import IO

from lib.ingest import limits
from lib.ingest.bundle.csvcolumns import read_columns
from lib.ingest.bundle.rows import table_rows
from lib.ingest.bundle.spec import SPEC_BY_TABLE
from lib.ingest.bundle.streams import Reading, Replay, Stop, read_head
from lib.ingest.report import Problem


def _lines(stream: IO[bytes], shown: str, problems: list[Problem], kept: list[str]) -> Iterator[str]:
    """The stream's lines as text, each read no further than the line limit, each also appended to ``kept`` (the csv
    reader reads no further than the end of a record, so ``kept`` holds the record's lines as written).

    Stops at the first byte that is not UTF-8, a NUL byte (Python's csv reader takes it as text) or a byte-order
    mark after the file's start.
    """
    buffered = io.BufferedReader(stream, 1 << 16)
    limit = limits.LINE_BYTES.value
    number = 0
    while raw := buffered.readline(limit + 1):
        number += 1
        if len(raw) > limit:
            raise Stop(Problem(shown, number, "", limits.LINE_BYTES.refusal("the line")))
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if b"\x00" in raw or b"\xef\xbb\xbf" in raw:
            what = "a NUL byte: not a text file" if b"\x00" in raw else "a byte-order mark inside the file: were two files joined?"
            problems.append(Problem(shown, number, "", f"holds {what}"))
            return
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            problems.append(Problem(shown, number, "", f"not UTF-8 text (byte 0x{raw[exc.start]:02x}): save the file as UTF-8"))
            return
        kept.append(text)
        yield text


COLUMNAR_BYTES = 64 << 20
"""A file up to this size is read whole first, for the column-wise reader; a larger one is streamed line by line."""


def read_csv(stream: IO[bytes], shown: str, reading: Reading) -> None:
    """Read one table CSV into ``reading``: column-wise when the file is clean (:mod:`lib.ingest.bundle.csvcolumns`),
    else line by line, the strict reader wording every problem, from the same bytes counted once."""
    head, whole, failure = read_head(stream, COLUMNAR_BYTES)
    if whole and read_columns(head, shown, reading):
        return
    _read_strict(Replay(head, stream, failure), shown, reading)


def _read_strict(stream: IO[bytes], shown: str, reading: Reading) -> None:
    spec = SPEC_BY_TABLE[PurePosixPath(shown).stem.lower()]
    before = len(reading.problems)
    csv.field_size_limit(limits.FIELD_CHARS.value)
    raw: list[str] = []  # the lines of the record being read, to tell a quoted cell from one with a bare quote
    reader = csv.reader(_lines(stream, shown, reading.problems, raw), strict=True)
    records: list[tuple[int, list[str]]] = []
    start = 1
    try:
        header = next(reader, None)
        start = reader.line_num + 1
        raw.clear()
        most = limits.ROWS.value
        for record in reader:
            text = raw[0] if len(raw) == 1 else "".join(raw)
            if '"' in text:
                _bare_quotes(shown, start, header or [], record, text, reading.problems)
            raw.clear()
            records.append((start, record))
            start = reader.line_num + 1
            if len(records) > most:
                raise Stop(Problem(shown, reader.line_num, "", limits.ROWS.refusal("the table")))
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
        if not "".join(record).strip():
            continue
        if len(record) != len(header):
            hint = ": a stray double quote may have joined lines" if any("\n" in cell or "\r" in cell for cell in record) else ""
            reading.problems.append(Problem(shown, line, "", f"has {len(record)} fields, the header has {len(header)}{hint}"))
            continue
        rows.append((line, record))
    table_rows(spec, shown, header, rows, reading, header_row=1, texts=True)


def _bare_quotes(shown: str, line: int, header: list[str], record: list[str], raw: str, problems: list[Problem]) -> None:
    """A cell holding a double quote must be quoted with its quotes doubled (RFC 4180); Python's reader would take the
    quote of `5" gun` literally, but the same mistake at a cell's start swallows lines, so both are refused alike."""
    for index, cell in enumerate(record):
        if '"' in cell and '"' + cell.replace('"', '""') + '"' not in raw:
            column = header[index].strip() if index < len(header) else f"field {index + 1}"
            problems.append(Problem(shown, line, column, 'holds a double quote in a cell that is not quoted: '
                                                                  'write the cell as "5"" gun" (quoted, the quote doubled)'))


def _csv_problem(shown: str, start: int, line: int, exc: csv.Error) -> Problem:
    text = str(exc)
    if "field larger than field limit" in text:
        return Problem(shown, start, "", limits.FIELD_CHARS.refusal("a cell"))
    if "unexpected end of data" in text:
        return Problem(shown, start, "", "a double quote opened on this row is never closed: a stray \" swallowed the rest of the file")
    return Problem(shown, line, "", f"is not well-formed CSV ({text}): quote a cell that holds a comma, a quote or a line break, "
                                    "and double the quotes inside it")
