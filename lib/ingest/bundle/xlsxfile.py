"""An XLSX bundle: the container checked like a zip, each sheet by its declared size, then its cells streamed sparsely."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lib.ingest import limits
from lib.ingest.bundle.rows import cell_text, table_rows
from lib.ingest.bundle.spec import TableSpec
from lib.ingest.bundle.streams import SMALL, Counted, Reading, Stop, hash_whole, open_regular, open_zip, reason, zip_members
from lib.ingest.report import Problem


def read_xlsx(path: Path, reading: Reading) -> None:
    """One sheet per table; the container is checked like a bundle zip, each sheet by its declared size, then streamed."""
    from openpyxl import load_workbook
    from openpyxl.worksheet._reader import WorkSheetParser

    with open_regular(path, follow=True) as handle:
        hash_whole(handle, path.name, reading)
        with open_zip(path, handle) as archive:
            sizes = {info.filename: info.compress_size for info in zip_members(archive, path.name, reading)}
            for part in (name for name in sizes if name.startswith("xl/worksheets/") and name.endswith(".xml")):
                _declared_size(archive, part, f"{path.name}:{part}")
        handle.seek(0)
        try:
            book = load_workbook(handle, read_only=True, data_only=False)
        except Exception as exc:  # openpyxl raises many types for a damaged workbook
            raise Stop(Problem(path.name, 0, "", f"not a readable XLSX workbook: {reason(exc)}")) from None
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
                    parser = WorkSheetParser(Counted(source, shown, reading, sizes.get(part), hashed=False), sheet._shared_strings,
                                             data_only=False, epoch=book.epoch, date_formats=book._date_formats,
                                             timedelta_formats=book._timedelta_formats)
                    bounds = (sheet.max_row or limits.ROWS.value + 1, sheet.max_column or limits.COLUMNS.value)
                    try:
                        _sheet_rows(parser.parse(), spec, shown, reading, bounds)
                    except (ValueError, TypeError, KeyError, SyntaxError) as exc:  # a cell openpyxl cannot read; bad XML
                        raise Stop(Problem(shown, 0, "", f"a cell cannot be read: {reason(exc)}")) from None
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
        if archive.getinfo(part).file_size > SMALL:
            raise Stop(Problem(shown, 0, "", "the sheet does not declare its size (<dimension>): save it again from a spreadsheet program"))
        return
    last_column, last_row = (found.group(3) or found.group(1)).decode(), int(found.group(4) or found.group(2))
    if last_row > limits.ROWS.value + 1:
        raise Stop(Problem(shown, 0, "", limits.ROWS.refusal(f"the sheet's declared size of {last_row:,} rows")))
    if column_index_from_string(last_column) > limits.COLUMNS.value:
        raise Stop(Problem(shown, 0, "", limits.COLUMNS.refusal(f"the sheet's declared width of {last_column} columns")))


def _sheet_rows(parsed: Iterator[tuple[int, list[dict[str, Any]]]], spec: TableSpec, shown: str, reading: Reading,
                bounds: tuple[int, int]) -> None:
    """The sheet's rows, the first non-empty one as the header; a cell past the declared size or the limits stops the read."""
    header: list[str] | None = None
    header_row = 0
    records: list[tuple[int, list[Any]]] = []
    for number, cells in parsed:
        widest = max((c["column"] for c in cells), default=0)
        if widest > limits.COLUMNS.value:
            raise Stop(Problem(shown, number, "", limits.COLUMNS.refusal(f"a cell in column {widest:,}")))
        if number > limits.ROWS.value + 1:
            raise Stop(Problem(shown, number, "", limits.ROWS.refusal("the sheet")))
        if number > bounds[0] or widest > bounds[1]:
            raise Stop(Problem(shown, number, "", "a cell lies past the sheet's declared size (<dimension>): save it again "
                                                   "from a spreadsheet program"))
        values: list[Any] = [None] * widest
        for cell in cells:
            values[cell["column"] - 1] = cell["value"]
        if header is None:
            if any(v not in (None, "") for v in values):
                header, header_row = [cell_text(v).strip() for v in values], number
            continue
        if any(v not in (None, "") for v in values):
            records.append((number, values))
    if header is None:
        reading.problems.append(Problem(shown, 0, "", "the sheet is empty: give at least the header row"))
        return
    table_rows(spec, shown, header, records, reading, header_row)
