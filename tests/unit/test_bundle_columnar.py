"""The column-wise checks (lib/ingest/bundle/typed.py) agree with the row-by-row Python checks on every cell."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.ingest.bundle import SPEC_BY_TABLE, import_bundle
from lib.ingest.bundle.typed import PY_WHITESPACE
from lib.ingest.report import ImportRefused
from lib.phrases import flags

checks = importlib.import_module("lib.ingest.bundle.validate")  # the module (the package exports the function by its name)

DATES = ["2019", "2019-07", "2019-07-12", "2019-02-30", " 2019", "2019 ", "0999", "1000", "٢٠١٩", "2019-7", "", "3000",
         "=1+1", "'2019", "'-5", "2019-13", "99999"]
ROLES = ["A1", "A1:target", "A1;A2:initiator", "A1:boss", "gdelt:TUR", "gdelt:TUR:target", "a\\;b", " A1 ; A2 ", "A1;;",
         ":target", "A1:", "x" * 201, "A1\u00a0", "A1\t;A2", "", "-A1", "@A1", "A1;" + "y" * 201]
LISTS = ["D1", "D1;D2", "", ";", "D1\\\\", " D1", "z" * 201, "D1;\u3000D2"]
KEYS = ["", " ", "'", "\u3000", "\u2003"]
ORDINALS = ["1", "-1", "+1", "2147483647", "2147483648", "-2147483649", "١", "007", " 3", "1.0", "", "1234567890123", "x"]
BOOLS = ["true", "Yes", "N", "maybe", "", "TRUE ", "0", "1", "ı", "K"]
TEXTS = st.sampled_from(["plain", "", " padded ", "=SUM(A1)", "-5", "+1.5", "@x", "'=kept", "There is no change in our position.",
                         "caf\u00e9", "\u00a0nbsp", "tab\tinside"])


@pytest.fixture(autouse=True)
def fast_path_for_every_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables of any size take the column-wise path here (by default only those of 1,000 rows or more do)."""
    monkeypatch.setattr(checks, "FAST_PATH_ROWS", 0)


def test_python_whitespace_is_what_str_strip_removes() -> None:
    """The fast path's white space is exactly the characters Python's str.strip() removes."""
    assert set(PY_WHITESPACE) == {chr(c) for c in range(0x110000) if chr(c).isspace()}


def _reference(table: str, rows: list[tuple[int, dict[str, str]]]) -> tuple[list[dict], list]:
    """The row-by-row Python checks alone: typed rows without problems, and every cell or role problem in order."""
    spec = SPEC_BY_TABLE[table]
    present = {c for _, r in rows for c in r}
    columns = [c for c in spec.columns if c.name in present]
    bounds = checks._Bounds(200, checks.dt.date.today().year + 1)
    typed, problems = [], []
    for line, record in rows:
        row, found = checks._validate_row(spec, columns, table, line, record, [], [], bounds)
        problems += found
        if not found:
            typed.append(row)
    return typed, problems


def _compare(con, table: str, rows: list[tuple[int, dict[str, str]]]) -> None:
    staged, problems = checks.validate(con, {table: rows}, {table: table})
    typed, expected = _reference(table, rows)
    assert problems[:len(expected)] == expected
    assert all("refers to" in p.reason or "position" in p.reason for p in problems[len(expected):]), problems[len(expected):]
    got = staged[0].rows
    if table == "statements":
        for row, flag in zip(typed, flags([r.get("quote") for r in typed]), strict=True):
            if row.get("self_declared_continuity") is None:
                row["self_declared_continuity"] = flag
    assert len(got) == len(typed)
    for mine, theirs in zip(got, typed, strict=True):
        assert {k: v for k, v in mine.items() if k in theirs} == theirs
        assert all(v in (None, []) for k, v in mine.items() if k not in theirs)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(KEYS), st.sampled_from(DATES), st.sampled_from(ROLES), st.sampled_from(LISTS), TEXTS,
                          st.sampled_from(["", "T1", "t" * 201])), min_size=1, max_size=12))
