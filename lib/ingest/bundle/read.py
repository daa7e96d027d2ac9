"""Reading a bundle: a folder or zip of CSVs, one JSON file or one XLSX workbook, into raw text rows per table."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from pathlib import Path
from typing import Any

from lib.ingest.bundle.spec import LIST_SEPARATOR, SPEC_BY_TABLE, RawRow
from lib.ingest.report import ImportRefused, Problem


def read_bundle(path: Path) -> tuple[dict[str, list[RawRow]], dict[str, str], list[Problem], bytes]:
    """Read a bundle into raw rows per table; returns (rows, file name per table, problems, bytes for the digest)."""
    if path.is_dir():
        files = {p.name: p.read_bytes() for p in sorted(path.iterdir()) if p.is_file() and not p.name.startswith(".")}
        return _read_csv_files(files)
    data = path.read_bytes()
    suffix = path.suffix.lower()
    if suffix == ".zip":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            files = {Path(n).name: archive.read(n) for n in sorted(archive.namelist())
                     if not n.endswith("/") and not Path(n).name.startswith(".") and "__MACOSX" not in n}
        rows, names, problems, _ = _read_csv_files(files)
        return rows, names, problems, data
    if suffix == ".json":
        rows, names, problems = _read_json(path.name, data)
        return rows, names, problems, data
    if suffix == ".xlsx":
        rows, names, problems = _read_xlsx(path.name, data)
        return rows, names, problems, data
    if suffix == ".csv":
        return _read_csv_files({path.name: data})
    raise ImportRefused([Problem(path.name, 0, "", "not a bundle: give a folder or .zip of CSVs, a .json or an .xlsx file")])


def _read_csv_files(files: dict[str, bytes]) -> tuple[dict[str, list[RawRow]], dict[str, str], list[Problem], bytes]:
    rows: dict[str, list[RawRow]] = {}
    names: dict[str, str] = {}
    problems: list[Problem] = []
    digest = b"".join(name.encode() + b"\0" + body for name, body in sorted(files.items()))
    for name, body in files.items():
        table = _table_for(name, problems)
        if not table:
            continue
        names[table] = name
        try:
            text = body.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = body[: exc.start].count(b"\n") + 1
            problems.append(Problem(name, line, "", f"not UTF-8 text (byte 0x{body[exc.start]:02x}): save the file as UTF-8"))
            continue
        if not text.strip():
            problems.append(Problem(name, 0, "", "the file is empty: give at least the header row"))
            continue
        reader = csv.reader(io.StringIO(text, newline=""))
        header = [h.strip() for h in next(reader)]
        table_rows: list[RawRow] = []
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(header):
                problems.append(Problem(name, reader.line_num, "", f"has {len(record)} fields, the header has {len(header)}"))
                continue
            table_rows.append((reader.line_num, dict(zip(header, record, strict=True))))
        rows[table] = _with_header(table, name, header, table_rows, problems)
    return rows, names, problems, digest


def _read_json(name: str, data: bytes) -> tuple[dict[str, list[RawRow]], dict[str, str], list[Problem]]:
    problems: list[Problem] = []
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return {}, {}, [Problem(name, 0, "", f"not a JSON bundle: {exc}")]
    if not isinstance(document, dict):
        return {}, {}, [Problem(name, 0, "", "a JSON bundle is one object of arrays named after the tables")]
    rows: dict[str, list[RawRow]] = {}
    names: dict[str, str] = {}
    for key, records in document.items():
        table = _table_for(f"{key}.csv", problems, shown=f"{name}: {key}")
        if not table:
            continue
        names[table] = f"{name}:{key}"
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            problems.append(Problem(names[table], 0, "", "must be an array of objects"))
            continue
        header = list(dict.fromkeys(k for r in records for k in r))
        raw = [(i, {k: _cell_text(v) for k, v in r.items()}) for i, r in enumerate(records, start=1)]
        rows[table] = _with_header(table, names[table], header, raw, problems)
    return rows, names, problems


def _read_xlsx(name: str, data: bytes) -> tuple[dict[str, list[RawRow]], dict[str, str], list[Problem]]:
    from openpyxl import load_workbook

    problems: list[Problem] = []
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        return {}, {}, [Problem(name, 0, "", f"not a readable XLSX workbook: {exc}")]
    rows: dict[str, list[RawRow]] = {}
    names: dict[str, str] = {}
    for sheet in book.worksheets:
        table = _table_for(f"{sheet.title}.csv", problems, shown=f"{name}: sheet {sheet.title}")
        if not table:
            continue
        names[table] = f"{name}:{sheet.title}"
        values = list(sheet.iter_rows(values_only=True))
        if not values:
            problems.append(Problem(names[table], 0, "", "the sheet is empty: give at least the header row"))
            continue
        header = [_cell_text(h).strip() for h in values[0]]
        raw = [(i, {h: _cell_text(v) for h, v in zip(header, record, strict=False) if h})
               for i, record in enumerate(values[1:], start=2) if any(v not in (None, "") for v in record)]
        rows[table] = _with_header(table, names[table], [h for h in header if h], raw, problems)
    return rows, names, problems


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
        return LIST_SEPARATOR.join(_cell_text(v) for v in value)
    return str(value)


def _table_for(file_name: str, problems: list[Problem], shown: str = "") -> str:
    table = Path(file_name).stem.lower()
    if table in SPEC_BY_TABLE:
        return table
    problems.append(Problem(shown or file_name, 0, "", f"not a table of the bundle format; expected one of {', '.join(SPEC_BY_TABLE)}"))
    return ""


def _with_header(table: str, name: str, header: list[str], rows: list[RawRow], problems: list[Problem]) -> list[RawRow]:
    spec = SPEC_BY_TABLE[table]
    known = {c.name for c in spec.columns}
    for column in spec.columns:
        if column.required and column.name not in header:
            problems.append(Problem(name, 1, column.name, "required column is missing"))
    return [(n, {k: v for k, v in r.items() if k in known}) for n, r in rows]


def unknown_columns(path: Path) -> list[Problem]:
    """Columns the bundle has that the format does not know: reported, then ignored."""
    warnings: list[Problem] = []
    if not path.is_dir():
        return warnings
    for file in sorted(path.glob("*.csv")):
        spec = SPEC_BY_TABLE.get(file.stem.lower())
        if not spec:
            continue
        with file.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
            header = next(csv.reader(handle), [])
        known = {c.name for c in spec.columns}
        warnings += [Problem(file.name, 1, h, "unknown column, ignored") for h in header if h.strip() and h.strip() not in known]
    return warnings
