"""The group rule (lib/stances/group_line.py) on a labelled set of group cases, and properties that hold for any record.

Each case is a small record as analysts meet it (a president's line with a
minister's one-off hedge, a real shift taken up by the other voices, voices
split at the same time, month-precision voices) with the labels an analyst
would give it.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib import store
from lib.stances import continuity
from lib.stances.group_line import Said, judge


def _period(on: str) -> tuple[dt.date, dt.date, str]:
    """'2021-02-03' (day), '2021-02' (month) or '2021' (year) as start, end, precision."""
    parts = [int(p) for p in on.split("-")]
    if len(parts) == 3:
        day = dt.date(*parts)
        return day, day, "day"
    if len(parts) == 2:
        start = dt.date(parts[0], parts[1], 1)
        following = dt.date(parts[0] + parts[1] // 12, parts[1] % 12 + 1, 1)
        return start, following - dt.timedelta(days=1), "month"
    return dt.date(parts[0], 1, 1), dt.date(parts[0], 12, 31), "year"


def _record(*rows: tuple[str, str, str, str | None] | tuple[str, str, str, str | None, bool]) -> list[Said]:
    """(statement id, voice, date, position[, says "no change"]) rows as the rule's input."""
    out = []
    for row in rows:
        sid, voice, on, position = row[:4]
        start, end, precision = _period(on)
        out.append(Said(sid, voice, start, end, precision, position, bool(row[4]) if len(row) > 4 else False))
    return out


# A president keeps the line from 2017; a foreign minister hedges once in Oct 2017 and a defence minister in
# Feb 2021, each followed by statements that keep it (the real record that showed "4 shifts").
PRESIDENT_LINE = [(f"p{k}", "president", f"{year}-03-10", "retain") for k, year in enumerate(range(2017, 2026))]
HEDGES = [("fm", "foreign_minister", "2017-10-05", "undecided"), ("dm", "defence_minister", "2021-02-11", "undecided")]

