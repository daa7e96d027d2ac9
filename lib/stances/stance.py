"""Stance continuity: has an actor reaffirmed its position, or shifted it?

Two judgements, both shown (docs/STANCES.md has the whole rule with examples):

* **Own record** — each statement against its own speaker's earlier
  statements, in SQL (lib/stances/continuity.py; stored as
  ``statements.own_continuity`` for the Timeline and the shift alerts). The
  rules below.
* **The series' line** — what a card and the chart show. For one actor alone
  it is the own record. For a group (a state with its ministries, officials
  and unnamed sources folded in) a position one voice takes that the other
  voices do not take up is a *divergent* voice, not two shifts of the state;
  one they take up is a shift of the group dated at its first statement; one
  nobody has answered yet is *pending*. lib/stances/group_line.py states the rule and
  computes it (:func:`judged`).

This module shapes the results for the page, the Overview, the CLI and exports.
The single-actor rules:

* **Series.** One line of the chart and one card: an actor's statements on a
  topic. With inheritance on (the sidebar's "include sub-actors", the CLI
  default) a parent actor's series also holds its descendants' statements:
  Turkey speaks through its ministry and through unnamed Turkish sources. Every
  row keeps ``actor_id`` (who said it) next to ``series_actor_id``.
* **Previous statement.** A statement is compared with the *period* that ends
  last before its own period starts, where a statement's period is its day,
  month or year (``date_precision``), together with every earlier coded period
  overlapping that one (a day-precision statement inside a year-precision one
  is concurrent with it). Two items in the same month, or a day
  inside a month-precision item's month, are *concurrent*: neither is ranked
  before the other, because the sources do not say which came first. Each is
  compared with what the record held before that month. Example: Aug retain;
  then in Sep (month precision) one retain and one return_or_sell → the first is
  ``reaffirmed``, the second ``shifted``; neither is judged against the other.
* **Labels.** ``unclear``: no position coded. ``first``: nothing coded ends
  before it. ``reaffirmed``: the previous period held exactly this position.
  ``shifted``: the previous period held another position, or several
  (concurrent disagreeing statements: the record was split, so taking one side
  is flagged for the analyst rather than passed as "no change").
* **Self-declared continuity.** When the quote itself says "no change in our
  position" (``statements.self_declared_continuity``, set on import by
  lib/phrases.py), a statement with no earlier record is ``reaffirmed``, not
  ``first``: the speaker tells us the position predates our store. When the
  record shows a different earlier position it stays ``shifted``: the record
  wins over the wording, and the flag stays visible next to the label.
  An unlabelled statement with such wording stays ``unclear`` and the table
  suggests reaffirming the previous position.
* **Seed case.** The ministry's September 2025 statement is ``reaffirmed`` of
  ``retain`` in both views: on its own it self-declares "no change"; under
  Turkey it is concurrent with the unnamed source's September ``retain``
  (same month, not ranked), has nothing earlier, and self-declares.
* **Current position** is the position of the latest period of the line; when that period
  holds disagreeing statements the position is *split* (``current_position``
  null, ``current_positions`` lists them). **Held since**: the latest
  ``first``/``shifted`` statement of the current position, else (a
  self-declared reaffirmation with nothing earlier) its earliest statement.
  **Reaffirmations** counts the reaffirmations of the current position since
  then (the streak); ``reaffirmations_total`` counts all.
  **Days since the last shift** run from the *end* of the shift's period, so a
  month-precision shift gives "at least N days", never an invented day.
* **Date filters** choose which statements are *shown*; continuity is always
  computed over the whole history, so a date range never turns a
  reaffirmation into a "first".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pyarrow as pa

from lib import access, catalog, charts, phrases, store
from lib.caching import Cache, direct
from lib.dates import format_partial_date
from lib.filters import Filters
from lib.sources import claim_status, reliability
from lib.stances import continuity, group_line

DEFAULT_ACTORS = 3
"""How many actors the page shows when the analyst has chosen none: the most active on the topic."""

ALERT_WHO = "dashboard"
# The chart marks, and the tables list, at most the newest this many statements / claims of the view:
# at 10M events the three busiest actors hold 63k statements and 94k claims, a 45 MB figure.
STATEMENT_LIMIT = 2000
CLAIM_LIMIT = 1000


@dataclass(frozen=True)
class StanceView:
    """What the Stances page, its chart and table show: some topics (one chart panel each), some series, inheritance."""

    topics: tuple[str, ...]
    actors: tuple[str, ...]
    inherit: bool

    @property
    def empty(self) -> bool:
        """No topic or no actor: nothing to draw."""
        return not self.topics or not self.actors


def resolve_view(con: duckdb.DuckDBPyConnection, filters: Filters) -> StanceView:
    """Topics = filters.topics or the topic with most statements; actors = filters.actors or the most active few on them."""
    busiest = continuity.busiest_topic(con)
    topics = filters.topics or ((busiest,) if busiest else ())
    inherit = filters.include_children
    if filters.actors:
        actors = filters.actors
    elif topics:
        series = continuity.busiest_series(con, None, list(topics), inherit, DEFAULT_ACTORS * len(topics))[1]
        actors = tuple(dict.fromkeys(actor for actor, _ in series))[:DEFAULT_ACTORS]
    else:
        actors = ()
    return StanceView(tuple(topics), actors, inherit)


def topic_actors(con: duckdb.DuckDBPyConnection, actors: tuple[str, ...], topics: tuple[str, ...], inherit: bool) -> tuple[str, ...]:
    """The chosen actors that have a statement on any of these topics (in their order): what a topic switch keeps."""
    _, series = continuity.busiest_series(con, list(actors) or None, list(topics) or None, inherit, 1_000_000)
    speaking = {actor for actor, _ in series}
    return tuple(a for a in actors if a in speaking)


def _positions_label(codes: Any, labels: dict[str, str]) -> str:
    """A list of position codes in words: 'Retain the systems', or 'split: A / B'; '' for none."""
    if not hasattr(codes, "__len__") or len(codes) == 0:  # None or NA from a left join
        return ""
    words = [labels.get(c, c) for c in codes]
    return words[0] if len(words) == 1 else "split: " + " / ".join(words)


def position_labels(con: duckdb.DuckDBPyConnection, topic_id: str | None) -> dict[str, str]:
    """Position code -> label for a topic (empty without a topic)."""
    if not topic_id:
        return {}
    positions = continuity.topic_positions(con, topic_id)
    return dict(zip(positions.position_code, positions.label, strict=True))


def _date(value: Any) -> dt.date | None:
    if value is None or pd.isna(value):
        return None
    return value.date() if isinstance(value, pd.Timestamp | dt.datetime) else value


def _text(value: Any) -> str | None:
    """A text cell, None for a missing one (pandas gives NaN or NA, which JSON cannot carry)."""
    return value if isinstance(value, str) else None


def judged(rows: pd.DataFrame) -> tuple[pd.DataFrame, dict[tuple[str, str], group_line.Line]]:
    """Each series of ``rows`` (continuity.statement_continuity) judged by the group rule of lib/stances/group_line.py.

    Returns the rows with ``continuity`` set to the series' label (for one voice
    the same as the SQL's; for a group, divergent and pending voices no longer
    read as shifts), ``previous_positions`` to what the series' line held before
    each statement, and the judged line of every series for its card. Works on
    plain lists, not a pandas group per series: the Overview judges tens of
    thousands of series.
    """
    rows = rows.copy()
    keys, said, lines = _judge(rows)
    rows["continuity"] = [lines[key].labels[one.statement_id] for key, one in zip(keys, said, strict=True)]
    rows["previous_positions"] = pd.Series([sorted(lines[key].before[one.statement_id]) for key, one in zip(keys, said, strict=True)],
                                           index=rows.index, dtype=object)
    return rows, lines


def _judge(rows: pd.DataFrame) -> tuple[list[tuple[str, str]], list[group_line.Said], dict[tuple[str, str], group_line.Line]]:
    """Each row's series and statement as the rule sees it, and each series' judged line: :func:`judged` without
    rewriting the rows, which the Overview's standings do not show (0.6 s of its 236k rows at 10M events)."""
    keys = list(zip(rows.series_actor_id.tolist(), rows.topic_id.tolist(), strict=True))
    said = [
        group_line.Said(sid, voice, start, end, precision, code if isinstance(code, str) else None, bool(declared))
        for sid, voice, start, end, precision, code, declared in zip(
            rows.statement_id.tolist(), rows.actor_id.tolist(), rows.stated_on.dt.date.tolist(), rows.period_end.dt.date.tolist(),
            rows.date_precision.tolist(), rows.position_code.tolist(), rows.self_declared.fillna(False).tolist(), strict=True)
    ]
    series: dict[tuple[str, str], list[group_line.Said]] = {}
    voices: dict[tuple[str, str], set[str]] = {}
    # per series: a statement sits in its speaker's series and, with inherit, in every ancestor's, labelled in each
    sql: dict[tuple[str, str], dict[str, tuple[str, frozenset[str]]]] = {}
    for key, one, label, before in zip(keys, said, rows.continuity.tolist(), rows.previous_positions.tolist(), strict=True):
        series.setdefault(key, []).append(one)
        if one.position:
            voices.setdefault(key, set()).add(one.voice)
        sql.setdefault(key, {})[one.statement_id] = (label, frozenset(before if isinstance(before, list | tuple | np.ndarray) else ()))
    # one voice: the SQL's labels are the rule's (a property test holds them equal), so only the figures are worked out
    lines = {key: group_line.judge(record, sql[key] if len(voices.get(key, ())) <= 1 else None) for key, record in series.items()}
    return keys, said, lines


