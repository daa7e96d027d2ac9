"""How much an import may make the program read: each limit has a name, an environment variable that raises it, and a default.

A file past a limit is refused within seconds, naming the limit and its
variable, instead of taking minutes and gigabytes (DuckDB's reader records one
reject per surplus field, so one line of a million fields took > 240 s and
0.9 GB). The defaults are far above what the public datasets hold: a GDELT line
is under 2 KB with 61 fields, an ACLED line a few KB.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    """One bound on an input, read from its environment variable when set (a whole number; underscores allowed)."""

    name: str
    env: str
    default: int
    unit: str = "bytes"

    def value(self) -> int:
        """The limit in force: $env when set, else the default; a bad setting is an error naming the variable."""
        raw = os.environ.get(self.env, "").strip()
        if not raw:
            return self.default
        try:
            value = int(raw)
        except ValueError:
            value = 0
        if value <= 0:
            raise ValueError(f"{self.env}={raw!r}: use a whole number above 0")
        return value

    def exceeded(self, found: int) -> str:
        """Why a file is refused: the figure found, the limit, and how to raise it."""
        return f"{self.name} is {found:,}, over the limit of {self.value():,} {self.unit} (set {self.env} to raise it)"


class LimitExceeded(Exception):
    """A file went past a limit; ``line`` is the 1-based line where it did (0: the file as a whole)."""

    def __init__(self, limit: Limit, found: int, line: int = 0) -> None:
        self.limit, self.found, self.line = limit, found, line
        super().__init__(limit.exceeded(found))


# -- event-dataset files (GDELT, ICEWS, ACLED) -------------------------------------------------------------------
LINE_BYTES = Limit("line length", "STANCEWATCH_MAX_LINE_BYTES", 1 << 20)
FIELD_BYTES = Limit("field length", "STANCEWATCH_MAX_FIELD_BYTES", 256 << 10)
FIELDS = Limit("the number of fields on a line", "STANCEWATCH_MAX_FIELDS", 1000, "fields")
UNPACKED_BYTES = Limit("unpacked size", "STANCEWATCH_MAX_UNPACKED_BYTES", 8 << 30)
PACK_RATIO = Limit("packing ratio", "STANCEWATCH_MAX_PACK_RATIO", 100, "to 1")
