"""The full-text index: postings kept current by every write, for exactly the items it wrote.

DuckDB's fts extension builds a static index (a rebuild took 496 s at 1M events,
bench/RESULTS.md), so the store keeps its own: ``search_docs`` (an item's
language, token count, what a result shows and a digest of it all),
``search_postings`` (term, item, term frequency, impact, positions),
``search_terms`` (document frequencies; the cuts that let a query stop early)
and ``search_stats`` (BM25's N and average length), with fts's stemmer
(``stem``) and the same normalisation. The SQL is the same on the team store
(DuckLake has no sequence and no ON CONFLICT; docids are one above the largest).
``store.transaction`` calls :func:`refresh` before it commits, with the keys of
the rows the transaction wrote (``written_keys``); an item whose digest did not
change costs nothing. A write that gave no row keys (the synthetic generator)
rebuilds the index whole, and a write made without the fts package (no
stemmer) leaves it stale (``meta.search_stale``) until the next write that has
it: meanwhile searches fall back to ILIKE.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from lib import store

NORMAL = r"trim(regexp_replace(lower(strip_accents(coalesce({x}, ''))), '[^\p{{L}}\p{{N}}]+', ' ', 'g'))"
"""Text as the index holds it: accents stripped (Turkish ş, ğ, ç, ö, ü, İ to s, g, c, o, u, i), lower case,
every run of characters that are neither letters nor digits one space. Queries go through the same expression."""

_STATEMENTS = [s for s in (Path(__file__).parent / "index.sql").read_text(encoding="utf-8")
               .replace("$normal", NORMAL.format(x="raw")).split(";\n") if s.strip()]
_ONLY = {  # the items in question, for an incremental refresh: those listed in search_changed
    "only_e": "semi join search_changed ch on ch.kind = 'event' and ch.item_id = e.event_id",
    "only_ed": "semi join search_changed ch on ch.kind = 'event' and ch.item_id = ed.event_id",
    "only_s": "semi join search_changed ch on ch.kind = 'statement' and ch.item_id = s.statement_id",
    "only_c": "semi join search_changed ch on ch.kind = 'claim' and ch.item_id = c.claim_id",
    "only_d": "semi join search_changed ch on ch.kind = 'document' and ch.item_id = doc.document_id",
    "only_docs": "semi join search_changed ch on ch.kind = d.kind and ch.item_id = d.item_id",
}
KINDS = {"events": "event", "statements": "statement", "claims": "claim", "documents": "document", "event_documents": "event"}
"""The tables the index reads, and the kind of item a written row's key names (a link's key is its event's)."""
LANGUAGE_FOLLOWS = """
    select 'event' as kind, ed.event_id as item_id from event_documents ed semi join written_keys w
        on w.table_name = 'documents' and w.row_key = ed.document_id
    union all
    select 'statement', s.statement_id from statements s semi join written_keys w
        on w.table_name = 'documents' and w.row_key = s.document_id
    union all
    select 'claim', c.claim_id from claims c semi join written_keys w on w.table_name = 'documents' and w.row_key = c.document_id
"""
"""The items whose language is that of a written document."""


LEVELS = (1_000, 10_000, 100_000)
"""The ranks whose impacts a build keeps per common term (search_terms.cuts): a query that stops early reads about
that many of the term's postings (lib/search/query.py)."""
CHUNK = 1_000_000
"""New docids tokenised and grouped at a time: a build of 10M events groups ~180M tokens, which at once would
hold every (term, item) list of positions in memory; a range of a million items holds ~15M."""