def positions_held(
    con: duckdb.DuckDBPyConnection, actors: list[str] | None, topics: list[str] | None, inherit: bool, today: dt.date,
) -> list[dict[str, Any]]:
    """Card figures per series that has statements, judged anew from the whole history (what :func:`kept_positions`
    reads from the store for the page's cards, which add the reported shifts)."""
    return _figures(judged(continuity.statement_continuity(con, actors, topics, inherit))[1], today)


def kept_positions(con: duckdb.DuckDBPyConnection, actors: list[str], topics: list[str], inherit: bool,
                   today: dt.date) -> list[dict[str, Any]]:
    """:func:`positions_held` read from what the store keeps (``continuity.kept_lines``: the standings and the
    statements' labels judged at write time), not judged at page open: the same figures (a test holds them equal)."""
    out = []
    for kept in continuity.kept_lines(con, actors, topics, inherit):
        shift = kept["last_shift"]
        current = list(kept["current_positions"])
        out.append({
            "actor_id": kept["series_actor_id"],
            "topic_id": kept["topic_id"],
            "statements": kept["statements"],
            "voices": kept["voices"],
            "positions": list(kept["positions"]),
            "reaffirmations": kept["reaffirmations"],
            "reaffirmations_total": kept["reaffirmations_total"],
            "shifts": kept["shifts"],
            "last_shift_on": shift["d"] if shift else None,
            "last_shift_precision": shift["p"] if shift else None,
            "days_since_last_shift": (today - shift["e"]).days if shift else None,
            "current_position": current[0] if len(current) == 1 else None,
            "current_positions": current,
            "held_since": kept["held_since"],
            "held_since_precision": kept["held_since_precision"],
            "last_statement_on": kept["last_statement_on"],
            "last_statement_precision": kept["last_statement_precision"],
            "divergent": list(kept["divergent"]),
            "pending": list(kept["pending"]),
        })
    return out


