"""Queries: the analyst's words, phrases in double quotes, BM25 ranking, the shared filters, marked matches.

An unquoted query finds the items holding every word anywhere, each word
matched through its stem ("buy back" finds "buying them back"); a quoted phrase
("no change") keeps only items whose normalised text holds its words
side by side. The ranking is BM25 over the fts index of the item's language.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb
import pandas as pd

from lib import store
from lib.filters import Filters
from lib.search import index

MATCH_SQL = (Path(__file__).parent / "match.sql").read_text(encoding="utf-8")
TERMS_SQL = """
    select q.i, 'en' as lang, stem(q.word, 'english') as term from q
    union
    -- a Turkish item's terms are its words: the word itself, one that starts with its prefix (Turkish adds
    -- suffixes: "iade" finds "iadesi"), or one with its English stem (an English text from a Turkish outlet)
    select q.i, 'tr', t.term from (select distinct term from search_postings where lang = 'tr') t
    join q on t.term = q.word or (length(q.prefix) >= 3 and starts_with(t.term, q.prefix))
              or stem(t.term, 'english') = stem(q.word, 'english')
"""
MAX_WORDS, MAX_PHRASES = 12, 4
_MUTABLE_END = ("k", "p", "t", "c")  # Turkish final consonants that soften before a vowel suffix: kitap → kitabı


@dataclass(frozen=True)
class Query:
    """A parsed query: its normalised words (all required) and the phrases among them."""

    words: tuple[str, ...]
    phrases: tuple[str, ...]

    @property
    def prefixes(self) -> tuple[str, ...]:
        """Each word's Turkish prefix: the word, less a final k, p, t or ç that a suffix softens (değişiklik → değişikliği)."""
        return tuple(w[:-1] if len(w) >= 5 and w.endswith(_MUTABLE_END) else w for w in self.words)


def normalise(text: str) -> str:
    """The Python twin of ``index.NORMAL`` (accents off, lower case, only letters and digits), for queries and marks."""
    folded = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)).lower()
    return " ".join(re.findall(r"[^\W_]+", folded))


def parse(text: str) -> Query:
    """Words and "quoted phrases" of what the analyst typed; an odd quote counts as closed at the end."""
    phrases = tuple(p for p in (normalise(m) for m in re.findall(r'"([^"]*)"?', text)) if p)[:MAX_PHRASES]
    words = tuple(dict.fromkeys(normalise(text).split()))[:MAX_WORDS]
    return Query(words, tuple(p for p in phrases if set(p.split()) <= set(words)))  # a phrase past MAX_WORDS is dropped


def matches_sql(con: duckdb.DuckDBPyConnection, text: str) -> tuple[str, dict[str, object]] | None:
    """SQL selecting (kind, item_id, score) of the items matching ``text``, with its bound values; see :func:`scores_sql`."""
    found = scores_sql(con, text)
    return None if found is None else (_ITEMS.format(scores=found[0]), found[1])


_ITEMS = "select d.kind, d.item_id, h.score from ({scores}) h join search_docs d using (docid)"


def scores_sql(con: duckdb.DuckDBPyConnection, text: str) -> tuple[str, dict[str, object]] | None:
    """SQL selecting (docid, score) of the items matching ``text``, with its bound values.

    None when the text has no word or the index cannot be used (no fts package,
    an index left stale by a write without it): the caller then searches
    literally (ILIKE). Parameter names start with ``sw_`` so the SQL can join
    another query's WHERE clause. The words are resolved to index terms first,
    so that the postings scan filters on constants and skips row groups.
    """
    query = parse(text)
    if not query.words or not index.usable(con):
        return None
    terms = con.execute(f"""with q as (select unnest(?::varchar[]) as word, unnest(?::varchar[]) as prefix,
                                              generate_subscripts(?::varchar[], 1) - 1 as i)
                            {TERMS_SQL} order by all""", [list(query.words), list(query.prefixes), list(query.words)]).fetchall()
    distinct = sorted({term for _, _, term in terms})
    params: dict[str, object] = {"sw_i": [i for i, _, _ in terms], "sw_lang": [lang for _, lang, _ in terms],
                                 "sw_term": [term for _, _, term in terms], "sw_mask": (1 << len(query.words)) - 1}
    params |= {f"sw_t{n}": term for n, term in enumerate(distinct)}
    # a phrase: some position of its first word has the second word one after, the third two after, ...
    phrases = [[query.words.index(w) for w in phrase.split()] for phrase in query.phrases]
    tests = [f"len(list_filter(h.pos{at[0]}, x -> {' and '.join(f'list_contains(h.pos{i}, x + {n})' for n, i in enumerate(at))})) > 0"
             for at in phrases if len(at) > 1]
    needed = sorted({i for at in phrases if len(at) > 1 for i in at})
    sql = MATCH_SQL.format(terms=f"p.term in ({', '.join(f'$sw_t{n}' for n in range(len(distinct)))})" if distinct else "false",
                           pos=", p.pos" if tests else "", phrases=" and ".join(tests) or "true",
                           positions="".join(f", flatten(list(p.pos) filter (where p.i = {i})) as pos{i}" for i in needed))
    return sql, params


_KIND_TABLE = {"event": "events e", "statement": "statements s", "claim": "claims c"}
_ALIAS = {"event": "e", "statement": "s", "claim": "c"}
_ID = {"event": "e.event_id", "statement": "s.statement_id", "claim": "c.claim_id"}
_COLUMNS = ["kind", "item_id", "dated", "title", "text", "url", "score"]


