"""The event-dataset importers by format name, and recognising a file's format from its first line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from lib.ingest import acled, gdelt, icews
from lib.ingest.bounded import first_line
from lib.ingest.report import ImportResult
from lib.ingest.tabular import UNREADABLE, DatasetFormat

IMPORTERS: dict[str, Callable[..., ImportResult]] = {
    "gdelt": gdelt.import_gdelt,
    "icews": icews.import_icews,
    "acled": acled.import_acled,
}

FORMATS: dict[str, DatasetFormat] = {"gdelt": gdelt.FORMAT, "icews": icews.FORMAT, "acled": acled.FORMAT}


def sniff(path: Path) -> str | None:
    """Which dataset a file looks like from its first line (plain, .gz or a zip of one file): 'gdelt', 'icews', 'acled', or None.

    None for anything else, a bundle's zip of several tables included.
    """
    try:
        first = first_line(Path(path))
    except UNREADABLE:
        return None
    fields = first.split("\t")
    if len(fields) in (57, 58, 61) and fields[0].isdigit():
        return "gdelt"
    if first.startswith("Event ID\tEvent Date"):
        return "icews"
    lowered = first.lower()
    if "event_id_cnty" in lowered and "event_date" in lowered:
        return "acled"
    return None