def _figures(lines: dict[tuple[str, str], group_line.Line], today: dt.date) -> list[dict[str, Any]]:
    """Each judged series' card figures, in (actor, topic) order."""
    out = []
    for (actor, topic), line in sorted(lines.items()):
        shift, held, last = line.last_shift, line.held_since, line.last_said
        out.append({
            "actor_id": actor,
            "topic_id": topic,
            "statements": len(line.labels),
            "voices": line.voices,
            "positions": line.position_runs,
            "reaffirmations": line.reaffirmations,
            "reaffirmations_total": line.reaffirmations_total,
            "shifts": line.shifts,
            "last_shift_on": shift.start if shift else None,
            "last_shift_precision": shift.precision if shift else None,
            "days_since_last_shift": (today - shift.end).days if shift else None,
            "current_position": line.current_position,
            "current_positions": line.current_positions,
            "held_since": held.start if held else None,
            "held_since_precision": held.precision if held else None,
            "last_statement_on": last.start if last else None,
            "last_statement_precision": last.precision if last else None,
            "divergent": [_voice(s) for s in line.divergent],
            "pending": [_voice(s) for s in line.pending],
        })
    return out


def summaries(
    con: duckdb.DuckDBPyConnection, actors: list[str], topics: list[str], inherit: bool, today: dt.date,
    cache: Cache = direct,
) -> list[dict[str, Any]]:
    """Card figures per series (kept at write time: :func:`kept_positions`) plus its last reported shift: the page's cards."""
    return _with_reported_shifts(con, kept_positions(con, actors, topics, inherit, today), actors, topics, inherit, cache)


