"""Filters: URL round trip, bad values dropped with notices, presets, words."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from lib.dates import day_range
from lib.filters import Filters
from lib.vocab import ITEM_KINDS, ORIGINS

TODAY = dt.date(2025, 10, 1)
ids = st.from_regex(r"[A-Za-z0-9][\w.:\-]{0,20}", fullmatch=True)
id_tuples = st.lists(ids, max_size=3, unique=True).map(tuple)
dates = st.dates(min_value=day_range(TODAY)[0], max_value=day_range(TODAY)[1])


@st.composite
def filters(draw: st.DrawFn) -> Filters:
    start, end = draw(st.none() | dates), draw(st.none() | dates)
    if start and end and start > end:
        start, end = end, start
    return Filters(
        preset="custom" if (start or end) else "all", date_from=start, date_to=end,
        actors=draw(id_tuples), topics=draw(id_tuples), sources=draw(id_tuples), event_types=draw(id_tuples),
        kinds=tuple(draw(st.lists(st.sampled_from(ITEM_KINDS), unique=True, max_size=3))),
        origins=tuple(draw(st.lists(st.sampled_from(ORIGINS), unique=True, max_size=2))),
        text=draw(st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zs")), max_size=30)).strip(),
        include_children=draw(st.booleans()),
    )


def _as_url(params: dict[str, str | list[str]]) -> dict[str, list[str]]:
    """What st.query_params hands back: every key as a list of strings."""
    return {k: v if isinstance(v, list) else [v] for k, v in params.items()}


@given(filters())
def test_url_round_trip_reopens_the_same_view(original: Filters) -> None:
    """Any valid filters survive to_query_params -> from_query_params unchanged and without notices."""
    again = Filters.from_query_params(_as_url(original.to_query_params()), today=TODAY)
    assert again == original
    assert again.notices == ()


def test_example_link_from_the_issue() -> None:
    """?from=2019-01-01&to=2025-12-31&actor=TUR&topic=s400 reads as a custom range on Turkey and the S-400 topic."""
    f = Filters.from_query_params({"from": "2019-01-01", "to": "2025-12-31", "actor": "TUR", "topic": "s400"})
    assert (f.preset, f.date_from, f.date_to, f.actors, f.topics) == ("custom", dt.date(2019, 1, 1), dt.date(2025, 12, 31), ("TUR",), ("s400",))


def test_bad_values_are_dropped_with_a_notice_each() -> None:
    """A bad date, kind, origin, range and children flag are each dropped and named in a notice."""
    f = Filters.from_query_params({"from": "2019-13-01", "kind": ["event", "bogus"], "origin": "moon", "range": "5y",
                                   "children": "maybe", "actor": "TUR;drop table"}, today=TODAY)
    assert f.date_from is None and f.kinds == ("event",) and f.origins == () and f.preset == "all" and f.include_children
    joined = " ".join(f.notices)
    for bad in ("from=", "bogus", "moon", "range=", "children=", "drop table"):
        assert bad in joined


def test_reversed_dates_are_swapped_and_said() -> None:
    """from after to is swapped, with a notice, rather than giving an empty chart."""
    f = Filters.from_query_params({"from": "2025-01-01", "to": "2019-01-01"})
    assert (f.date_from, f.date_to) == (dt.date(2019, 1, 1), dt.date(2025, 1, 1))
    assert any("swapped" in n for n in f.notices)


def test_presets_move_with_today_and_stay_presets_in_the_url() -> None:
    """'last 30 days' and 'last year' become dates relative to today, but the link keeps the preset."""
    month = Filters.from_query_params({"range": "30d"}, today=TODAY)
    year = Filters.from_query_params({"range": "1y"}, today=TODAY)
    assert (month.date_from, month.date_to) == (dt.date(2025, 9, 1), TODAY)
    assert year.date_from == dt.date(2024, 10, 1)
    assert month.to_query_params() == {"range": "30d"}
    assert Filters.from_query_params({}, today=TODAY).preset == "all"


def test_overlong_search_text_is_shortened_with_a_notice() -> None:
    """Search text longer than 200 characters is cut, and the notice says so."""
    f = Filters.from_query_params({"q": "x" * 500})
    assert len(f.text) == 200 and f.notices


def test_restricted_to_drops_unknown_ids() -> None:
    """Ids the store does not know are dropped with a notice naming them."""
    f = Filters(actors=("TUR", "NOBODY")).restricted_to({"actors": {"TUR", "RUS"}})
    assert f.actors == ("TUR",)
    assert any("NOBODY" in n for n in f.notices)


def test_with_dates_makes_a_custom_range_or_all() -> None:
    """Zooming sets a custom range; clearing both dates returns to all dates."""
    zoomed = Filters(actors=("TUR",)).with_dates(dt.date(2019, 1, 1), dt.date(2019, 12, 31))
    assert zoomed.preset == "custom" and zoomed.actors == ("TUR",)
    assert zoomed.with_dates(None, None).preset == "all"


def test_describe_uses_names_and_dates() -> None:
    """The words name actors and topics, the date range, kinds and the search text."""
    f = Filters(date_from=dt.date(2019, 1, 1), date_to=dt.date(2025, 9, 30), actors=("TUR",), topics=("s400",),
                kinds=("statement",), text="no change")
    words = f.describe({"TUR": "Turkey", "s400": "Turkey's S-400 systems"})
    assert words == "1 Jan 2019 – 30 Sep 2025 · Turkey · topic Turkey's S-400 systems · statements · matching \"no change\""
    assert f.slug() == "s400_TUR_statement_q-no-change_2019-01-01_2025-09-30"  # every filter, so names differ


def test_describe_names_event_types_by_their_label(seeded) -> None:
    """A chosen CAMEO code reads as its label with the code, as the sidebar lists it; an unknown code stays a code."""
    from lib import catalog
    from lib.ingest.gdelt import import_gdelt
    from tests.test_paths import GDELT2_SAMPLE

    import_gdelt(seeded, GDELT2_SAMPLE, who="test")
    words = Filters(event_types=("190", "9999"), origins=("gdelt",)).describe(catalog.names(seeded))
    assert words == "all dates · type Use conventional military force (190), 9999 · from gdelt"


def test_a_year_and_a_quarter_are_presets_with_fixed_dates() -> None:
    """range=2019 is that calendar year and range=2019-Q3 that quarter; the link keeps the preset, not the dates."""
    year = Filters.from_query_params({"range": "2019"})
    quarter = Filters.from_query_params({"range": "2019-Q4"})
    assert (year.date_from, year.date_to, year.to_query_params()) == (dt.date(2019, 1, 1), dt.date(2019, 12, 31), {"range": "2019"})
    assert (quarter.date_from, quarter.date_to) == (dt.date(2019, 10, 1), dt.date(2019, 12, 31))
    assert Filters.from_query_params({"range": "2019-Q2"}).date_to == dt.date(2019, 6, 30)
    for bad in ("2019-Q5", "year", "quarter", "19"):
        f = Filters.from_query_params({"range": bad})
        assert f.preset == "all" and f.notices


def test_data_presets_keep_their_dates_in_the_link() -> None:
    """'span' and 'shift' depend on the store: the link carries the dates they stood for, and reads back the same."""
    shift = Filters.from_query_params({"range": "shift", "actor": "TUR"}).resolved(None, None, dt.date(2025, 9, 1))
    assert shift.to_query_params() == {"range": "shift", "from": "2025-09-01", "actor": ["TUR"]}
    assert Filters.from_query_params(_as_url(shift.to_query_params())) == shift
    span = Filters.from_query_params({"range": "span"}).resolved(dt.date(2017, 12, 1), dt.date(2025, 9, 3), None)
    assert span.date_words() == "1 Dec 2017 – 3 Sep 2025" and span.preset == "span"
    none = Filters.from_query_params({"range": "shift"}).resolved(None, None, None)
    assert none.date_from is None and any("no shift" in n for n in none.notices)


def test_timeline_view_round_trips_and_drops_bad_values() -> None:
    """Lanes, the lane count and the opened item go into the link and back; bad ones are dropped with a notice."""
    from lib.filters import TimelineView

    view = TimelineView(lanes="topic", lane_count=30, opened=("claim", "claim-nefes-buyback"))
    params = view.to_query_params()
    assert params == {"lanes": "topic", "nlanes": "30", "open": "claim:claim-nefes-buyback"}
    assert TimelineView.from_query_params(_as_url(params)) == view
    assert TimelineView().to_query_params() == {}
    bad = TimelineView.from_query_params({"lanes": "mood", "nlanes": "7", "open": "memo:x"})
    assert bad == TimelineView() and len(bad.notices) == 3
    # the filters ignore the view's keys, and the view the filters'
    assert Filters.from_query_params({**params, "actor": "TUR"}) == Filters(actors=("TUR",))


def test_dates_outside_the_stored_range_become_notices() -> None:
    """from=0001-01-01 and to=9999-12-31 are outside 1000 .. next year (and the date widget): dropped with a notice each."""
    parsed = Filters.from_query_params({"from": "0001-01-01", "to": "9999-12-31"}, today=TODAY)
    assert (parsed.preset, parsed.date_from, parsed.date_to) == ("all", None, None)
    assert parsed.notices == ("ignored from='0001-01-01': dates run from 1000-01-01 to 2026-12-31",
                              "ignored to='9999-12-31': dates run from 1000-01-01 to 2026-12-31")
    kept = Filters.from_query_params({"from": "1000-01-01", "to": "2026-12-31"}, today=TODAY)
    assert (kept.date_from, kept.date_to, kept.notices) == (dt.date(1000, 1, 1), dt.date(2026, 12, 31), ())


@given(st.dates())
def test_no_date_outside_the_range_survives_the_url(day: dt.date) -> None:
    """Whatever date the URL carries, the filters hold it only inside the range, else say why they dropped it."""
    parsed = Filters.from_query_params({"from": day.isoformat()}, today=TODAY)
    inside = day_range(TODAY)[0] <= day <= day_range(TODAY)[1]
    assert (parsed.date_from == day) == inside and bool(parsed.notices) != inside
