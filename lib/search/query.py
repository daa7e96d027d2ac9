"""Queries: the analyst's words, phrases in double quotes, BM25 ranking, the shared filters, marked matches.

An unquoted query finds the items holding every word anywhere, each word
matched through its stem ("buy back" finds "buying them back"); a quoted phrase
("no change") keeps only items whose normalised text holds its words
side by side. The ranking is BM25 over the fts index of the item's language.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb
import pandas as pd

from lib import backend, store
from lib.filters import Filters
from lib.search import index

MATCH_SQL = "\n".join(line for line in (Path(__file__).parent / "match.sql").read_text(encoding="utf-8").splitlines()
                      if not line.startswith("--"))  # its comments name the placeholders, which a format would fill
TERMS_SQL = """
    select x.i, x.lang, x.term, t.df, t.cuts from (
        select q.i, 'en' as lang, stem(q.word, 'english') as term from q
        union
        -- a Turkish item's terms are its words: the word itself, one that starts with its prefix (Turkish adds
        -- suffixes: "iade" finds "iadesi"), or one with its English stem (an English text from a Turkish outlet)
        select q.i, 'tr', t.term from (select term from search_terms where lang = 'tr') t
        join q on t.term = q.word or (length(q.prefix) >= 3 and starts_with(t.term, q.prefix))
                  or stem(t.term, 'english') = stem(q.word, 'english')
    ) x join search_terms t using (lang, term)
    order by all
"""
POSTINGS_SQL = """select {i} as i, p.docid, $sw_idf{n} * p.tf * (1.2 + 1)
                         / (p.tf + 1.2 * (1 - 0.75 + 0.75 * p.len / $sw_avg{n})) as s{pos}
                  from search_postings p where p.lang = $sw_lang{n} and p.term = $sw_term{n}{impact}"""
"""One query term's postings and BM25 part (k = 1.2, b = 0.75: match.sql; the impacts of lib/search/index.sql)."""
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


@dataclass(frozen=True)
class Term:
    """A query word's term in one language, with what BM25 needs of it (idf, the language's average length) and
    what stopping early needs (its cuts, the bounds of a current score against a stored impact)."""

    i: int
    lang: str
    term: str
    df: int
    idf: float
    avg: float
    cuts: tuple[float | None, ...]
    low: float
    high: float


@dataclass(frozen=True)
class Plan:
    """A scoring SQL (docid, score) with its values, and ``bound``: no item it leaves out scores this much or more
    (0: it leaves out none). Its best ``limit`` are the true best when the last of them scores at least the bound."""

    sql: str
    params: dict[str, object]
    bound: float


def _terms(con: duckdb.DuckDBPyConnection, query: Query) -> list[Term]:
    """The index terms of the query's words, with their BM25 constants from search_terms and search_stats.

    A stored impact was computed with the language's ``ref_len``; under the current average length ``avg`` the
    score of a posting is its impact times a factor between ``low`` and ``high`` (min and max of 1 and avg/ref_len).
    """
    stats = {lang: (docs, tokens / docs, ref) for lang, docs, tokens, ref in
             con.execute("select lang, docs, tokens, ref_len from search_stats").fetchall()}
    rows = con.execute(f"""with q as (select unnest(?::varchar[]) as word, unnest(?::varchar[]) as prefix,
                                             generate_subscripts(?::varchar[], 1) - 1 as i)
                           {TERMS_SQL}""", [list(query.words), list(query.prefixes), list(query.words)]).fetchall()
    terms = []
    for i, lang, term, df, cuts in rows:
        docs, avg, ref = stats[lang]
        terms.append(Term(i, lang, term, df, math.log((docs - df + 0.5) / (df + 0.5) + 1), avg,
                          tuple(cuts or (None,) * len(index.LEVELS)), min(1.0, avg / ref), max(1.0, avg / ref)))
    return terms


