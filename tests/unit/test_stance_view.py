"""The Stances page's rows, table and chart read less (issue 15) and say the same: each against the way it was computed
before, on the seed case and on the seed case with synthetic data added."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd
import pytest

from lib import synthetic
from lib.filters import Filters
from lib.stances import continuity, stance


def _every_row_view(con: duckdb.DuckDBPyConnection, filters: Filters) -> tuple[stance.StanceView, pd.DataFrame]:
    """view_rows as it was: every statement of the series with every column, judged, then the newest shown kept."""
    view = stance.resolve_view(con, filters)
    actors, topics = ([], []) if view.empty else (list(view.actors), list(view.topics))
    rows, _ = stance.judged(continuity.statement_continuity(con, actors, topics, view.inherit, filters))
    return view, stance.newest(rows[rows.shown], "stated_on", stance.STATEMENT_LIMIT)


@pytest.fixture(params=["seed", "synthetic"])
def store(request: pytest.FixtureRequest, seeded: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """The seed case, or the seed case with 4,000 synthetic statements and 2,000 claims (several voices per series)."""
    if request.param == "synthetic":
        synthetic.generate(seeded, events=300, statements=4_000, claims=2_000, seed=11)
    return seeded


def _filters(con: duckdb.DuckDBPyConnection) -> list[Filters]:
    """No filter, chosen actors with and without their parts, two topics, dates, a source, a text."""
    busiest = stance.resolve_view(con, Filters())
    source = con.execute("select source_id from documents join statements using (document_id) group by all "
                         "order by count(*) desc, source_id limit 1").fetchall()[0][0]
    return [
        Filters(),
        Filters(actors=busiest.actors[:2]),
        Filters(actors=busiest.actors, include_children=False),
        Filters(topics=tuple(t for (t,) in con.execute("select topic_id from topics order by topic_id limit 2").fetchall())),
        Filters(date_from=dt.date(2020, 1, 1), date_to=dt.date(2025, 9, 30)),
        Filters(sources=(source,)),
        Filters(text="e"),
        Filters(actors=("nobody",)),
    ]


@pytest.mark.parametrize("limit", [stance.STATEMENT_LIMIT, 7])
def test_view_rows_are_those_of_every_row_judged(store, monkeypatch, limit) -> None:
    """The same rows, in the same order, with the same values and the same total, whatever the filters; a small limit
    cuts inside a date shared by several statements (the later in the order are kept, as before)."""
    monkeypatch.setattr(stance, "STATEMENT_LIMIT", limit)
    cut = 0
    for filters in _filters(store):
        _, new = stance.view_rows(store, filters)
        _, old = _every_row_view(store, filters)
        assert new.attrs["total"] == old.attrs["total"], filters
        cut += old.attrs["total"] > len(old)
        assert set(new.columns) <= set(old.columns)
        if old.empty:  # no statement: the columns' types say nothing
            assert new.empty
            continue
        pd.testing.assert_frame_equal(new.reset_index(drop=True), old[list(new.columns)].reset_index(drop=True), obj=str(filters))
    assert cut > 0 or limit == stance.STATEMENT_LIMIT  # the small limit cut some view


def test_table_and_chart_are_those_of_every_row_judged(store, monkeypatch) -> None:
    """The statements table and the chart's figure are the same as built from every row judged."""
    monkeypatch.setattr(stance, "STATEMENT_LIMIT", 40)  # the chart's merged marks and the note of a cut view too
    for filters in _filters(store):
        table, figure = stance.build_table(store, filters), stance.build_chart(store, filters)
        with monkeypatch.context() as old:
            old.setattr(stance, "view_rows", _every_row_view)
            pd.testing.assert_frame_equal(table, stance.build_table(store, filters).reset_index(drop=True), obj=str(filters),
                                          check_dtype=not table.empty)  # an empty column has no type to keep
            assert figure.to_json() == stance.build_chart(store, filters).to_json(), filters