CASES = {
    "one-off hedges by two ministers are divergent voices, not four shifts": (
        [*PRESIDENT_LINE, *HEDGES],
        {"fm": "divergent", "dm": "divergent", "p0": "first", "p4": "reaffirmed"},
        {"shifts": 0, "current": ["retain"], "held_since": "p0", "divergent": ["fm", "dm"]},
    ),
    "a position the other voices take up is a shift of the group, dated at its first statement": (
        [("a", "president", "2020-01-10", "retain"), ("b", "mfa", "2022-05-02", "return_or_sell"),
         ("c", "president", "2022-06-01", "return_or_sell"), ("d", "mfa", "2022-09-01", "return_or_sell")],
        {"a": "first", "b": "shifted", "c": "reaffirmed", "d": "reaffirmed"},
        {"shifts": 1, "current": ["return_or_sell"], "held_since": "b", "divergent": []},
    ),
    "a voice that changes, repeats itself and is then followed shifts the group at its first statement": (
        [("a", "president", "2020-01-10", "retain"), ("b", "fm", "2021-01-10", "return_or_sell"),
         ("c", "fm", "2021-02-10", "return_or_sell"), ("d", "president", "2021-04-10", "return_or_sell")],
        {"b": "shifted", "c": "reaffirmed", "d": "reaffirmed"},
        {"shifts": 1, "current": ["return_or_sell"], "held_since": "b", "divergent": []},
    ),
    "a voice out of step again and again stays divergent while the others keep the line": (
        [("a", "president", "2020-01-10", "retain"), ("b", "fm", "2020-02-10", "undecided"),
         ("c", "president", "2020-03-10", "retain"), ("d", "fm", "2020-04-10", "undecided"),
         ("e", "president", "2020-05-10", "retain")],
        {"b": "divergent", "c": "reaffirmed", "d": "divergent", "e": "reaffirmed"},
        {"shifts": 0, "current": ["retain"], "held_since": "a", "divergent": ["b", "d"]},
    ),
    "voices split at the same time: the new position is not taken up": (
        [("a", "president", "2024-03-10", "retain"), ("b", "anon", "2025-09", "return_or_sell"),
         ("c", "ministry", "2025-09", "retain")],
        {"b": "divergent", "c": "reaffirmed"},
        {"shifts": 0, "current": ["retain"], "held_since": "a", "divergent": ["b"]},
    ),
    "the other voices answer split: the new position is not taken up cleanly": (
        [("a", "president", "2020-01-10", "retain"), ("b", "fm", "2020-02-10", "return_or_sell"),
         ("c", "president", "2020-03-10", "retain"), ("d", "mfa", "2020-03-10", "return_or_sell")],
        {"b": "divergent"},
        {"divergent": ["b", "d"], "shifts": 0},
    ),
    "an unnamed source with no record of its own that breaks the line once is a divergent voice": (
        [("a", "ministry", "2023-01-10", "retain"), ("b", "unnamed", "2023-05-10", "return_or_sell"),
         ("c", "ministry", "2023-06-10", "retain")],
        {"a": "first", "b": "divergent", "c": "reaffirmed"},
        {"shifts": 0, "current": ["retain"], "held_since": "a", "divergent": ["b"]},
    ),
    "sub-actors only (the state never speaks itself): a ministry's hedge is divergent": (
        [("a", "msb", "2022-01-10", "retain"), ("b", "mfa", "2022-03-10", "retain"),
         ("c", "mfa", "2022-06-10", "undecided"), ("d", "msb", "2022-08-10", "retain")],
        {"a": "first", "b": "reaffirmed", "c": "divergent", "d": "reaffirmed"},
        {"shifts": 0, "current": ["retain"], "held_since": "a", "divergent": ["c"]},
    ),
    "month-precision voices of one month are concurrent; a self-declared 'no change' is a reaffirmation (seed case)": (
        [("anon", "unnamed", "2025-09", "retain"), ("msb", "ministry", "2025-09", "retain", True)],
        {"anon": "first", "msb": "reaffirmed"},
        {"shifts": 0, "current": ["retain"], "held_since": "anon", "divergent": []},
    ),
    "the newest statement proposes a change nobody has answered yet: pending, the line still holds": (
        [("a", "president", "2024-01-10", "retain"), ("b", "president", "2024-06-10", "retain"),
         ("c", "fm", "2025-02-10", "return_or_sell")],
        {"c": "pending"},
        {"shifts": 0, "current": ["retain"], "held_since": "a", "pending": ["c"]},
    ),
    "one voice alone shifts by its own record": (
        [("a", "president", "2020-01-10", "retain"), ("b", "president", "2021-01-10", "return_or_sell")],
        {"a": "first", "b": "shifted"},
        {"shifts": 1, "current": ["return_or_sell"], "held_since": "b"},
    ),
    "one voice, a month holding two positions: one reaffirms, one shifts, and the line is split": (
        [("a", "president", "2025-08-10", "retain"), ("b", "president", "2025-09", "retain"),
         ("c", "president", "2025-09", "return_or_sell")],
        {"b": "reaffirmed", "c": "shifted"},
        {"shifts": 1, "current": ["retain", "return_or_sell"], "held_since": None},
    ),
    "two voices propose the same change at once and a third confirms it: one move of the group": (
        [("a", "president", "2020-01-10", "retain"), ("b", "fm", "2021-05", "undecided"),
         ("c", "dm", "2021-05-20", "undecided"), ("d", "president", "2021-07-01", "undecided")],
        {"b": "shifted", "c": "shifted", "d": "reaffirmed"},
        {"current": ["undecided"], "divergent": []},
    ),
    "after a real shift, a one-off hedge back is divergent": (
        [("a", "president", "2019-01-10", "retain"), ("b", "mfa", "2020-01-10", "return_or_sell"),
         ("c", "president", "2020-02-10", "return_or_sell"), ("d", "dm", "2020-05-10", "retain"),
         ("e", "president", "2020-07-10", "return_or_sell")],
        {"b": "shifted", "d": "divergent", "e": "reaffirmed"},
        {"shifts": 1, "current": ["return_or_sell"], "held_since": "b", "divergent": ["d"]},
    ),
    "the first statements of two voices disagree: both first, the line is split until one is taken up": (
        [("a", "president", "2020-01", "retain"), ("b", "fm", "2020-01", "undecided")],
        {"a": "first", "b": "first"},
        {"shifts": 0, "current": ["retain", "undecided"], "held_since": None},
    ),
    "a statement with no position coded is unclear and leaves the line alone": (
        [("a", "president", "2020-01-10", "retain"), ("b", "fm", "2020-03-10", None),
         ("c", "president", "2020-05-10", "retain")],
        {"b": "unclear", "c": "reaffirmed"},
        {"shifts": 0, "current": ["retain"]},
    ),
    "a hedge answered by a third position: the hedge is divergent, the third is judged on its own": (
        [("a", "president", "2020-01-10", "retain"), ("b", "fm", "2020-02-10", "undecided"),
         ("c", "president", "2020-03-10", "return_or_sell"), ("d", "mfa", "2020-04-10", "return_or_sell")],
        {"b": "divergent", "c": "shifted", "d": "reaffirmed"},
        {"shifts": 1, "current": ["return_or_sell"], "held_since": "c", "divergent": ["b"]},
    ),
    "a year-precision voice: concurrent with every day of its year": (
        [("a", "president", "2019-05-10", "retain"), ("b", "anon", "2020", "return_or_sell"),
         ("c", "president", "2020-06-10", "retain")],
        {"b": "divergent", "c": "reaffirmed"},
        {"shifts": 0, "current": ["retain"], "divergent": ["b"]},
    ),
}


@pytest.mark.parametrize("name", list(CASES))
def test_labelled_group_case(name: str) -> None:
    """Every labelled case gets its expected labels and card figures."""
    record, labels, figures = CASES[name]
    line = judge(_record(*record))
    assert {sid: line.labels[sid] for sid in labels} == labels
    if "shifts" in figures:
        assert line.shifts == figures["shifts"]
    if "current" in figures:
        assert line.current_positions == figures["current"]
    if "held_since" in figures:
        assert (line.held_since.statement_id if line.held_since else None) == figures["held_since"]
    if "divergent" in figures:
        assert [s.statement_id for s in line.divergent] == figures["divergent"]
    if "pending" in figures:
        assert [s.statement_id for s in line.pending] == figures["pending"]