def test_events_fast_path_agrees_with_the_python_checks(con, cells) -> None:
    """Events with tricky dates, actor roles, lists, ids and text: same typed rows, same problems in the same order."""
    rows = [(i + 2, {"event_id": f"e{i}{pad}" if pad not in ("", " ") else f"{pad}e{i}", "occurred_on": date, "event_type": "meeting",
                     "title": title or "t", "actor_ids": actors, "document_ids": documents, "topic_id": topic, "description": title})
            for i, (pad, date, actors, documents, title, topic) in enumerate(cells)]
    _compare(con, "events", rows)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(DATES), st.sampled_from(BOOLS), TEXTS, st.sampled_from(["on_record", "", "rumour", " spokesperson"]),
                          st.sampled_from(["for", "", "=x"])), min_size=1, max_size=12))
def test_statements_fast_path_agrees_with_the_python_checks(con, cells) -> None:
    """Statements with tricky dates, flags, quotes and vocabularies: same typed rows, same problems, same phrase flags."""
    rows = [(i + 2, {"statement_id": f"s{i}", "stated_on": date, "actor_id": "A1", "topic_id": "T1", "position_code": code,
                     "quote": quote, "attribution": attribution, "self_declared": flag})
            for i, (date, flag, quote, attribution, code) in enumerate(cells)]
    _compare(con, "statements", rows)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(ORDINALS), min_size=1, max_size=12))
def test_positions_fast_path_agrees_with_the_python_checks(con, ordinals) -> None:
    """Whole numbers in every form (signs, other scripts, padding, out of range): same values, same problems."""
    rows = [(i + 2, {"topic_id": "T1", "position_code": f"p{i}", "label": "L", "ordinal": ordinal}) for i, ordinal in enumerate(ordinals)]
    _compare(con, "positions", rows)


def test_duplicate_keys_name_the_first_clean_row(con) -> None:
    """A repeated key names the first row that passed its checks, in file order among the other problems."""
    rows = [(2, {"topic_id": "T1", "position_code": "a", "label": "L", "ordinal": "x"}),
            (3, {"topic_id": "T1", "position_code": "a", "label": "L", "ordinal": "1"}),
            (4, {"topic_id": "T1", "position_code": "a", "label": "L", "ordinal": "2"}),
            (5, {"topic_id": "T1", "position_code": "b", "label": "", "ordinal": "2"})]
    _, problems = checks.validate(con, {"positions": rows}, {"positions": "positions.csv"})
    assert [(p.row, p.column, p.reason) for p in problems] == [
        (2, "ordinal", "'x' is not a whole number"),
        (4, "topic_id,position_code", "duplicate key T1/a (also on row 3)"),
        (5, "label", "required value is empty"),
        (3, "topic_id", "refers to topic 'T1', which is neither in the bundle nor in the store"),
        (4, "topic_id", "refers to topic 'T1', which is neither in the bundle nor in the store"),
    ]


def test_a_large_bundle_with_one_bad_row_is_refused_in_file_order(con, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """1,500 statements at the default threshold: one bad date and one unknown actor are named by row, the rest applies when fixed."""
    monkeypatch.setattr(checks, "FAST_PATH_ROWS", 1_000)
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "topics.csv").write_text("topic_id,name\nT1,Topic\n", encoding="utf-8")
    (bundle / "actors.csv").write_text("actor_id,name,kind\nA1,Actor,state\n", encoding="utf-8")
    lines = ["statement_id,stated_on,actor_id,topic_id,quote"] + [f"s{i},2020-01-02,A1,T1,There is no change in our position." for i in range(1500)]
    lines[700] = "s699,2020-02-30,A1,T1,q"
    lines[900] = "s899,2020,A9,T1,q"
    (bundle / "statements.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ImportRefused) as refused:
        import_bundle(con, bundle, who="test")
    assert [str(p) for p in refused.value.problems] == [
        "statements.csv row 701, column stated_on: '2020-02-30' is not a real date (day is out of range for month)",
        "statements.csv row 901, column actor_id: refers to actor 'A9', which is neither in the bundle nor in the store",
    ]
    lines[700], lines[900] = "s699,2020-02,A1,T1,q", "s899,2020,A1,T1,q"
    (bundle / "statements.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert import_bundle(con, bundle, who="test").counts["statements"]["inserted"] == 1500
    assert con.execute("select count(*) filter (where self_declared_continuity), min(stated_on), "
                       "count(*) filter (where date_precision = 'month') from statements").fetchall() == [(1498, con.execute(
                           "select date '2020-01-01'").fetchall()[0][0], 1)]
