"""The Overview page on the seed case."""

from __future__ import annotations


def test_overview_counts_the_seed_case(app) -> None:
    """The headline metrics show the seed case's five events, two statements and two claims."""
    at = app("overview")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Events"] == "5"
    assert metrics["Statements"] == "2"
    assert metrics["Claims"] == "2"
    assert metrics["Sources"] == "3"


def test_overview_lists_newest_items_first(app) -> None:
    """The newest-items table starts with the September 2025 sequence and shows month precision as a month."""
    at = app("overview")
    newest = at.dataframe[0].value
    assert newest.iloc[0]["date"] in {"3 Sep 2025", "Sep 2025"}
    assert "Dec 2017" in set(newest["date"]) or len(newest) >= 7


def test_overview_topic_filter_narrows_newest_items(app) -> None:
    """A topic that does not exist is dropped with a notice; the s400 topic keeps the seed items."""
    at = app("overview", topic="s400")
    assert len(at.dataframe[0].value) >= 9


def test_overview_shows_positions_and_claim_outcomes(app) -> None:
    """The ministry holds 'Retain the systems'; Nefes' claim reads contradicted with credibility 5, RIA's corroborated."""
    at = app("overview")
    frames = [d.value for d in at.dataframe]
    held = next(f for f in frames if "current position" in f.columns)
    assert set(held["current position"]) == {"Retain the systems"}
    claims = next(f for f in frames if "credibility" in f.columns)
    row = claims.set_index("source").loc["Nefes (F)"]
    assert (row.status, row.credibility) == ("contradicted", 5)
    assert claims.set_index("source").loc["RIA Novosti (F)"].status == "corroborated"


def test_overview_and_timeline_grade_sources_once(app, monkeypatch) -> None:
    """Source labels (Overview) and grades in force (Timeline) come from one cached judgement of every claim."""
    from lib.sources import claim_status
    from tests.conftest import count_calls

    calls = count_calls(monkeypatch, claim_status, "source_track_records")
    at = app("timeline")
    assert len(calls) == 1 and not at.exception


def test_counts_in_millions_fit_their_column(app, monkeypatch) -> None:
    """Ten million events read "10.0 M" (the full figure was cut to "10,000,…"), with the exact count on hover."""
    from lib import catalog

    original = catalog.store_summary
    monkeypatch.setattr(catalog, "store_summary", lambda con: {**original(con), "events": 10_000_000})
    metric = next(m for m in app().metric if m.label == "Events")
    assert metric.value == "10.0 M" and "10,000,000 events" in metric.proto.help