def _with_reported_shifts(con: duckdb.DuckDBPyConnection, entries: list[dict[str, Any]], actors: list[str] | None,
                          topics: list[str] | None, inherit: bool, cache: Cache = direct) -> list[dict[str, Any]]:
    """Each entry with ``last_reported_shift``: the latest claim about its series that the record around it does not bear out."""
    claims = cache(claims_about)(con, actors, topics, inherit)
    shifts = claims[claims.reports_shift].sort_values(["claim_end", "claimed_on", "claim_id"])
    latest = {key: group.tail(1) for key, group in shifts.groupby(["series_actor_id", "topic_id"], sort=False)}
    for entry in entries:
        last = latest.get((entry["actor_id"], entry["topic_id"]), shifts.head(0))
        entry["last_reported_shift"] = None if last.empty else {
            "claim_id": last.claim_id.iloc[0],
            "claimed_on": _date(last.claimed_on.iloc[0]),
            "date_precision": last.date_precision.iloc[0],
            "text": last.text.iloc[0],
            "source_id": _text(last.source_id.iloc[0]),
            "subject_actor_id": _text(last.subject_actor_id.iloc[0]),
            "asserted_position_code": _text(last.asserted_position_code.iloc[0]),
            "status": last.status.iloc[0],
        }
    return entries


STANDINGS_LIMIT = 50
"""The Overview lists the busiest this many series; at 10M events there are tens of thousands, read on the Stances page."""


def standings(con: duckdb.DuckDBPyConnection, actors: list[str] | None, topics: list[str] | None, inherit: bool) -> pd.DataFrame:
    """The Overview's "where each actor stands": the busiest series, in words (a split line says so).

    Read from the standings the store keeps (``series_standings``, :func:`standing_rows` at every write): judging
    the 50 busiest series at page open took 7.5-8.2 s CPU at 10M events. ``attrs['total']`` counts every series
    under the filters, so the page can say how many it lists.
    """
    total, kept = continuity.kept_standings(con, actors, topics, inherit, STANDINGS_LIMIT)
    names = catalog.names(con)
    labels = {t: position_labels(con, t) for t in {e["topic_id"] for e in kept}}
    rows = [{
        "actor": names.get(e["series_actor_id"], e["series_actor_id"]),
        "topic": names.get(e["topic_id"], e["topic_id"]),
        "current position": _positions_label(e["current_positions"], labels[e["topic_id"]]),
        "held since": format_partial_date(e["held_since"], e["held_since_precision"]) if e["held_since"] else "",
        "shifts": e["shifts"],
        "divergent statements": e["divergent"],
        "reaffirmations since": e["reaffirmations"],
        "statements": e["statements"],
        "last statement": format_partial_date(e["last_statement_on"], e["last_statement_precision"]),
    } for e in kept]
    table = pd.DataFrame(rows, columns=["actor", "topic", "current position", "held since", "shifts", "divergent statements",
                                        "reaffirmations since", "statements", "last statement"])
    table.attrs["total"] = total
    return table


def standing_rows(con: duckdb.DuckDBPyConnection, series: list[tuple[str, str]] | None,
                  inherit: bool) -> tuple[pa.Table, pa.Table]:
    """The standing of each of these series (None: every series) by the group rule in Python, and each of their
    statements' label on the line with what the line held before it: rows of ``series_standings`` and
    ``series_labels``, which lib/derived.py keeps, judged once for both; :func:`standings` and the Stances page read them.

    The upkeep judges here only the series where several voices coded a position; for the others the rule's
    figures are worked out in SQL (``continuity.one_voice_standings``), held equal to these by a property test.
    """
    lines = _judge(continuity.series_continuity(con, series, inherit))[2]
    keys = sorted(lines)
    held = [lines[k].held_since for k in keys]
    last = [lines[k].last_said for k in keys]
    standing = pa.table({
        "series_actor_id": pa.array([a for a, _ in keys], pa.string()),
        "topic_id": pa.array([t for _, t in keys], pa.string()),
        "inherit": pa.array([inherit] * len(keys), pa.bool_()),
        "statements": pa.array([len(lines[k].labels) for k in keys], pa.int64()),
        "current_positions": pa.array([lines[k].current_positions for k in keys], pa.list_(pa.string())),
        "held_since": pa.array([h.start if h else None for h in held], pa.date32()),
        "held_since_precision": pa.array([h.precision if h else None for h in held], pa.string()),
        "shifts": pa.array([lines[k].shifts for k in keys], pa.int32()),
        "divergent": pa.array([len(lines[k].divergent) for k in keys], pa.int32()),
        "reaffirmations": pa.array([lines[k].reaffirmations for k in keys], pa.int32()),
        "last_statement_on": pa.array([s.start for s in last], pa.date32()),
        "last_statement_precision": pa.array([s.precision for s in last], pa.string()),
    })
    labelled = [(key, statement, label) for key in keys for statement, label in lines[key].labels.items()]
    labels = pa.table({
        "series_actor_id": pa.array([a for (a, _), _, _ in labelled], pa.string()),
        "topic_id": pa.array([t for (_, t), _, _ in labelled], pa.string()),
        "inherit": pa.array([inherit] * len(labelled), pa.bool_()),
        "statement_id": pa.array([statement for _, statement, _ in labelled], pa.string()),
        "continuity": pa.array([label for _, _, label in labelled], pa.string()),
        "previous_positions": pa.array([sorted(lines[key].before[statement]) for key, statement, _ in labelled],
                                       pa.list_(pa.string())),
    })
    return standing, labels


