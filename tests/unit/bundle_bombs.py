"""Hostile bundles built at test time within a small budget (nothing big is checked in), and a probe that imports one
in a fresh process and reports its time and peak memory.

A zip bomb's gigabyte is never produced: one compressed block of repetitive
rows, flushed so that it does not refer to what came before, is repeated in the
deflate stream (a 1 MB block of rows compresses to a few hundred bytes), and the
CRC is computed over the block repeated. Used by tests/unit/test_bundle_bombs.py
and bench/bundle_robust.py.
"""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EVENTS_HEADER = b"event_id,occurred_on,event_type,title,description,topic_id,actor_ids,document_ids,location\n"
EVENT_ROW = b"fzev0,2010-01-01,protest,A title,A description,,,,Ankara\n"


def _deflate_repeated(head: bytes, block: bytes, times: int, tail: bytes) -> tuple[bytes, int, int]:
    """Raw deflate of head + block * times + tail without compressing the repeats: (data, crc32, uncompressed size)."""
    start = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = start.compress(head) + start.flush(zlib.Z_FULL_FLUSH)
    middle = zlib.compressobj(9, zlib.DEFLATED, -15)
    repeated = middle.compress(block) + middle.flush(zlib.Z_FULL_FLUSH)  # byte-aligned, no back-reference before it
    end = zlib.compressobj(9, zlib.DEFLATED, -15)
    last = end.compress(tail) + end.flush(zlib.Z_FINISH)
    crc = zlib.crc32(head)
    for _ in range(times):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(tail, crc)
    return first + repeated * times + last, crc & 0xFFFFFFFF, len(head) + len(block) * times + len(tail)


def _zip_raw(members: Iterable[tuple[str, bytes, int, int, int]]) -> bytes:
    """A zip of already deflated members (name, data, crc, declared size, compressed size), written by hand."""
    out, central = io.BytesIO(), []
    for name, data, crc, size, csize in members:
        offset = out.tell()
        encoded = name.encode()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, csize, size, len(encoded), 0) + encoded + data)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, csize, size,
                                   len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
    start = out.tell()
    for record in central:
        out.write(record)
    size = out.tell() - start
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), size, start, 0))
    return out.getvalue()