def test_the_set_covers_every_kind_of_case() -> None:
    """At least 15 cases, and among them every label the rule gives."""
    assert len(CASES) >= 15
    given_labels = {label for _, labels, _ in CASES.values() for label in labels.values()}
    assert given_labels == {"first", "reaffirmed", "shifted", "divergent", "pending", "unclear"}


# --- properties ---------------------------------------------------------------------------------------------------

POSITIONS = ["retain", "undecided", "return_or_sell"]
_dates = st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2025, 12, 31))


@st.composite
def records(draw: st.DrawFn, voices: int = 4, size: int = 25) -> list[Said]:
    """Random records: several voices, day, month and year precision, some statements uncoded."""
    out = []
    for k in range(draw(st.integers(1, size))):
        day = draw(_dates)
        precision = draw(st.sampled_from(["day"] * 6 + ["month"] * 3 + ["year"]))
        start, end, _ = _period({"day": day.isoformat(), "month": day.isoformat()[:7], "year": str(day.year)}[precision])
        position = draw(st.sampled_from([*POSITIONS, None]))
        out.append(Said(f"s{k:03}", f"v{draw(st.integers(0, voices - 1))}", start, end, precision, position,
                        draw(st.booleans())))
    return out


@given(records())
@settings(max_examples=150, deadline=None)
def test_a_group_shift_is_always_taken_up_by_another_voice(record: list[Said]) -> None:
    """In a series of several voices, every 'shifted' statement's position is said by another voice at or after it."""
    line = judge(record)
    if len({s.voice for s in record if s.position}) < 2:
        return
    for said in record:
        if line.labels[said.statement_id] == "shifted":
            assert any(o.voice != said.voice and o.position == said.position and o.end >= said.start for o in record)


@given(records())
@settings(max_examples=100, deadline=None)
def test_labels_do_not_depend_on_the_order_rows_arrive_in(record: list[Said]) -> None:
    """The same record shuffled gets the same labels and figures."""
    shuffled = list(record)
    random.Random(len(record)).shuffle(shuffled)
    first, second = judge(record), judge(shuffled)
    assert first.labels == second.labels
    assert (first.current_positions, first.shifts, first.held_since) == (second.current_positions, second.shifts, second.held_since)


@given(st.lists(st.tuples(st.integers(0, 3), _dates), min_size=2, max_size=20), st.integers(0, 100), st.sampled_from(POSITIONS[1:]))
@settings(max_examples=150, deadline=None)
def test_a_one_off_hedge_is_never_a_shift(line_days: list[tuple[int, dt.date]], where: int, hedge: str) -> None:
    """Voices that all keep one position, and one statement by a voice of its own that says something else:
    the group never shifts, and the hedge is divergent (or pending when nobody has spoken since)."""
    record = [Said(f"k{k:03}", f"v{voice}", day, day, "day", "retain") for k, (voice, day) in enumerate(line_days)]
    days = sorted(day for _, day in line_days)
    on = days[where % len(days)] + dt.timedelta(days=1)
    record.append(Said("hedge", "hedger", on, on, "day", hedge))
    line = judge(record)
    assert line.shifts == 0
    assert line.current_positions == ["retain"]
    assert line.labels["hedge"] == ("pending" if on > days[-1] else "divergent")


# For one voice the rule is the single-actor rule that lib/stances/continuity.py computes in SQL for every statement.
@given(records(voices=1, size=18))
@settings(max_examples=40, deadline=None)
def test_for_one_voice_the_group_rule_is_the_sql_rule(tmp_path_factory: pytest.TempPathFactory, record: list[Said]) -> None:
    """Every label agrees with the SQL on a store (the card figures follow from the labels)."""
    path = Path(tmp_path_factory.mktemp("one_voice")) / "s.duckdb"
    con = store.connect(path)
    try:
        con.execute("""
            insert into actors (actor_id, name, kind) values ('v0', 'Voice', 'state');
            insert into topics values ('t', 'T', null);
            insert into positions values ('t', 'retain', 'Retain', 1), ('t', 'undecided', 'Undecided', 0),
                                         ('t', 'return_or_sell', 'Return or sell', -1);
        """)
        for s in record:
            con.execute("insert into statements (statement_id, stated_on, date_precision, actor_id, topic_id, position_code, "
                        "self_declared_continuity) values (?, ?, ?, 'v0', 't', ?, ?)",
                        [s.statement_id, s.start, s.precision, s.position, s.self_declared])
        rows = continuity.statement_continuity(con, ["v0"], ["t"], False)
        line = judge(record)
        assert dict(zip(rows.statement_id, rows.continuity, strict=True)) == line.labels
    finally:
        con.close()