def _voice(said: group_line.Said) -> dict[str, Any]:
    """A divergent or pending statement as the card and the report name it."""
    return {"statement_id": said.statement_id, "actor_id": said.voice, "stated_on": said.start,
            "date_precision": said.precision, "position_code": said.position}


REPORT_CHUNK = 200
"""Series actors judged at a time by the CLI report, so a million statements stream out instead of all being held."""


def stance_report(
    con: duckdb.DuckDBPyConnection, actor: str | None = None, topic: str | None = None, inherit: bool = True,
    today: dt.date | None = None,
) -> Iterator[dict[str, Any]]:
    """One object per (actor, topic) with its card figures and every statement's continuity label, as produced.

    ``inherit`` (default on, as in the sidebar) folds descendants' statements
    into each parent's series; an actor then appears both on its own and inside
    its parent's object. Series come a chunk of actors at a time (in actor
    order), so the first objects are written within seconds on any store.
    Documented in docs/CLI.md, "report stances".
    """
    topics = [topic] if topic else None
    everyone = [actor] if actor else continuity.actor_ids(con)
    for first in range(0, len(everyone), REPORT_CHUNK):
        actors = everyone[first:first + REPORT_CHUNK]
        rows, lines = judged(continuity.statement_continuity(con, actors, topics, inherit))
        entries = _with_reported_shifts(con, _figures(lines, today or dt.date.today()), actors, topics, inherit)
        by_series = {key: group for key, group in rows.groupby(["series_actor_id", "topic_id"], sort=False)}
        for entry in entries:
            group = by_series[(entry["actor_id"], entry["topic_id"])]
            entry["statement_labels"] = [
                {
                    "statement_id": r.statement_id,
                    "actor_id": r.actor_id,
                    "stated_on": _date(r.stated_on),
                    "date_precision": r.date_precision,
                    "position_code": _text(r.position_code),
                    "continuity": r.continuity,
                    "own_continuity": _text(r.own_continuity),
                    "self_declared": bool(r.self_declared),
                }
                for r in group.itertuples(index=False)
            ]
            yield entry


def actor_cards(con: duckdb.DuckDBPyConnection, filters: Filters, today: dt.date | None = None,
                cache: Cache = direct) -> list[dict[str, Any]]:
    """The page's cards: one summary per chosen series and topic, topic by topic, in the order the actors were chosen."""
    view = resolve_view(con, filters)
    if view.empty:
        return []
    found = {(e["actor_id"], e["topic_id"]): e
             for e in summaries(con, list(view.actors), list(view.topics), view.inherit, today or dt.date.today(), cache)}
    return [found[a, t] for t in view.topics for a in view.actors if (a, t) in found]


def card_texts(con: duckdb.DuckDBPyConnection, filters: Filters, cache: Cache = direct) -> list[dict[str, Any]]:
    """The page's cards in words (``card_text``), in ``actor_cards``' order: actor_id, topic_id, name, text.

    What the page keeps between runs: a card's figures carry every divergent and pending voice of its series (a
    4.3 MB pickle for the default view's three cards at 10M events), read back from the cache on every open of the
    page although a card shows the newest few; their words are a few hundred bytes.
    """
    names = cache(catalog.names)(con)
    labels: dict[str, dict[str, str]] = {}
    out = []
    for entry in cache(actor_cards)(con, filters):
        topic = entry["topic_id"]
        if topic not in labels:
            labels[topic] = cache(position_labels)(con, topic)
        out.append({"actor_id": entry["actor_id"], "topic_id": topic, "name": names.get(entry["actor_id"], entry["actor_id"]),
                    "text": card_text(entry, labels[topic], names)})
    return out