def zip_of_rows(target: Path, gigabytes: float = 1.1, declared: int | None = None) -> Path:
    """A small zip whose events.csv expands to ``gigabytes`` of rows; ``declared`` makes its directory lie about the size."""
    block = EVENT_ROW * ((1 << 20) // len(EVENT_ROW))
    data, crc, size = _deflate_repeated(EVENTS_HEADER, block, int(gigabytes * 1e9) // len(block), b"")
    target.write_bytes(_zip_raw([("events.csv", data, crc, declared or size, len(data))]))
    return target


def zip_of_one_line(target: Path, gigabytes: float = 1.1) -> Path:
    """A small zip whose events.csv is the header and then one line of ``gigabytes`` without a line break."""
    data, crc, size = _deflate_repeated(EVENTS_HEADER + b"fzev0,2010-01-01,protest,", b"x" * (1 << 20),
                                        int(gigabytes * 1e9) // (1 << 20), b",,,,,Ankara\n")
    target.write_bytes(_zip_raw([("events.csv", data, crc, size, len(data))]))
    return target


def xlsx_with_far_cell(target: Path, keep_dimension: bool = True) -> Path:
    """A tiny workbook with a `topics` sheet holding one cell at XFD1048576 (with or without its dimension element)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "topics"
    sheet.append(["topic_id", "name"])
    sheet.append(["t1", "One"])
    sheet.cell(row=1_048_576, column=16_384, value="far")
    buffer = io.BytesIO()
    book.save(buffer)
    if keep_dimension:
        target.write_bytes(buffer.getvalue())
        return target
    return _rewrite_member(buffer.getvalue(), target, "xl/worksheets/sheet1.xml",
                           lambda xml: xml.replace(b'<dimension ref="A1:XFD1048576"/>', b""))


def xlsx_sheet_bomb(target: Path, rows: int = 3_000_000, dimension: bytes = b"") -> Path:
    """A workbook whose `topics` sheet holds ``rows`` rows (no row numbers, so the rows repeat byte for byte).

    Its <dimension> element is dropped, or replaced by ``dimension`` (a lie such as b'<dimension ref="A1:B2"/>').
    """
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "topics"
    book.active.append(["topic_id", "name"])
    buffer = io.BytesIO()
    book.save(buffer)
    row = b'<row><c t="inlineStr"><is><t>t</t></is></c><c t="inlineStr"><is><t>n</t></is></c></row>'
    per_block = (1 << 20) // len(row)
    with zipfile.ZipFile(buffer) as source:
        xml = source.read("xl/worksheets/sheet1.xml")
        head, _, rest = xml.partition(b"</row>")
        head += b"</row>"
        tail = rest[rest.index(b"</sheetData>"):]
        head = head.replace(b'<dimension ref="A1:B1"/>', dimension)
        data, crc, size = _deflate_repeated(head, row * per_block, rows // per_block, tail)
        members = []
        for info in source.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                members.append((info.filename, data, crc, size, len(data)))
            else:
                body = source.read(info)
                packed = zlib.compressobj(9, zlib.DEFLATED, -15)
                deflated = packed.compress(body) + packed.flush()
                members.append((info.filename, deflated, zlib.crc32(body) & 0xFFFFFFFF, len(body), len(deflated)))
    target.write_bytes(_zip_raw(members))
    return target


def _rewrite_member(book: bytes, target: Path, name: str, change) -> Path:
    with zipfile.ZipFile(io.BytesIO(book)) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            body = source.read(info)
            out.writestr(info.filename, change(body) if info.filename == name else body)
    return target


def json_nested(target: Path, depth: int = 100_000) -> Path:
    target.write_text('{"topics": ' + "[" * depth + "]" * depth + "}", encoding="utf-8")
    return target


def json_long_number(target: Path, digits: int = 5_000) -> Path:
    target.write_text('{"positions": [{"topic_id": "t", "position_code": "p", "label": "P", "ordinal": ' + "7" * digits + "}]}",
                      encoding="utf-8")
    return target


def csv_with_big_cell(folder: Path, megabytes: float, column: str = "description", newline: bool = True) -> Path:
    """A bundle folder whose events.csv has one cell of ``megabytes`` (in ``column``); without ``newline``, one long line."""
    folder.mkdir(parents=True, exist_ok=True)
    big = "x" * int(megabytes * 1e6)
    cells = {"event_id": "e1", "occurred_on": "2010", "event_type": "protest", "title": "T", "description": "d"}
    cells[column] = big
    line = ",".join(cells.values())
    (folder / "events.csv").write_text("event_id,occurred_on,event_type,title,description\n" + line + ("\n" if newline else ""),
                                       encoding="utf-8")
    return folder


PROBE = """
import json, resource, sys, time
from lib import store
from lib.ingest.bundle import import_bundle
from lib.ingest.report import ImportRefused
con = store.connect(":memory:")
start = time.perf_counter()
try:
    import_bundle(con, sys.argv[1], who="probe")
    outcome, problems = "applied", []
except ImportRefused as refused:
    outcome, problems = "refused", [str(p) for p in refused.problems]
seconds = time.perf_counter() - start
# VmHWM is this program's own peak: ru_maxrss would carry the parent's peak over fork and exec
status = open("/proc/self/status").read()
peak = int(status.split("VmHWM:")[1].split()[0]) if "VmHWM:" in status else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"outcome": outcome, "problems": problems, "seconds": seconds, "peak_mb": peak / 1024}))
"""


def probe(path: Path, timeout: float = 120, env: dict[str, str] | None = None) -> dict:
    """Import ``path`` into an empty store in a fresh process; its outcome, problems, seconds and peak resident MB.

    The peak is the process's own resident high-water mark (VmHWM), Python with DuckDB and pandas loaded included.
    """
    done = subprocess.run([sys.executable, "-c", PROBE, str(path)], capture_output=True, text=True, timeout=timeout, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}, check=False)
    if done.returncode != 0:
        raise AssertionError(f"the probe failed: {done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


_OPEN_DIRECTORY = {"STANCEWATCH_IMPORT_MAX_ZIP_RATIO": "100000000", "STANCEWATCH_IMPORT_MAX_FILE_BYTES": "4000000000",
                   "STANCEWATCH_IMPORT_MAX_TOTAL_BYTES": "4000000000"}
"""Limits a zip's directory cannot break: with these, only the checks made while streaming stand in the way."""

