"""A table's raw rows, whatever file they came from: the header checked, cells as text, known columns kept."""

from __future__ import annotations

import datetime as dt
from typing import Any

from lib.ingest import limits
from lib.ingest.bundle.cells import join_list
from lib.ingest.bundle.spec import RawRow, TableSpec
from lib.ingest.bundle.streams import Reading
from lib.ingest.report import Problem


def table_rows(spec: TableSpec, shown: str, header: list[str], records: list[tuple[int, list[Any]]], reading: Reading,
               header_row: int, texts: bool = False) -> None:
    """Check a table's header and cells, then keep its rows (known columns only) under the table's name.

    ``texts``: every cell is text already (a CSV's), so none is converted.
    """
    if not check_header(spec, shown, header, reading, header_row):
        return
    known = {c.name for c in spec.columns}
    rows: list[RawRow] = []
    names = [h for h in header if h in known]
    picks = [i for i, h in enumerate(header) if h in known]
    for line, record in records:
        if len(record) == len(header):  # every record of a CSV (checked) or JSON: no per-cell test of the header
            values = [record[i] for i in picks]
            if not texts:
                values = [v if isinstance(v, str) else cell_text(v) for v in values]
            row = dict(zip(names, values, strict=True))
        else:
            row = {h: v if isinstance(v, str) else cell_text(v) for h, v in zip(header, record, strict=False) if h in known}
        joined = "".join(row.values())
        if "\x00" not in joined and "\n" not in joined and "\r" not in joined:
            rows.append((line, row))
            continue
        for column, text in row.items():
            if "\x00" in text:
                reading.problems.append(Problem(shown, line, column, "holds a NUL character: not text"))
            elif ("\n" in text or "\r" in text) and column not in spec.free_text:
                reading.problems.append(Problem(shown, line, column, "holds a line break: a stray double quote probably opened a "
                                                                     "quoted cell that swallowed the following lines"))
        rows.append((line, row))
    reading.rows[spec.table] = rows


def check_header(spec: TableSpec, shown: str, header: list[str], reading: Reading, header_row: int) -> bool:
    """Note the header's problems (a column given twice, a required one missing) and warnings (unknown columns);
    False when it is over the column limit, and no row is worth keeping."""
    if len(header) > limits.COLUMNS.value:
        reading.problems.append(Problem(shown, header_row, "", limits.COLUMNS.refusal(f"the header's count of {len(header):,} columns")))
        return False
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
    return True


def cell_text(value: Any) -> str:
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
        return join_list(cell_text(v) for v in value)
    return str(value)