def view_rows(con: duckdb.DuckDBPyConnection, filters: Filters) -> tuple[StanceView, pd.DataFrame]:
    """The view and its shown statements (the newest STATEMENT_LIMIT), with their labels on the series' line judged
    over the whole history: what the table and the chart share.

    The labels are kept at write time (``series_labels``), so the page reads the rows it shows alone
    (``continuity.shown_statements``): at 10M events the default view's series hold 63k statements.
    """
    view = resolve_view(con, filters)
    actors, topics = ([], []) if view.empty else (list(view.actors), list(view.topics))
    return view, continuity.shown_statements(con, actors, topics, view.inherit, filters, STATEMENT_LIMIT)


def claims_about(con: duckdb.DuckDBPyConnection, actors: list[str] | None, topics: list[str] | None, inherit: bool) -> pd.DataFrame:
    """The claims the page uses about these series: the newest CLAIM_LIMIT (column ``newest``) and each series' latest
    reported shift, however old, for its card; ``attrs['total']`` counts them all.

    What the page caches: a busy view's full reported shifts (94k claims with their record lists at 10M events)
    would hold 100 MB of the app's memory for three small uses; the query keeps them (``reported_shifts``'
    ``newest``), so their outlets and position lists are not looked up either.
    """
    return continuity.reported_shifts(con, actors, topics, inherit, newest=CLAIM_LIMIT)


def _view_claims(con: duckdb.DuckDBPyConnection, view: StanceView, cache: Cache) -> pd.DataFrame:
    claims = cache(claims_about)(con, list(view.actors), list(view.topics), view.inherit)
    shown = claims[claims.newest].copy()
    shown.attrs["total"] = claims.attrs["total"]
    return shown


def newest(frame: pd.DataFrame, column: str, limit: int) -> pd.DataFrame:
    """The ``limit`` rows latest in ``column``, in their original order; ``attrs['total']`` keeps how many there were."""
    kept = frame if len(frame) <= limit else frame.loc[sorted(frame[column].sort_values(kind="stable").index[len(frame) - limit:])]
    kept = kept.copy()
    kept.attrs["total"] = len(frame)
    return kept


def shown_note(frame: pd.DataFrame, what: str) -> str:
    """'The newest 2,000 of 63,305 statements; narrow the dates to see older ones.', or '' when all are shown."""
    total = frame.attrs.get("total", len(frame))
    return "" if total <= len(frame) else f"The newest {len(frame):,} of {total:,} {what}; narrow the dates to see older ones."


def build_table(con: duckdb.DuckDBPyConnection, filters: Filters, cache: Cache = direct) -> pd.DataFrame:
    """The statements table of the Stances page (and its CSV / export), one row per statement and series.

    Columns: Series, Topic, Date, Said by, Position, Continuity (on the series' line: lib/stances/group_line.py),
    Own record (against the speaker's own statements), "No change" wording, Suggestion, Quote,
    Attribution, Source, Grade, Statement. Grade is the source's grade in force (docs/GRADING.md).
    """
    view, rows = cache(view_rows)(con, filters)
    names = catalog.names(con)
    grades = cache(reliability.grades_in_force)(con)
    labels = {t: position_labels(con, t) for t in view.topics}
    table = pd.DataFrame({
        "Series": [names.get(a, a) for a in rows.series_actor_id],
        "Topic": [names.get(t, t) for t in rows.topic_id],
        "Date": [format_partial_date(_date(d), p) for d, p in zip(rows.stated_on, rows.date_precision, strict=True)],
        "Said by": [names.get(a, a) for a in rows.actor_id],
        "Position": [labels[t].get(c, "") if isinstance(c, str) else "" for t, c in zip(rows.topic_id, rows.position_code, strict=True)],
        "Continuity": rows.continuity,
        "Own record": rows.own_continuity.fillna(""),
        '"No change" wording': [_wording(quote, declared) for quote, declared in zip(rows.quote, rows.self_declared, strict=True)],
        "Suggestion": [
            _suggestion(code, declared, previous, labels[topic])
            for topic, code, declared, previous in zip(rows.topic_id, rows.position_code, rows.self_declared, rows.previous_positions,
                                                       strict=True)
        ],
        "Quote": rows.quote.fillna(""),
        "Attribution": rows.attribution.fillna("").str.replace("_", " "),
        "Source": [names.get(s, s) if isinstance(s, str) else "" for s in rows.source_id],
        "Grade": [grades.get(s, "") for s in rows.source_id],
        "Statement": rows.statement_id,
    })
    table.attrs["total"] = rows.attrs["total"]
    return table


