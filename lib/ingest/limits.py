"""How big an import may be: every limit in one place, each with its environment variable, default and meaning.

A file over a limit is refused within seconds, before it is read whole, with a
message naming the limit and the variable that raises it, instead of taking
minutes and gigabytes (DuckDB's reader records one reject per surplus field, so
one dataset line of a million fields took > 240 s and 0.9 GB; a 2 MB zip of a
bundle expanded to 24 GB of memory). docs/IMPORT.md lists them (a test checks
that every limit here is documented there). The defaults are far above what
real files hold: a GDELT line is under 2 KB with 61 fields, a curated bundle a
few MB.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    """One bound on an input; read from the environment at each use so that a changed variable applies at once."""

    env: str
    default: int
    unit: str
    meaning: str

    @property
    def value(self) -> int:
        """The limit in force: $env when set, else the default; a bad setting is an error naming the variable."""
        raw = os.environ.get(self.env, "").strip()
        if not raw:
            return self.default
        if not raw.isdigit() or int(raw) <= 0:
            raise ValueError(f"{self.env}={raw!r}: give a positive whole number of {self.unit}")
        return int(raw)

    def refusal(self, what: str) -> str:
        """'<what> is over the limit of 100,000 characters (set STANCEWATCH_IMPORT_MAX_FIELD_CHARS to raise it)'."""
        return f"{what} is over the limit of {self.value:,} {self.unit} (set {self.env} to raise it)"

    def exceeded(self, found: int) -> str:
        """Why a file is refused, with the figure found: 'line length is 2,000,000, over the limit of …'."""
        return f"{self.meaning} is {found:,}, over the limit of {self.value:,} {self.unit} (set {self.env} to raise it)"


class LimitExceeded(Exception):
    """A file went past a limit; ``line`` is the 1-based line where it did (0: the file as a whole)."""

    def __init__(self, limit: Limit, found: int, line: int = 0) -> None:
        self.limit, self.found, self.line = limit, found, line
        super().__init__(limit.exceeded(found))


# -- curated bundles (CSV folder or zip, JSON, XLSX) ----------------------------------------------------------------
FILE_BYTES = Limit("STANCEWATCH_IMPORT_MAX_FILE_BYTES", 100_000_000, "bytes",
                   "one file: the uploaded file, a CSV of a folder, a zip member or an XLSX part, uncompressed")
TOTAL_BYTES = Limit("STANCEWATCH_IMPORT_MAX_TOTAL_BYTES", 250_000_000, "bytes",
                    "all files of one bundle together, uncompressed")
ZIP_RATIO = Limit("STANCEWATCH_IMPORT_MAX_ZIP_RATIO", 100, "times its compressed size",
                  "how far a zip member (of a bundle zip or an XLSX) may expand; members under 1 MB are exempt")
ZIP_MEMBERS = Limit("STANCEWATCH_IMPORT_MAX_ZIP_MEMBERS", 1_000, "members", "entries in a zip or XLSX")
LINE_BYTES = Limit("STANCEWATCH_IMPORT_MAX_LINE_BYTES", 1_000_000, "bytes", "one physical line of a CSV")
FIELD_CHARS = Limit("STANCEWATCH_IMPORT_MAX_FIELD_CHARS", 100_000, "characters",
                    "one cell (a quoted cell may span lines up to this size)")
KEY_CHARS = Limit("STANCEWATCH_IMPORT_MAX_KEY_CHARS", 200, "characters", "an id or a reference to one")
COLUMNS = Limit("STANCEWATCH_IMPORT_MAX_COLUMNS", 64, "columns", "columns of a table (CSV header, JSON keys, XLSX sheet width)")
ROWS = Limit("STANCEWATCH_IMPORT_MAX_ROWS", 500_000, "rows", "rows of one table")
JSON_DEPTH = Limit("STANCEWATCH_IMPORT_MAX_JSON_DEPTH", 16, "levels", "nesting of a JSON bundle (a bundle needs 4)")
NUMBER_DIGITS = Limit("STANCEWATCH_IMPORT_MAX_NUMBER_DIGITS", 30, "digits", "digits of a number in a JSON bundle")

# -- event-dataset files (GDELT, ICEWS, ACLED: checked while streamed, before DuckDB reads them) ----------------------
DATASET_LINE_BYTES = Limit("STANCEWATCH_MAX_LINE_BYTES", 1 << 20, "bytes", "line length")
DATASET_FIELD_BYTES = Limit("STANCEWATCH_MAX_FIELD_BYTES", 256 << 10, "bytes", "field length")
DATASET_FIELDS = Limit("STANCEWATCH_MAX_FIELDS", 1000, "fields", "the number of fields on a line")
DATASET_UNPACKED_BYTES = Limit("STANCEWATCH_MAX_UNPACKED_BYTES", 8 << 30, "bytes", "unpacked size")
DATASET_PACK_RATIO = Limit("STANCEWATCH_MAX_PACK_RATIO", 100, "to 1", "packing ratio")

BUNDLE_LIMITS: tuple[Limit, ...] = (FILE_BYTES, TOTAL_BYTES, ZIP_RATIO, ZIP_MEMBERS, LINE_BYTES, FIELD_CHARS, KEY_CHARS,
                                    COLUMNS, ROWS, JSON_DEPTH, NUMBER_DIGITS)
DATASET_LIMITS: tuple[Limit, ...] = (DATASET_LINE_BYTES, DATASET_FIELD_BYTES, DATASET_FIELDS, DATASET_UNPACKED_BYTES,
                                     DATASET_PACK_RATIO)
