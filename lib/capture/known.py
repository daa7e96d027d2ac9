"""What the store already knows that an article is matched against: actors, sources, topics, positions.

Read once per article (a few small tables); the SQL of the capture package
lives here, next to its one use.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb

from lib.capture.names import NameIndex, domain, tokens


@dataclass(frozen=True)
class Actor:
    """An actor as matching needs it: the kind picks 'the ministry' / 'the minister', the parent the position line."""

    actor_id: str
    name: str
    kind: str
    parent_actor_id: str | None


@dataclass(frozen=True)
class Source:
    """A source by name (found in text) and URL (its web domain identifies an article's outlet)."""

    source_id: str
    name: str
    url: str


@dataclass(frozen=True)
class Position:
    """A topic's position: its label's words map a claim's wording to it."""

    topic_id: str
    code: str
    label: str
    ordinal: int


@dataclass
class Known:
    """The store's vocabulary for one capture: names to find in text and the rows they stand for."""

    actors: dict[str, Actor]
    sources: dict[str, Source]
    topics: dict[str, tuple[str, str]]  # topic_id -> (name, description)
    positions: list[Position]
    actor_names: NameIndex = field(init=False)
    source_names: NameIndex = field(init=False)
    aliases: dict[str, list[str]] = field(default_factory=dict)
    _topic_words: dict[str, set[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.actor_names = NameIndex((a, n) for a, names in self.aliases.items() for n in names)
        self.source_names = NameIndex((s.source_id, s.name) for s in self.sources.values())

    def source_for(self, site_name: str = "", url: str = "") -> str | None:
        """The known source of an article: by its outlet's name, else by its URL's web domain."""
        if site_name:
            words = tokens(site_name)
            for mention in self.source_names.find(words):
                if mention.start == 0 and mention.end == len(site_name.strip()):
                    return mention.ident
        host = domain(url)
        if host:
            for source in self.sources.values():
                known = domain(source.url)
                if known and (host == known or host.endswith("." + known)):
                    return source.source_id
        return None

    def parent_line(self, actor_id: str) -> list[str]:
        """The actor, its parent, the parent's parent … (a cycle stops the walk)."""
        line: list[str] = []
        while actor_id and actor_id in self.actors and actor_id not in line:
            line.append(actor_id)
            actor_id = self.actors[actor_id].parent_actor_id or ""
        return line

    def topic_positions(self, topic_id: str) -> list[Position]:
        return [p for p in self.positions if p.topic_id == topic_id]

    def topic_words(self, topic_id: str) -> set[str]:
        """The folded content words (4+ letters, or with a digit) of a topic's name, description and position labels."""
        if topic_id not in self._topic_words:
            name, description = self.topics[topic_id]
            text = " ".join([topic_id, name, description or "", *(p.label for p in self.topic_positions(topic_id))])
            self._topic_words[topic_id] = {t.word for t in tokens(text) if len(t.word) >= 4 or any(c.isdigit() for c in t.word)}
        return self._topic_words[topic_id]


def load(con: duckdb.DuckDBPyConnection) -> Known:
    """Read the actors (with aliases), sources, topics and positions the extractor matches against."""
    actors, aliases = {}, {}
    for actor_id, name, kind, parent, names in con.execute(
        "select actor_id, name, kind, parent_actor_id, coalesce(aliases, []) from actors"
    ).fetchall():
        actors[actor_id] = Actor(actor_id, name, kind, parent)
        aliases[actor_id] = [name, *names]
    sources = {
        s: Source(s, n, u or "") for s, n, u in con.execute("select source_id, name, url from sources").fetchall()
    }
    topics = {t: (n, d or "") for t, n, d in con.execute("select topic_id, name, description from topics").fetchall()}
    positions = [Position(*row) for row in con.execute(
        "select topic_id, position_code, label, ordinal from positions order by topic_id, ordinal desc"
    ).fetchall()]
    return Known(actors, sources, topics, positions, aliases=aliases)


def position_on_record(con: duckdb.DuckDBPyConnection, line: list[str], topic_id: str) -> tuple[str, str] | None:
    """(position code, statement id) of the latest coded statement on the topic by the nearest actor of ``line``.

    ``line`` is an actor and its parents: a ministry saying "no change" keeps
    its own last position, or, when it has none on record, its state's.
    """
    if not line:
        return None
    row = con.execute(
        """
        select position_code, statement_id
        from statements
        where topic_id = ? and actor_id in (select unnest(?::varchar[])) and position_code is not null
        order by array_position(?::varchar[], actor_id), stated_on desc, statement_id desc
        limit 1
        """,
        [topic_id, line, line],
    ).fetchall()
    return (row[0][0], row[0][1]) if row else None


def stored_statements(con: duckdb.DuckDBPyConnection, actor_ids: list[str], first: dt.date,
                      last: dt.date) -> list[tuple[str, str, dt.date, dt.date, str]]:
    """(statement id, actor id, first day, last day, quote) of these actors' stored statements overlapping [first, last]."""
    if not actor_ids:
        return []
    rows = con.execute(
        """
        select statement_id, actor_id, stated_on, last_day - 1, coalesce(quote, '')
        from (
            select *, cast(case date_precision when 'year' then stated_on + interval 1 year
                                               when 'month' then stated_on + interval 1 month
                                               else stated_on + interval 1 day end as date) as last_day
            from statements
            where actor_id in (select unnest(?::varchar[])) and stated_on <= ?
        )
        where last_day > ?
        """,
        [actor_ids, last, first],
    )
    return rows.fetchall()


def stored_document(con: duckdb.DuckDBPyConnection, source_id: str, first: dt.date, precision: str) -> str | None:
    """The stored document of this source published on this (partial) date, if exactly one: a report cited again."""
    rows = con.execute(
        "select document_id from documents where source_id = ? and published_on = ? and date_precision = ?",
        [source_id, first, precision],
    ).fetchall()
    return rows[0][0] if len(rows) == 1 else None


def stored_events(con: duckdb.DuckDBPyConnection, wanted: list[tuple[str, dt.date, str]]) -> dict[tuple[str, dt.date, str], str]:
    """(event type, first day, precision) -> a stored event of that type on that partial date: background repeated."""
    if not wanted:
        return {}
    rows = con.execute(
        """
        select event_type, occurred_on, date_precision, min(event_id)
        from events
        where event_type in (select unnest(?::varchar[])) and occurred_on in (select unnest(?::date[]))
        group by all
        """,
        [sorted({w[0] for w in wanted}), sorted({w[1] for w in wanted})],
    ).fetchall()
    return {(t, d, p): e for t, d, p, e in rows}


def stored_claims(con: duckdb.DuckDBPyConnection, document_ids: list[str]) -> list[tuple[str, str, dt.date, str]]:
    """(claim id, document id, claimed on, precision) of the stored claims these documents carry."""
    if not document_ids:
        return []
    return con.execute(
        "select claim_id, document_id, claimed_on, date_precision from claims "
        "where document_id in (select unnest(?::varchar[])) order by claim_id",
        [document_ids],
    ).fetchall()


def existing_keys(con: duckdb.DuckDBPyConnection, table: str, candidates: list[str]) -> set[str]:
    """Which of the candidate keys the table already holds (table from a fixed allow-list): one query per table."""
    column = {"statements": "statement_id", "claims": "claim_id", "events": "event_id", "documents": "document_id",
              "sources": "source_id", "actors": "actor_id"}[table]
    if not candidates:
        return set()
    rows = con.execute(f"select {column} from {table} where {column} in (select unnest(?::varchar[]))", [candidates])
    return {r[0] for r in rows.fetchall()}


def quote_key(quote: str) -> str:
    """A quote reduced to its folded words, to compare wordings that differ only in punctuation or case."""
    return " ".join(t.word for t in tokens(quote or ""))


