"""The full-text index: built by DuckDB's fts extension, rebuilt lazily when a write made it stale.

fts indexes are static: a write does not update them, and a rebuild at 1M events
costs seconds (bench/RESULTS.md), too much to pay inside every import. So
``store.transaction`` only sets ``meta.search_dirty`` when it touched a searchable
table, and the next search rebuilds first. A store without the fts package, or
opened read-only, has no usable index: callers fall back to ILIKE.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from lib import backend, store

NORMAL = r"trim(regexp_replace(lower(strip_accents(coalesce({x}, ''))), '[^\p{{L}}\p{{N}}]+', ' ', 'g'))"
"""Text as the index holds it: accents stripped (Turkish ş, ğ, ç, ö, ü, İ to s, g, c, o, u, i), lower case,
every run of characters that are neither letters nor digits one space. Queries go through the same expression."""

INDEX_SQL = [  # one statement at a time: a PRAGMA is expanded before the statements beside it have run
    statement for statement in (Path(__file__).parent / "index.sql").read_text(encoding="utf-8")
    .replace("$normal", NORMAL.format(x="raw")).split(";\n") if statement.strip()
]
INDEXES = ("en", "tr")
"""The per-language indexes (tables search_en, search_tr; fts schemas fts_main_search_en, fts_main_search_tr)."""


def is_dirty(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the index is missing or older than the data: ``meta.search_dirty`` is '0' only after a rebuild.

    A store that never had an index (new, or from an older schema) has no flag, so it is dirty.
    """
    flag = con.execute("select value from meta where key = 'search_dirty'").fetchall()
    return not flag or flag[0][0] != "0"


def rebuild(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild both indexes from the data tables in one transaction (derived data: no data version, no audit)."""
    con.execute("begin transaction")
    try:
        for statement in INDEX_SQL:
            con.execute(statement)
        store.set_meta(con, "search_dirty", "0")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def ensure_current(con: duckdb.DuckDBPyConnection) -> bool:
    """Load fts and rebuild the index if stale; False when search cannot run (no fts package, read-only store).

    Two sessions may find the index stale at once: the one whose rebuild loses the
    write conflict answers this search by the fallback and finds it current next time.
    """
    if backend.is_lake(con) or not store.load_extension(con, "fts"):  # fts keeps its index in macros: not on DuckLake
        return False
    try:
        if is_dirty(con):
            rebuild(con)
    except (duckdb.TransactionException, duckdb.InvalidInputException, duckdb.PermissionException):
        return False
    return True