def _plan(query: Query, terms: list[Term], level: int | None = None) -> Plan:
    """The scoring SQL of ``query`` over ``terms``; ``level`` (an index of index.LEVELS): read only the postings whose
    impact may put them among a term's ``index.LEVELS[level]`` best, where that is exact (see :func:`_stops_early`)."""
    params: dict[str, object] = {"sw_mask": (1 << len(query.words)) - 1}
    phrases = [[query.words.index(w) for w in phrase.split()] for phrase in query.phrases]
    phrases = [at for at in phrases if len(at) > 1]
    tests = [f"len(list_filter(h.pos{at[0]}, x -> {' and '.join(f'list_contains(h.pos{i}, x + {n})' for n, i in enumerate(at))})) > 0"
             for at in phrases]
    needed = sorted({i for at in phrases for i in at})
    rare, holders = _rarest(query, terms)
    scans, bound = [], 0.0
    for n, term in enumerate(terms):
        params |= {f"sw_lang{n}": term.lang, f"sw_term{n}": term.term, f"sw_idf{n}": term.idf, f"sw_avg{n}": term.avg}
        cut = term.cuts[level] if level is not None and _stops_early(query, terms, term) else None
        if cut is not None:
            # a posting below cut * low / high scores below idf * cut * low; at least index.LEVELS[level] score that or more
            params[f"sw_min{n}"] = cut * term.low / term.high
            bound = max(bound, term.idf * cut * term.low * (1 + 1e-6))  # impacts are 32-bit floats: a margin
        scans.append(POSTINGS_SQL.format(i=term.i, n=n, pos=", p.pos" if tests else "",
                                         impact=(f" and p.impact >= $sw_min{n}" if cut is not None else "")
                                         + (f" and p.docid in ({holders})" if holders and term.i != rare else "")))
    if len(query.words) == 1 and len(scans) == 1:
        # one term: an item has one posting of it, its score; grouping a million postings by item cost ~250 ms at 10M
        del params["sw_mask"]
        return Plan(f"select docid, s as score from ({scans[0]})", params, bound)
    sql = MATCH_SQL.format(postings=" union all ".join(scans) or "select 0 as i, 0::bigint as docid, 0.0 as s, [] as pos where false",
                           phrases=" and ".join(tests) or "true",
                           positions="".join(f", flatten(list(p.pos) filter (where p.i = {i})) as pos{i}" for i in needed))
    return Plan(sql, params, bound)


def _rarest(query: Query, terms: list[Term]) -> tuple[int | None, str]:
    """The query word in fewest items, and SQL selecting the docids of its postings: every word is required, so the
    other words' postings are read only for those items ("statement 77" at 10M: 1M postings grouped by item, 310 ms of
    CPU, now 1,261). (None, "") for one word, or when a word has no term (nothing matches)."""
    of_word: dict[int, list[int]] = {}
    for n, term in enumerate(terms):
        of_word.setdefault(term.i, []).append(n)
    if len(query.words) < 2 or len(of_word) < len(query.words):
        return None, ""
    rare = min(of_word, key=lambda i: sum(terms[n].df for n in of_word[i]))
    return rare, " union all ".join(f"select docid from search_postings where lang = $sw_lang{n} and term = $sw_term{n}"
                                    for n in of_word[rare])


def _stops_early(query: Query, terms: list[Term], term: Term) -> bool:
    """Whether a query may read only the best postings of ``term``: when it has one word and ``term`` is the only
    term of its language (an item then scores by that posting alone; items of several terms need them all)."""
    return len(query.words) == 1 and sum(t.lang == term.lang for t in terms) == 1


def scores_sql(con: duckdb.DuckDBPyConnection, text: str) -> tuple[str, dict[str, object]] | None:
    """SQL selecting (docid, score) of every item matching ``text``, with its bound values.

    None when the text has no word or the index cannot be used (no fts package,
    an index left stale by a write without it): the caller then searches
    literally (ILIKE). Parameter names start with ``sw_`` so the SQL can join
    another query's WHERE clause. The words are resolved to index terms first,
    so that the postings scans filter on constants and skip row groups.
    """
    query = parse(text)
    if not query.words or not index.usable(con):
        return None
    plan = _plan(query, _terms(con, query))
    return plan.sql, plan.params


_KIND_TABLE = {"event": "events e", "statement": "statements s", "claim": "claims c"}
_ALIAS = {"event": "e", "statement": "s", "claim": "c"}
_ID = {"event": "e.event_id", "statement": "s.statement_id", "claim": "c.claim_id"}
_COLUMNS = ["kind", "item_id", "dated", "title", "text", "url", "score"]
_IN_DATES = """($sw_from::date is null or (d.dated >= $sw_from::date - 366 and case d.date_precision
                   when 'day' then d.dated when 'month' then last_day(d.dated) else make_date(year(d.dated), 12, 31) end
                   >= $sw_from::date))
               and ($sw_to::date is null or d.dated <= $sw_to::date)"""
"""An item's period overlaps the chosen dates (as the Timeline's filter), from search_docs alone."""


def _filtered(filters: Filters) -> bool:
    return any((filters.kinds, filters.date_from, filters.date_to, filters.actors, filters.topics, filters.sources,
                filters.event_types, filters.origins))