CASES: dict[str, tuple] = {
    # name: (build(folder) -> bundle path, environment, a phrase the refusal must hold)
    "zip: 1.1 GB of rows": (lambda d: zip_of_rows(d / "rows.zip"), {}, "STANCEWATCH_IMPORT_MAX_FILE_BYTES"),
    "zip: 1.1 GB of rows, directory says 900 KB": (lambda d: zip_of_rows(d / "lie.zip", declared=900_000), {}, "Bad CRC"),
    "zip: 1.1 GB of rows, streamed (directory limits lifted, 50k-row limit)": (
        lambda d: zip_of_rows(d / "rows.zip"), {**_OPEN_DIRECTORY, "STANCEWATCH_IMPORT_MAX_ROWS": "50000"}, "STANCEWATCH_IMPORT_MAX_ROWS"),
    "zip: one 1.1 GB line": (lambda d: zip_of_one_line(d / "line.zip"), {}, "STANCEWATCH_IMPORT_MAX_FILE_BYTES"),
    "zip: one 1.1 GB line, streamed (directory limits lifted)": (
        lambda d: zip_of_one_line(d / "line.zip"), _OPEN_DIRECTORY, "STANCEWATCH_IMPORT_MAX_LINE_BYTES"),
    "xlsx: a cell at XFD1048576": (lambda d: xlsx_with_far_cell(d / "far.xlsx"), {}, "STANCEWATCH_IMPORT_MAX_ROWS"),
    "xlsx: a cell at XFD1048576, no <dimension>": (
        lambda d: xlsx_with_far_cell(d / "far.xlsx", keep_dimension=False), {}, "STANCEWATCH_IMPORT_MAX_COLUMNS"),
    "xlsx: 3M-row sheet bomb": (lambda d: xlsx_sheet_bomb(d / "sheet.xlsx"), {}, "STANCEWATCH_IMPORT_MAX_FILE_BYTES"),
    "xlsx: 3M-row sheet bomb, directory limits lifted": (
        lambda d: xlsx_sheet_bomb(d / "sheet.xlsx"), _OPEN_DIRECTORY, "does not declare its size"),
    "xlsx: 3M-row sheet declaring 2 rows, directory limits lifted": (
        lambda d: xlsx_sheet_bomb(d / "liar.xlsx", dimension=b'<dimension ref="A1:B2"/>'), _OPEN_DIRECTORY, "past the sheet's declared size"),
    "json: nested 100k deep": (lambda d: json_nested(d / "deep.json"), {}, "STANCEWATCH_IMPORT_MAX_JSON_DEPTH"),
    "json: a 5,000-digit integer": (lambda d: json_long_number(d / "long.json"), {}, "STANCEWATCH_IMPORT_MAX_NUMBER_DIGITS"),
    "csv: a 10 MB cell": (lambda d: csv_with_big_cell(d / "cell", 10, newline=True), {}, "STANCEWATCH_IMPORT_MAX_LINE_BYTES"),
    "csv: a 1 MB id": (lambda d: csv_with_big_cell(d / "id", 1, column="event_id"), {}, "STANCEWATCH_IMPORT_MAX_LINE_BYTES"),
}