def search(con: duckdb.DuckDBPyConnection, text: str, filters: Filters, limit: int = 100) -> pd.DataFrame | None:
    """The best ``limit`` items for ``text`` under ``filters`` (its own text filter aside), best first.

    Columns: kind (event, statement, claim, document), item_id, dated, title (an
    event's or document's title, a statement's actor), text (description, quote,
    claim text), url (a document's), score (BM25). Documents have no actor or topic: choosing actors,
    topics, kinds, event types or origins leaves them out; dates and sources apply.
    None when the index cannot be used (see :func:`matches_sql`).

    What a row shows comes from the index (search_docs). Without filters the best
    ``limit`` scores are taken before anything else is read; a filter is a semi
    join of the hits with the item table under the Timeline's WHERE clause, which
    DuckDB prunes by the dates the items are stored in.
    """
    from lib.timeline import queries  # the Timeline's SQL uses this module for its text filter: import at first use

    found = scores_sql(con, text)
    if found is None:
        return None
    scores, params = found
    where, filter_params = queries.timeline_where(con, replace(filters, text=""))
    params |= filter_params | {"sw_limit": limit}
    if not (filters.kinds or filters.date_from or filters.date_to or filters.actors or filters.topics or filters.sources
            or filters.event_types or filters.origins):
        # no filter: the best scores first (the postings alone), then their rows of search_docs by docid as constants,
        # so that the scan reads the display columns of those rows only (a join would read them for every item)
        best = con.execute(f"select docid, score from ({scores}) order by score desc, docid limit $sw_limit",
                           queries.used_params(f"{scores} $sw_limit", params)).fetchall()
        if not best:
            return pd.DataFrame(columns=_COLUMNS)
        params = {f"sw_d{n}": docid for n, (docid, _) in enumerate(best)} | {
            "sw_docids": [d for d, _ in best], "sw_scores": [s for _, s in best], "sw_limit": limit}
        docs = f"(select * from search_docs where docid in ({', '.join(f'$sw_d{n}' for n in range(len(best)))}))"
        scores = "select unnest($sw_docids::bigint[]) as docid, unnest($sw_scores::double[]) as score"
    else:
        docs = "search_docs"
    tests = [f"(h.kind = '{kind}'" + (f" and h.item_id in (select {_ID[kind]} from {_KIND_TABLE[kind]} where {where[_ALIAS[kind]]}))"
                                      if where[_ALIAS[kind]] != "true" else ")")
             for kind in _KIND_TABLE if where[_ALIAS[kind]]]
    if not (filters.kinds or filters.actors or filters.topics or filters.event_types or filters.origins):
        params["sw_sources"] = list(filters.sources) or None
        params["sw_from"], params["sw_to"] = filters.date_from, filters.date_to
        tests.append("(h.kind = 'document' and ($sw_sources::varchar[] is null or h.item_id in "
                     "(select document_id from documents where source_id in (select unnest($sw_sources::varchar[])))) "
                     "and ($sw_from::date is null or h.dated >= $sw_from::date) and ($sw_to::date is null or h.dated <= $sw_to::date))")
    if not tests:
        return pd.DataFrame(columns=_COLUMNS)
    sql = f"""select h.kind, h.item_id, h.dated, coalesce(a.name, h.title) as title, h.text, h.url, h.score
              from (select d.*, h.score from ({scores}) h join {docs} d using (docid)) h
              left join actors a on h.kind = 'statement' and a.actor_id = h.title
              where {' or '.join(tests)}
              order by h.score desc, h.kind, h.item_id limit $sw_limit"""
    return con.execute(sql, queries.used_params(sql, params)).df()


def marked(con: duckdb.DuckDBPyConnection, texts: list[str | None], text: str, width: int = 240) -> list[str]:
    """Each text with the words that match the query between « and », cut to about ``width`` characters around the first.

    Plain text with marks, never markup: the page shows it in a table cell as typed.
    A word matches by the same rules as the search (English stem, Turkish prefix;
    without the fts package, the word itself).
    """
    query = parse(text)
    words = {normalise(w) for t in texts if t for w in re.findall(r"[^\W_]+", t)} | set(query.words)
    stems = (dict(con.execute("select w, stem(w, 'english') from unnest(?::varchar[]) as t(w)", [sorted(words)]).fetchall())
             if store.load_extension(con, "fts") else {w: w for w in words})
    wanted = {stems[w] for w in query.words}
    prefixes = [p for p in query.prefixes if len(p) >= 3]

    def hit(word: str) -> bool:
        norm = normalise(word)
        return stems.get(norm) in wanted or any(norm.startswith(p) for p in prefixes)

    out = []
    for t in texts:
        t = t or ""
        spans = [m.span() for m in re.finditer(r"[^\W_]+", t) if hit(m.group())]
        start = max(0, spans[0][0] - width // 3) if spans and len(t) > width else 0
        end = min(len(t), start + width)
        pieces, pos = ["… " if start else ""], start
        for a, b in (span for span in spans if span[1] <= end):
            if a >= start:
                pieces += [t[pos:a], "«", t[a:b], "»"]
                pos = b
        pieces += [t[pos:end], " …" if end < len(t) else ""]
        out.append("".join(pieces))
    return out


def results_table(con: duckdb.DuckDBPyConnection, text: str, filters: Filters, limit: int = 100) -> pd.DataFrame | None:
    """The Search page's ranked list: kind, dated, title, match (the item's text with the matching words in «»),
    score, url (documents), item_id; None when the index cannot be used."""
    found = search(con, text, filters, limit)
    if found is None:
        return None
    shown = [" · ".join(p for p in (title, body) if isinstance(p, str) and p) if kind in ("event", "document")
             else (body if isinstance(body, str) else "") for kind, title, body in zip(found.kind, found.title, found.text, strict=True)]
    return found.assign(match=marked(con, shown, text), score=found.score.round(3), dated=pd.to_datetime(found.dated).dt.date)[
        ["kind", "dated", "title", "match", "score", "item_id"]]
