"""A clean bundle CSV read column-wise by Arrow's CSV parser, when its bytes prove the strict reader would read it alike.

The strict reader (:mod:`lib.ingest.bundle.csvfile`) reads line by line in
Python, about 10 µs a row, and words every problem. Most files have none: this
reader takes those, checking on the whole file at once what would make the two
readers differ, and declines (returns False, noting nothing) on anything else,
which the strict reader then reads and words as always:

- a byte-order mark after the start, a NUL byte, bytes that are not UTF-8, a
  carriage return that is not followed by a line feed;
- a line over the line limit (counted with its line ending), a cell over the
  cell limit, more rows than the row limit, an empty header line;
- a line holding a double quote that is not made of well-formed cells:
  unquoted cells without quotes or quoted cells (``"…"``, quotes inside
  doubled), separated by commas. So no quoted cell spans lines (each record is
  one line, whose number it keeps), no quote is bare and the csv module's
  strict mode has nothing to object to; Arrow's parser (double quotes, no
  escape character, no line breaks in values) reads such a line cell for cell
  as the csv module does;
- a data line whose count of cells differs from the header's (Arrow refuses it).

What it gives is what the strict reader gives for the same file: the header's
problems and warnings (:func:`rows.check_header`), and the rows without the
blank ones (every cell white space, as Python's ``str.strip`` sees it), as one
Arrow table: ``_line`` (the row's line in the file) and each known column's
cells as text. No cell can hold a NUL or a line break here, so the strict
reader's cell checks have nothing to find.
"""

from __future__ import annotations

import csv
from pathlib import PurePosixPath

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from lib.ingest import limits
from lib.ingest.bundle.rows import check_header
from lib.ingest.bundle.spec import SPEC_BY_TABLE
from lib.ingest.bundle.streams import Reading
from lib.ingest.bundle.typed import WS_CLASS

BOM = b"\xef\xbb\xbf"
_CELL = r'(?:"(?:[^"]|"")*"|[^",]*)'
WELL_QUOTED = f"^{_CELL}(?:,{_CELL})*\r?$"
"""A line whose every double quote belongs to a quoted cell: cells unquoted (no quote in them) or quoted, quotes doubled."""


def read_columns(data: bytes, shown: str, reading: Reading) -> bool:
    """Read a whole CSV file's bytes into ``reading`` as the strict reader would; False, noting nothing, when not sure."""
    if data.startswith(BOM):
        data = data[len(BOM):]
    if not data or b"\x00" in data or BOM in data:
        return False
    if data.count(b"\r") != data.count(b"\r\n"):
        return False
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    lines = pc.split_pattern(pa.array([text], pa.large_string()), "\n").flatten()  # a CRLF line keeps its \r
    if text.endswith("\n"):
        lines = lines.slice(0, len(lines) - 1)
    body = lines.slice(1)
    if lines[0].as_py() in ("", "\r") or len(body) > limits.ROWS.value:
        return False
    if pc.max(pc.binary_length(lines)).as_py() + 1 > limits.LINE_BYTES.value:  # + the line's \n
        return False
    quoted = lines.filter(pc.match_substring(lines, '"'))
    if len(quoted) and not pc.all(pc.match_substring_regex(quoted, WELL_QUOTED)).as_py():
        return False
    named = next(csv.reader([lines[0].as_py()], strict=True))
    # the lines Arrow reads: it skips empty lines, which the csv module gives as blank records
    filled = pc.indices_nonzero(pc.invert(pc.match_substring_regex(body, "^\r?$")))
    table = _cells(data, len(named), bool(len(filled)))
    if table is None or table.num_rows != len(filled) or _longest(table, named) > limits.FIELD_CHARS.value:
        return False
    header = [h.strip() for h in named]
    spec = SPEC_BY_TABLE[PurePosixPath(shown).stem.lower()]
    if not check_header(spec, shown, header, reading, header_row=1):
        return True
    kept = pc.invert(_blank(table)) if table.num_rows else pa.array([], pa.bool_())
    known = {c.name for c in spec.columns}
    picks = {name: index for index, name in enumerate(header) if name in known}  # a name given twice: the last wins, as in a dict
    columns = {"_line": pc.add(filled, 2).cast(pa.int64()).filter(kept)}
    columns |= {name: table.column(index).filter(kept) for name, index in picks.items()}
    reading.rows[spec.table] = pa.table(columns)
    return True


def _cells(data: bytes, width: int, any_rows: bool) -> pa.Table | None:
    """The data lines' cells, all text, or None when Arrow refuses the file (a line with another count of cells)."""
    names = [f"c{i}" for i in range(width)]
    if not any_rows:  # Arrow reads no file without a row after the skipped header
        return pa.schema([pa.field(n, pa.string()) for n in names]).empty_table()
    try:
        return pacsv.read_csv(
            pa.BufferReader(data),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, use_threads=False, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(newlines_in_values=False, ignore_empty_lines=True),
            convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False,
                                                 quoted_strings_can_be_null=False))
    except pa.ArrowInvalid:
        return None


def _longest(table: pa.Table, header: list[str]) -> int:
    """The most characters in one cell, the header's included (the csv module's field limit counts characters)."""
    cells = [pc.max(pc.utf8_length(column)).as_py() or 0 for column in table.columns]
    return max([len(h) for h in header] + cells)


def _blank(table: pa.Table) -> pa.ChunkedArray:
    """Rows whose every cell is white space (or empty): the strict reader skips them. Only rows whose first cell is
    white space are tested further (there are rarely any)."""
    blank = pc.match_substring_regex(table.column(0), f"^{WS_CLASS}*$")
    if not pc.any(blank).as_py():
        return blank
    for column in table.columns[1:]:
        blank = pc.and_(blank, pc.match_substring_regex(column, f"^{WS_CLASS}*$"))
    return blank