def _wording(quote: Any, declared: Any) -> str:
    """The words that declare continuity, as matched (lib/phrases.py), so the analyst sees why; '' when none."""
    if not declared:
        return ""
    found = phrases.explain(quote if isinstance(quote, str) else None)
    return f"“{found.words}” ({found.rule.replace('_', ' ')})" if found else "set by the analyst"


def _suggestion(code: Any, declared: Any, previous: Any, labels: dict[str, str]) -> str:
    """For an unlabelled statement that says "no change": propose reaffirming what the record held before."""
    if isinstance(code, str) or not declared:
        return ""
    held = _positions_label(previous, labels)
    return f"reaffirmed: {held}" if held else "reaffirmed (no earlier position in the store)"


def card_text(entry: dict[str, Any], labels: dict[str, str], names: dict[str, str]) -> dict[str, str]:
    """A card's figures in words, each no more precise than its date: what the page shows for one series.

    ``summary`` is the card in one paragraph an analyst can copy into a brief;
    ``voices`` names the divergent and pending voices (who, when, what).
    """
    def when(day: dt.date | None, precision: str | None) -> str:
        return format_partial_date(day, precision or "day") if day else "—"

    def position(code: str | None) -> str:
        return labels.get(code, code) if code else "no position coded"

    days = entry["days_since_last_shift"]
    shift = entry["last_reported_shift"]
    current = (position(entry["current_position"]) if entry["current_position"]
               else _positions_label(entry["current_positions"], labels) or "no position coded")
    return {
        "current": current,
        "held_since": when(entry["held_since"], entry["held_since_precision"]),
        "reaffirmations": f"{entry['reaffirmations']} since taken up",
        "reaffirmations_help": f"statements reaffirming the current position since it was taken up; "
                               f"{entry['reaffirmations_total']} reaffirmations in all",
        "last_statement": when(entry["last_statement_on"], entry["last_statement_precision"]),
        "since_shift": "none" if days is None else (f"{days}" if entry["last_shift_precision"] == "day" else f"≥ {days}"),
        "since_shift_help": "no shift recorded" if days is None
        else f"last shift {when(entry['last_shift_on'], entry['last_shift_precision'])}, counted from the end of that period",
        "summary": _summary_words(entry, current, when),
        "voices": _voices_words(entry, names, position, when),
        "reported_shift": "none reported" if shift is None else f"{shift['status']}: {shift['text']}",
        "reported_shift_when": "" if shift is None
        else f"{when(shift['claimed_on'], shift['date_precision'])} · {names.get(shift['source_id'], shift['source_id'] or 'no source')}",
    }


def _summary_words(entry: dict[str, Any], current: str, when: Any) -> str:
    """'Retain the systems since Dec 2017; no shift; 1 divergent voice.' — the card in one sentence."""
    if entry["held_since"] is None:
        held = f"{current} (the latest statements disagree)" if entry["current_positions"] else current
    else:
        held = f"{current} since {when(entry['held_since'], entry['held_since_precision'])}"
    shifts = entry["shifts"]
    parts = [held, "no shift" if shifts == 0 else f"{shifts} shift{'s' if shifts != 1 else ''}"
             + f", the last {when(entry['last_shift_on'], entry['last_shift_precision'])}"]
    if entry["divergent"]:
        n = len(entry["divergent"])
        parts.append(f"{n} divergent statement{'s' if n != 1 else ''} not taken up")
    if entry["pending"]:
        parts.append("the latest statements propose a change no other voice has answered yet")
    return "; ".join(parts) + "."


VOICES_SHOWN = 5
"""Voices off the line a card names, the newest first. A busy series at 10M events has thousands: the card wrote
every one on every run (55,000 dates formatted, 1.2 s of the page's 3.2 s later open, and a text the browser
drew again); the CLI's ``report stances`` lists them all."""


def _voices_words(entry: dict[str, Any], names: dict[str, str], position: Any, when: Any) -> list[str]:
    """One line per divergent or pending statement, the newest ``VOICES_SHOWN``: who, when, what; then how many more."""
    voices = [(kind, v) for kind, listed in (("divergent", entry["divergent"]), ("pending", entry["pending"])) for v in listed]
    newest = sorted(voices, key=lambda kv: kv[1]["stated_on"], reverse=True)[:VOICES_SHOWN]
    lines = [f"{kind}: {names.get(v['actor_id'], v['actor_id'])}, {when(v['stated_on'], v['date_precision'])}: "
             f"{position(v['position_code'])}" for kind, v in newest]
    if len(voices) > len(newest):
        lines.append(f"… and {len(voices) - len(newest):,} older (“report stances” on the command line lists every one)")
    return lines


