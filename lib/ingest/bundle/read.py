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
  csv module's strict mode, unless their bytes prove that Arrow's CSV parser
  reads them alike (:mod:`lib.ingest.bundle.csvcolumns`: a clean file, read
  column-wise); a line break in a cell that is not free text means
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

from pathlib import Path, PurePosixPath
from typing import NamedTuple

from lib.ingest.bundle.csvfile import read_csv
from lib.ingest.bundle.jsonfile import read_json
from lib.ingest.bundle.spec import RawRows
from lib.ingest.bundle.streams import UNREADABLE, Counted, Reading, Stop, file_kind, hash_whole, open_regular, open_zip, reason, zip_members
from lib.ingest.bundle.xlsxfile import read_xlsx
from lib.ingest.report import Problem


class BundleRead(NamedTuple):
    """A bundle as read: raw rows per table, the file each came from, problems, the SHA-256 of its bytes, warnings."""

    rows: dict[str, RawRows]
    names: dict[str, str]
    problems: list[Problem]
    sha256: str
    warnings: list[Problem]


def read_bundle(path: Path) -> BundleRead:
    """Read a bundle into raw rows per table, every problem found, and the SHA-256 of its bytes (for `imports`)."""
    path = Path(path)
    reading = Reading(path.name)
    try:
        kind = file_kind(path)
        if kind == "directory":
            _read_folder(path, reading)
        elif path.suffix.lower() == ".zip":
            _read_zip(path, reading)
        elif path.suffix.lower() == ".json":
            read_json(path, reading)
        elif path.suffix.lower() == ".xlsx":
            read_xlsx(path, reading)
        elif path.suffix.lower() == ".csv" and reading.table_for(path.name, path.name):
            with open_regular(path, follow=True) as handle:
                read_csv(Counted(handle, path.name, reading), path.name, reading)
        elif path.suffix.lower() != ".csv":
            reading.problems.append(Problem(path.name, 0, "", "not a bundle: give a folder or .zip of CSVs, a .json or an .xlsx file"))
    except Stop as stop:
        reading.problems.append(stop.problem)
    except UNREADABLE as exc:  # a damaged container found while reading a member
        reading.problems.append(Problem(path.name, 0, "", f"cannot be read: {reason(exc)}"))
    return BundleRead(reading.rows, reading.names, reading.problems, reading.hasher.hexdigest(), reading.warnings)


def _read_folder(path: Path, reading: Reading) -> None:
    """Every plain file of the folder, in name order, hashed as name + NUL + bytes; sub-folders are not part of a bundle."""
    for entry in sorted(path.iterdir(), key=lambda p: p.name):
        if entry.name.startswith("."):
            continue
        kind = file_kind(entry, follow=False)
        if kind == "directory" and not entry.name.lower().endswith(".csv"):
            continue
        if kind != "file":
            reading.problems.append(Problem(entry.name, 0, "", f"is {'a directory' if kind == 'directory' else kind}, not a file: "
                                                               "a bundle holds plain files only (copy the file itself in)"))
            continue
        if not reading.table_for(entry.name, entry.name):
            continue
        reading.hasher.update(entry.name.encode() + b"\0")
        with open_regular(entry) as handle:
            read_csv(Counted(handle, entry.name, reading), entry.name, reading)


def _read_zip(path: Path, reading: Reading) -> None:
    """A zip of table CSVs, in any folders; names that climb out (`../x.csv`) or repeat a table are refused."""
    with open_regular(path, follow=True) as handle:
        hash_whole(handle, path.name, reading)
        with open_zip(path, handle) as archive:
            for info in zip_members(archive, path.name, reading):
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
                    read_csv(Counted(stream, member.name, reading, info.compress_size, hashed=False), member.name, reading)