def search(con: duckdb.DuckDBPyConnection, text: str, filters: Filters, limit: int = 100) -> pd.DataFrame | None:
    """The best ``limit`` items for ``text`` under ``filters`` (its own text filter aside), best first.

    Columns: kind (event, statement, claim, document), item_id, dated, title (an
    event's or document's title, a statement's actor), text (description, quote,
    claim text), url (a document's), score (BM25). Documents have no actor or topic: choosing actors,
    topics, kinds, event types or origins leaves them out; dates and sources apply.
    None when the index cannot be used (see :func:`matches_sql`).

    A one-word query first reads only the best postings of its term (impact order,
    search_terms.cuts) and keeps that answer when the bound proves it the true best;
    otherwise, and for several words, every posting of the terms. The best ``limit``
    docids are found first (dates and kinds tested on search_docs, other filters
    by a semi join with the item table under the Timeline's WHERE clause), then
    what they show is read by docid.
    """
    query = parse(text)
    if not query.words or not index.usable(con):
        return None
    terms = _terms(con, query)
    tried = None
    for level in ((1, 2) if _filtered(filters) else (0, 1)):
        plan = _plan(query, terms, level)
        if not plan.bound:
            break  # nothing to stop early on: every posting, below
        if plan == tried:
            continue  # the same cut as the level that did not suffice (equal impacts): the same postings again
        best = _best(con, plan, filters, limit)
        if len(best) == limit and best[-1][1] >= plan.bound:
            return _shown(con, best)
        tried = plan
    return _shown(con, _best(con, _plan(query, terms), filters, limit))


def _best(con: duckdb.DuckDBPyConnection, plan: Plan, filters: Filters, limit: int) -> list[tuple[int, float]]:
    """The best ``limit`` (docid, score) of ``plan`` under ``filters``."""
    from lib.timeline import queries  # the Timeline's SQL uses this module for its text filter: import at first use

    params = plan.params | {"sw_limit": limit}
    if not _filtered(filters):
        sql = f"select docid, score from ({plan.sql}) order by score desc, docid limit $sw_limit"
    elif not (filters.actors or filters.topics or filters.sources or filters.event_types or filters.origins):
        # dates and kinds only: tested on search_docs (its date and precision), no item table read
        params |= {"sw_from": filters.date_from, "sw_to": filters.date_to, "sw_kinds": list(filters.kinds) or None}
        sql = f"""select h.docid, h.score from ({plan.sql}) h join search_docs d using (docid)
                  where {_IN_DATES} and ($sw_kinds::varchar[] is null or d.kind in (select unnest($sw_kinds::varchar[])))
                  order by h.score desc, h.docid limit $sw_limit"""
    else:
        where, filter_params = queries.timeline_where(con, replace(filters, text=""))
        params |= filter_params
        tests = [f"(d.kind = '{kind}'" + (f" and d.item_id in (select {_ID[kind]} from {_KIND_TABLE[kind]} where {where[_ALIAS[kind]]}))"
                                          if where[_ALIAS[kind]] != "true" else ")")
                 for kind in _KIND_TABLE if where[_ALIAS[kind]]]
        if not (filters.kinds or filters.actors or filters.topics or filters.event_types or filters.origins):
            params |= {"sw_sources": list(filters.sources), "sw_from": filters.date_from, "sw_to": filters.date_to}
            tests.append(f"""(d.kind = 'document' and d.item_id in (select document_id from documents
                              where source_id in (select unnest($sw_sources::varchar[]))) and {_IN_DATES})""")
        if not tests:
            return []
        sql = f"""select h.docid, h.score from ({plan.sql}) h join search_docs d using (docid)
                  where {' or '.join(tests)} order by h.score desc, h.docid limit $sw_limit"""
    return con.execute(sql, queries.used_params(sql, params)).fetchall()


def _shown(con: duckdb.DuckDBPyConnection, best: list[tuple[int, float]]) -> pd.DataFrame:
    """What the best hits show, best first: their rows of search_docs read one docid at a time, a statement's
    actor named.

    A join, or ``docid in (…)``, decodes the compressed display text of every row group (215 ms of CPU at 1M
    items, growing with the store); ``docid = constant`` reads the one row group holding it (~1.3 ms each).
    On the team store every table reference reads the catalog, so there it is one ``in (…)``.
    """
    if not best:
        return pd.DataFrame(columns=_COLUMNS)
    params = {f"sw_d{n}": docid for n, (docid, _) in enumerate(best)} | {
        "sw_docids": [d for d, _ in best], "sw_scores": [s for _, s in best]}
    names = [f"$sw_d{n}" for n in range(len(best))]
    docs = (f"(select * from search_docs where docid in ({', '.join(names)}))" if backend.is_lake(con)
            else "(" + " union all ".join(f"(select * from search_docs where docid = {name})" for name in names) + ")")
    sql = f"""select d.kind, d.item_id, d.dated, coalesce(a.name, d.title) as title, d.text, d.url, h.score
              from (select unnest($sw_docids::bigint[]) as docid, unnest($sw_scores::double[]) as score) h
              join {docs} d using (docid)
              left join actors a on d.kind = 'statement' and a.actor_id = d.title
              order by h.score desc, d.kind, d.item_id"""
    return con.execute(sql, params).df()


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