def claims_table(con: duckdb.DuckDBPyConnection, filters: Filters, cache: Cache = direct) -> pd.DataFrame:
    """Reported shifts and other claims about the chosen series, against the series' own statements around them.

    Columns: Series, Topic, Date, Claim, Source, Grade, Asserts, Record before, Record during, Record after, Status,
    Credibility (1–6), Claim id. Grade is the source's grade in force.
    """
    view = resolve_view(con, filters)
    if view.empty:
        return pd.DataFrame()
    claims = _view_claims(con, view, cache)
    names = catalog.names(con)
    labels = {t: position_labels(con, t) for t in view.topics}
    grades = cache(reliability.grades_in_force)(con)
    credibility = claim_status.claim_credibility(con, list(claims.claim_id))
    table = pd.DataFrame({
        "Series": [names.get(a, a) for a in claims.series_actor_id],
        "Topic": [names.get(t, t) for t in claims.topic_id],
        "Date": [format_partial_date(_date(d), p) for d, p in zip(claims.claimed_on, claims.date_precision, strict=True)],
        "Claim": claims.text,
        "Source": [names.get(s, s) for s in claims.source_id],
        "Grade": [grades.get(s, "") for s in claims.source_id],
        "Asserts": [labels[t].get(c, c) if isinstance(c, str) else "a move (not coded)"
                    for t, c in zip(claims.topic_id, claims.asserted_position_code, strict=True)],
        **{f"Record {when}": [_positions_label(p, labels[t]) or "—" for t, p in zip(claims.topic_id, claims[f"{when}_positions"],
                                                                                   strict=True)]
           for when in ("before", "during", "after")},
        "Status": claims.status,
        "Credibility": [int(credibility.get(c, 6)) for c in claims.claim_id],
        "Claim id": claims.claim_id,
    })
    table.attrs["total"] = claims.attrs["total"]
    return table


def build_chart(con: duckdb.DuckDBPyConnection, filters: Filters, cache: Cache = direct) -> go.Figure:
    """The Stances step chart for the filters: the same figure on the page, in exports and in briefs."""
    view, rows = cache(view_rows)(con, filters)
    names = catalog.names(con)
    topic_names = [names.get(t, t) for t in view.topics] or ["no topic"]
    title = "Stances on " + (topic_names[0] if len(topic_names) == 1 else ", ".join(topic_names[:-1]) + " and " + topic_names[-1])
    n_sources = rows.source_id.nunique()
    footer = charts.source_line(len(rows), n_sources, catalog.data_as_of(con),
                                charts.source_names(rows.source_id.map(lambda s: names.get(s, s), na_action="ignore")))
    subtitle = filters.describe(names)
    if rows.empty:
        return charts.empty_figure(title, subtitle, footer, "No statements on this topic for these actors and filters")
    claims = _view_claims(con, view, cache)
    # one sentence for both cuts: the subtitle is wrapped over the chart's width, and two read as a repetition
    notes = [f"{len(frame):,} of {frame.attrs['total']:,} {what}" for frame, what in ((rows, "statements"), (claims, "claims"))
             if frame.attrs.get("total", len(frame)) > len(frame)]
    if notes:
        subtitle = f"{subtitle} · The newest {' and '.join(notes)}; narrow the dates to see older ones."
        claims = claims[claims.claim_end >= rows.stated_on.min()]  # no claims before the part of the record drawn
    if filters.date_from:
        claims = claims[claims.claim_end >= pd.Timestamp(filters.date_from)]
    if filters.date_to:
        claims = claims[claims.claimed_on <= pd.Timestamp(filters.date_to)]
    positions = {t: continuity.topic_positions(con, t) for t in view.topics}
    return charts.stance_figure(rows, claims, positions, list(view.actors), names, title, subtitle, footer)


def acknowledge_shifts(con: duckdb.DuckDBPyConnection, statement_ids: list[str], who: access.Actor = ALERT_WHO) -> int:
    """Mark shift alerts as seen in one audited write; returns how many were not acknowledged before."""
    who = access.require(who, access.WRITE, "acknowledge shifts")

    def write() -> int:
        with store.transaction(con, who, "acknowledge shift") as audit:
            new = continuity.insert_acknowledgements(con, statement_ids, who)
            for statement_id in new:
                audit.row("acknowledgements", statement_id, None, {"statement_id": statement_id, "who": who})
        return len(new)

    return store.retry_on_conflict(write)