@pytest.mark.parametrize("inherit", [True, False])
def test_the_record_during_a_claim_is_every_position_stated_in_an_overlapping_period(store, inherit) -> None:
    """reported_shifts' ``during_positions`` (found by month and year buckets) against a plain overlap test of every
    claim with every coded statement of its series."""
    claims = continuity.reported_shifts(store, None, None, inherit)
    said = continuity.statement_continuity(store, None, None, inherit)
    said = said[said.position_code.notna()]
    pairs = claims[["series_actor_id", "topic_id", "claim_id", "claimed_on", "claim_end"]].merge(
        said[["series_actor_id", "topic_id", "stated_on", "period_end", "position_code"]], on=["series_actor_id", "topic_id"])
    pairs = pairs[(pairs.stated_on <= pairs.claim_end) & (pairs.period_end >= pairs.claimed_on)]
    expected = pairs.groupby(["series_actor_id", "claim_id"]).position_code.agg(lambda codes: sorted(set(codes)))
    found = {(s, c): list(p) for s, c, p in zip(claims.series_actor_id, claims.claim_id, claims.during_positions, strict=True)
             if isinstance(p, list | tuple) or hasattr(p, "__len__")}
    assert found == expected.to_dict()
    assert len(found) > 50 or len(claims) < 1000  # the synthetic store has many; the seed few or none


@pytest.mark.parametrize("inherit", [True, False])
def test_the_record_after_a_claim_is_every_position_stated_on_the_first_later_day(store, inherit) -> None:
    """reported_shifts' ``after_positions`` (one mask per start day, found by ASOF) against every coded statement of
    the claim's series that starts on the first day after the claim's period on which the series said something coded;
    a claim the record never answers has none, and ``reports_shift`` then rests on the other two."""
    claims = continuity.reported_shifts(store, None, None, inherit)
    said = continuity.statement_continuity(store, None, None, inherit)
    said = said[said.position_code.notna()]
    pairs = claims[["series_actor_id", "topic_id", "claim_id", "claim_end"]].merge(
        said[["series_actor_id", "topic_id", "stated_on", "position_code"]], on=["series_actor_id", "topic_id"])
    pairs = pairs[pairs.stated_on > pairs.claim_end]
    pairs = pairs[pairs.stated_on == pairs.groupby(["series_actor_id", "claim_id"]).stated_on.transform("min")]
    expected = pairs.groupby(["series_actor_id", "claim_id"]).position_code.agg(lambda codes: sorted(set(codes)))
    found = {(s, c): list(p) for s, c, p in zip(claims.series_actor_id, claims.claim_id, claims.after_positions, strict=True)
             if hasattr(p, "__len__")}
    assert found == expected.to_dict()
    assert len(found) > 50 or len(claims) < 1000


def test_the_claims_kept_are_the_newest_and_each_series_latest_shift_of_them_all(store, monkeypatch) -> None:
    """claims_about (the query keeps the claims) against every claim, cut as the page cut them before: the newest
    CLAIM_LIMIT in the rows' order, and each series' latest-ending reported shift however old."""
    monkeypatch.setattr(stance, "CLAIM_LIMIT", 25)
    for filters in _filters(store):
        view = stance.resolve_view(store, filters)
        args = (list(view.actors), list(view.topics), view.inherit)
        every = continuity.reported_shifts(store, *args).drop(columns="newest")
        kept = stance.newest(every, "claimed_on", stance.CLAIM_LIMIT)
        latest = (every[every.reports_shift].sort_values(["claim_end", "claimed_on", "claim_id"])
                  .groupby(["series_actor_id", "topic_id"], sort=False).tail(1))
        expected = pd.concat([kept.assign(newest=True), latest[~latest.index.isin(kept.index)].assign(newest=False)]).sort_index()
        found = stance.claims_about(store, *args)
        assert found.attrs["total"] == len(every)
        pd.testing.assert_frame_equal(found, expected.reset_index(drop=True), check_dtype=not found.empty, obj=str(filters))


def test_cards_read_from_the_kept_labels_are_those_judged_at_page_open(store) -> None:
    """The cards' figures read from the kept standings and labels (``kept_positions``) against the series judged anew
    (``positions_held``, the route the page took before), for the views of every filter and for every actor in both
    modes; the synthetic store has divergent and pending voices, which the cards list."""
    today = dt.date(2026, 1, 1)
    views = [stance.resolve_view(store, filters) for filters in _filters(store)]
    every = [r[0] for r in store.execute("select actor_id from actors order by actor_id").fetchall()]
    topics = [r[0] for r in store.execute("select topic_id from topics order by topic_id").fetchall()]
    asked = [(list(v.actors), list(v.topics), v.inherit) for v in views if not v.empty]
    asked += [(every, topics, inherit) for inherit in (True, False)]
    voices = 0
    for actors, topics_, inherit in asked:
        kept = stance.kept_positions(store, actors, topics_, inherit, today)
        assert kept == stance.positions_held(store, actors, topics_, inherit, today), (actors, topics_, inherit)
        voices += sum(len(e["divergent"]) + len(e["pending"]) for e in kept)
    assert voices > 0 or store.execute("select count(*) from statements").fetchall()[0][0] < 100