def _run(con: duckdb.DuckDBPyConnection, only: dict[str, str], build: bool) -> None:
    """Bring the index in step for the items ``only`` selects (every item when its fragments are empty; ``build``:
    the index tables were emptied first)."""
    left = None
    for statement in _STATEMENTS:
        tags = set(re.findall(r"^-- \[(\w+)\]", statement, re.M))
        if ("build" in tags and not build) or ("refresh" in tags and build):
            continue
        if "left" in tags:
            if left is None:
                left = con.execute("select count(*) from search_gone").fetchall()[0][0]
            if not left:
                continue
        sql = statement.replace("{cuts}", ", ".join(f"max(impact) filter (where above >= {rank})" for rank in LEVELS))
        sql = sql.replace("{common}", str(LEVELS[0]))
        for name, fragment in only.items():
            sql = sql.replace("{" + name + "}", fragment)
        if "chunks" in tags:
            first, last = con.execute("select coalesce(min(docid), 0), coalesce(max(docid), -1) from search_new").fetchall()[0]
            for start in range(first, last + 1, CHUNK):  # integers of ours, written into the SQL
                chunk = f"between {start} and {min(start + CHUNK - 1, last)}"
                con.execute((_tokenised(con, sql, chunk) if "{texts}" in sql else sql).replace("{chunk}", chunk))
            continue
        con.execute(sql)


_EACH = {"texts": "select lang, body, len, docid as unit from search_new where docid {chunk}", "docid": "p.unit", "shared": ""}
_SHARED = {"texts": "select lang, body, any_value(len) as len, min(docid) as unit from search_new where docid {chunk} group by all",
           "docid": "i.docid",
           "shared": """join (select n.docid, t.unit from search_new n join texts t using (lang, body) where n.docid {chunk}) i
                        using (unit)"""}
REPEATS = 0.8
"""Texts are tokenised once each when fewer than this share of a chunk's items hold distinct ones: 100,000 statements
of four quotes 1.5 → 0.8 s of CPU, but 100,000 distinct texts 1.4 → 1.7 s that way (the postings join their items)."""


def _tokenised(con: duckdb.DuckDBPyConnection, sql: str, chunk: str) -> str:
    """The postings insert for the items of ``chunk``, tokenising each item or, when their texts repeat, each text."""
    distinct, items = con.execute(f"select approx_count_distinct(hash(lang, body)), count(*) from search_new "
                                  f"where docid {chunk}").fetchall()[0]
    for name, fragment in (_SHARED if distinct < REPEATS * items else _EACH).items():
        sql = sql.replace("{" + name + "}", fragment)
    return sql


def rebuild(con: duckdb.DuckDBPyConnection) -> None:
    """Index every item anew, inside the caller's transaction (an upgrade, a write without row keys). Needs the fts package."""
    if not store.load_extension(con, "fts"):
        raise store.StoreError("the full-text index needs the fts extension package (duckdb-extension-fts)")
    con.execute("delete from search_postings; delete from search_docs; delete from search_stats; delete from search_terms")
    _run(con, dict.fromkeys(_ONLY, ""), build=True)
    con.execute("delete from meta where key = 'search_stale'")


def refresh(con: duckdb.DuckDBPyConnection, touched: set[str], unkeyed: set[str]) -> None:
    """Update the index for the rows this transaction wrote, before it commits (called by ``store.transaction``).

    ``touched`` are the tables written, ``unkeyed`` those written without row keys (then every item is indexed anew).
    """
    if not touched & KINDS.keys():
        return
    if not store.load_extension(con, "fts"):  # no stemmer: the index cannot follow; searches use ILIKE until a write can
        store.set_meta(con, "search_stale", "1")
        return
    if unkeyed & KINDS.keys() or is_stale(con):
        rebuild(con)
        return
    kinds = " ".join(f"when '{table}' then '{kind}'" for table, kind in KINDS.items())
    follows = f"union all {LANGUAGE_FOLLOWS}" if "documents" in touched else ""
    con.execute(f"""create or replace temp table search_changed as
                    select distinct kind, item_id from (
                        select case table_name {kinds} end as kind, row_key as item_id from written_keys
                        where table_name in (select unnest(?::varchar[])) {follows})""", [list(KINDS)])
    _run(con, _ONLY, build=False)
    con.execute("drop table search_changed")


def is_stale(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether a write made without the fts package left the index behind the data."""
    return bool(con.execute("select count(*) from meta where key = 'search_stale'").fetchall()[0][0])


def usable(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether a search can use the index: fts loads (queries stem their words) and the index is current."""
    return store.load_extension(con, "fts") and not is_stale(con)
