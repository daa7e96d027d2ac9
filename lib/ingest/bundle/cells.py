"""How a cell's text is written in a bundle: the formula escape and `;` lists, so that any stored text round-trips.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a
tab or carriage return before one) as a formula. The importer refuses such a
cell unless it is a number; the exporter writes it with a leading apostrophe,
which the importer takes off. So that the escape is lossless, a value that
starts with an apostrophe or with white space, or ends with white space, is
escaped the same way: ``'`` followed by the value exactly as stored.

In list columns, items are separated by ``;``; ``\\;`` is a semicolon inside an
item and ``\\\\`` a backslash (a backslash before anything else is itself).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

ESCAPE = "'"
LIST_SEPARATOR = ";"
_NEEDS_ESCAPE = re.compile(r"[=+\-@'\s]|.*\s\Z", re.DOTALL)
FORMULA_STARTS = "=+-@\t\r"
"""The characters a spreadsheet runs a cell from (a cheap test before the full check)."""
_FORMULA = re.compile(r"[=+\-@\t\r]")
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")
_LIST_PART = re.compile(r"\\[\\;]|;|[^\\;]+|\\")


def needs_escape(value: str) -> bool:
    """Whether the exporter writes ``value`` behind an apostrophe (formula start, apostrophe, surrounding white space)."""
    return bool(value) and _NEEDS_ESCAPE.match(value) is not None


def escape(value: str) -> str:
    """The cell text the exporter writes for a stored value."""
    return ESCAPE + value if needs_escape(value) else value


def unescape(cell: str) -> tuple[str, bool]:
    """A cell's value and whether it was escaped (taken as written: not trimmed, not checked for a formula)."""
    if cell.startswith(ESCAPE) and needs_escape(cell[1:]):
        return cell[1:], True
    return cell.strip(), False


def looks_like_formula(text: str) -> bool:
    """A trimmed, unescaped cell a spreadsheet would run: starts with = + - @ (tab, CR) and is not a plain number."""
    return bool(_FORMULA.match(text)) and not _NUMBER.fullmatch(text)


def split_list(text: str) -> list[str]:
    """Items of a `;` list cell, trimmed, empty ones dropped; `\\;` and `\\\\` are a literal semicolon and backslash."""
    items, current = [], []
    for part in _LIST_PART.findall(text):
        if part == LIST_SEPARATOR:
            items.append("".join(current))
            current = []
        else:
            current.append(part[1] if len(part) == 2 and part[0] == "\\" else part)
    items.append("".join(current))
    return [item.strip() for item in items if item.strip()]


def join_list(items: Iterable[str]) -> str:
    """The list cell the exporter writes: items joined by `;`, their backslashes and semicolons escaped."""
    return LIST_SEPARATOR.join(item.replace("\\", "\\\\").replace(";", "\\;") for item in items)
