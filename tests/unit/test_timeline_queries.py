"""The Timeline's SQL (lib/timeline/queries.py) on the seed case: which items each filter selects, counts, density, detail."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from lib import derived, store
from lib.filters import Filters
from lib.sources import claim_status
from lib.stances import continuity
from lib.timeline import queries
from lib.vocab import ORIGINS
from tests.conftest import ROOT
from tests.unit.test_timeline_months_property import kept, recounted


def _ids(con: duckdb.DuckDBPyConnection, filters: Filters) -> set[str]:
    return set(queries.timeline_items(con, filters).item_id)


def test_all_items_of_the_seed_case(seeded: duckdb.DuckDBPyConnection) -> None:
    """Unfiltered, the timeline holds the 5 events, 2 statements and 2 claims, newest first."""
    items = queries.timeline_items(seeded, Filters())
    assert queries.timeline_count(seeded, Filters()) == {"event": 5, "statement": 2, "claim": 2}
    assert len(items) == 9
    assert items.iloc[0].item_id == "claim-nefes-buyback"
    assert items.dated.is_monotonic_decreasing


def test_actor_filter_includes_ministries_and_unnamed_sources(seeded: duckdb.DuckDBPyConnection) -> None:
    """Choosing Turkey brings its ministry's and its unnamed source's statements; without children it does not."""
    with_children = _ids(seeded, Filters(actors=("TUR",)))
    assert {"stmt-msb-no-change", "stmt-anon-ria", "claim-ria-no-return", "s400-contract"} <= with_children
    assert "claim-nefes-buyback" not in with_children  # its subject is Russia
    alone = _ids(seeded, Filters(actors=("TUR",), include_children=False))
    assert "stmt-msb-no-change" not in alone and "s400-contract" in alone


def test_month_items_overlap_a_range_inside_their_month(seeded: duckdb.DuckDBPyConnection) -> None:
    """A range from 10 Sep 2025 keeps the 'Sep 2025' items (their month overlaps) but drops the 3 Sep claim."""
    ids = _ids(seeded, Filters(date_from=dt.date(2025, 9, 10), date_to=dt.date(2025, 12, 31)))
    assert ids == {"stmt-anon-ria", "stmt-msb-no-change", "claim-ria-no-return"}
    assert _ids(seeded, Filters(date_from=dt.date(2019, 1, 1), date_to=dt.date(2020, 10, 31))) == {
        "s400-first-delivery", "s400-test-sinop"}


@pytest.mark.parametrize("full_text", [True, False], ids=["fts", "ilike"])
def test_text_search_covers_titles_quotes_and_claims(seeded: duckdb.DuckDBPyConnection, full_text: bool,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Search finds an event title, a statement quote and a claim text, case-insensitively, with the index or
    literally without it (no fts package); % is no wildcard either way."""
    if not full_text:
        monkeypatch.setattr(store, "load_extension", lambda con, name: False)
    assert _ids(seeded, Filters(text="caatsa")) == {"caatsa-sanctions"}
    assert _ids(seeded, Filters(text="NO CHANGE IN OUR POSITION")) == {"stmt-msb-no-change"}
    assert _ids(seeded, Filters(text="taking back")) == {"claim-nefes-buyback"}
    assert _ids(seeded, Filters(text="%")) == set()
    # full text: words and their stems ("take" finds "taking"; "_" separates words as "-" does); literal: _ is no wildcard
    assert _ids(seeded, Filters(text="take back")) == ({"claim-nefes-buyback"} if full_text else set())
    assert (_ids(seeded, Filters(text="S_400")) == set()) != full_text


def test_kinds_sources_topics_and_types(seeded: duckdb.DuckDBPyConnection) -> None:
    """Kind, source, topic and event-type filters each narrow the items as documented."""
    assert _ids(seeded, Filters(kinds=("claim",))) == {"claim-nefes-buyback", "claim-ria-no-return"}
    assert _ids(seeded, Filters(sources=("ria",))) == {"stmt-anon-ria", "claim-ria-no-return"}
    assert len(_ids(seeded, Filters(topics=("s400",)))) == 9
    assert _ids(seeded, Filters(event_types=("delivery",))) == {"s400-first-delivery"}  # types leave out statements and claims
    assert _ids(seeded, Filters(origins=("gdelt",))) == set()


def test_continuity_and_status_for_colouring(seeded: duckdb.DuckDBPyConnection) -> None:
    """The ministry's 'no change' statement is reaffirmed; Nefes' claim contradicted, RIA's corroborated."""
    items = queries.timeline_items(seeded, Filters()).set_index("item_id")
    assert items.loc["stmt-msb-no-change", "continuity"] == "reaffirmed"
    assert items.loc["claim-nefes-buyback", "status"] == "contradicted"
    assert items.loc["claim-ria-no-return", "status"] == "corroborated"
    assert items.loc["s400-contract", "source_id"] == "nat"
    assert list(items.loc["s400-contract", "actor_ids"]) == ["TUR", "RUS"]  # initiator first


def test_continuity_is_the_stances_pages_own_actor_label(con: duckdb.DuckDBPyConnection) -> None:
    """A day inside a month already on record is concurrent, not later: the Timeline labels it as the Stances page does.

    X said A "in September 2025" (month precision) and B on 15 September: the two
    periods overlap, so B is not a shift away from A; then A again in October
    follows a split record (A and B) and is a shift. A newer statement by X's
    ministry belongs to the ministry's own record on the Timeline.
    """
    with store.transaction(con, "test", "fixture") as audit:
        audit.wrote("statements")
        con.execute("insert into topics values ('t', 'T', null)")
        con.execute("insert into positions (topic_id, position_code, label, ordinal) values ('t', 'A', 'A', 1), ('t', 'B', 'B', 2)")
        con.execute("insert into actors (actor_id, name, kind) values ('x', 'X', 'state')")
        con.execute("insert into actors (actor_id, name, kind, parent_actor_id) values ('x-min', 'X ministry', 'ministry', 'x')")
        con.execute("""insert into statements (statement_id, stated_on, date_precision, actor_id, topic_id, position_code) values
                       ('s1', date '2025-09-01', 'month', 'x', 't', 'A'), ('s2', date '2025-09-15', 'day', 'x', 't', 'B'),
                       ('s3', date '2025-10-02', 'day', 'x', 't', 'A'), ('s4', date '2025-11-01', 'day', 'x-min', 't', 'A')""")
    shown = queries.timeline_items(con, Filters()).set_index("item_id").continuity.to_dict()
    record = continuity.statement_continuity(con, None, ["t"], False).set_index("statement_id").continuity.to_dict()
    assert shown == record == {"s1": "first", "s2": "first", "s3": "shifted", "s4": "first"}
    assert queries.timeline_item(con, "statement", "s2")["continuity"] == "first"


def test_grade_shows_the_analyst_grade_only(seeded: duckdb.DuckDBPyConnection) -> None:
    """Without an analyst grade the grade is empty; once set, the item carries it."""
    assert queries.timeline_items(seeded, Filters()).grade.isna().all()
    with store.transaction(seeded, "test", "grade") as audit:
        seeded.execute("update sources set analyst_grade = 'B' where source_id = 'nefes'")
        audit.row("sources", "nefes", None, {"analyst_grade": "B"})
    items = queries.timeline_items(seeded, Filters()).set_index("item_id")
    assert items.loc["claim-nefes-buyback", "grade"] == "B"


def test_limit_keeps_the_newest(seeded: duckdb.DuckDBPyConnection) -> None:
    """A limit of 3 returns the three newest items."""
    newest = queries.timeline_items(seeded, Filters(), limit=3)
    assert list(newest.item_id) == ["claim-nefes-buyback", "claim-ria-no-return", "stmt-anon-ria"]


@pytest.mark.parametrize("lane", ["actor", "topic", "source", "kind"])
def test_density_counts_every_item(seeded: duckdb.DuckDBPyConnection, lane: str) -> None:
    """Density per lane counts each item once per lane it sits in (events once per actor)."""
    counts = queries.timeline_density(seeded, Filters(), lane, "month")
    # 9 items; by actor the four two-actor events count twice (5 events -> 9 event lanes + 2 statements + 2 claims)
    assert counts.n.sum() == {"actor": 13, "topic": 9, "source": 9, "kind": 9}[lane]
    assert counts.statements.sum() == 2 and counts.claims.sum() == 2
    assert (counts.events + counts.statements + counts.claims == counts.n).all()


# every origin named: the same items, but an origin filter sends density through the live join
_LIVE = {"origins": ORIGINS}


def _counted(con: duckdb.DuckDBPyConnection) -> tuple[set[tuple], set[tuple]]:
    """The derived link counts, summed per key (a dataset import appends its own rows to event_actor_days)."""
    days = set(con.execute("""select actor_id, occurred_on, date_precision, sum(links) from event_actor_days
                              group by all having sum(links) <> 0""").fetchall())
    return days, set(con.execute("select actor_id, month, links from event_actor_months").fetchall())


def _recounted(con: duckdb.DuckDBPyConnection) -> tuple[set[tuple], set[tuple]]:
    join = "from events e join event_actors ea using (event_id) group by all"
    return (set(con.execute(f"select ea.actor_id, e.occurred_on, e.date_precision, count(*) {join}").fetchall()),
            set(con.execute(f"select ea.actor_id, date_trunc('month', e.occurred_on)::date, count(*) {join}").fetchall()))


@pytest.mark.parametrize("bucket", ["day", "week", "month"])
@pytest.mark.parametrize("window", [{}, {"date_from": dt.date(2019, 7, 15)}, {"date_to": dt.date(2020, 11, 30)},
                                    {"date_from": dt.date(2017, 1, 1), "date_to": dt.date(2020, 12, 31)},
                                    {"date_from": dt.date(2025, 9, 10), "date_to": dt.date(2025, 9, 30)}])
@pytest.mark.parametrize("actors", [(), ("TUR",), ("RUS", "USA")])
def test_density_from_the_link_counts_equals_the_join(seeded: duckdb.DuckDBPyConnection, actors: tuple, window: dict,
                                                      bucket: str) -> None:
    """Density by actor from the derived counts gives the very rows the live join gives, month-dated items included."""
    fast = queries.timeline_density(seeded, Filters(actors=actors, **window), "actor", bucket)
    live = queries.timeline_density(seeded, Filters(actors=actors, **window, **_LIVE), "actor", bucket)
    assert fast.equals(live)
    if not window and not actors:
        assert len(fast)


def _corrected_seed_bundle(con: duckdb.DuckDBPyConnection, tmp_path) -> None:
    """Import the seed bundle with the Sinop test moved to 2021-03 and the F-35 removal's actors cut to the United States."""
    import shutil

    from lib.ingest.bundle import import_bundle

    corrected = tmp_path / "corrected"
    shutil.copytree(ROOT / "data" / "seed", corrected)
    events = corrected / "events.csv"
    lines = events.read_text(encoding="utf-8").splitlines(keepends=True)
    lines = [line.replace(",2020-10,", ",2021-03,") if line.startswith("s400-test-sinop,") else line for line in lines]
    lines = [line.replace("USA:initiator;TUR:target", "USA:initiator") if line.startswith("f35-removal,") else line for line in lines]
    events.write_text("".join(lines), encoding="utf-8")
    assert import_bundle(con, corrected, who="test").counts["events"]["updated"] >= 1


def test_a_bundle_edit_moves_its_events_link_counts_without_a_rebuild(seeded: duckdb.DuckDBPyConnection, tmp_path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A corrected bundle (an event's date, another's actors) adjusts the counts of its own events only; density follows."""
    monkeypatch.setattr(derived, "rebuild_event_actor_counts", lambda con: pytest.fail("a bundle edit rebuilt every link count"))
    before = queries.timeline_density(seeded, Filters(date_from=dt.date(2021, 1, 1), date_to=dt.date(2021, 12, 31)), "actor", "month")
    _corrected_seed_bundle(seeded, tmp_path)
    assert _counted(seeded) == _recounted(seeded)
    after = queries.timeline_density(seeded, Filters(date_from=dt.date(2021, 1, 1), date_to=dt.date(2021, 12, 31)), "actor", "month")
    assert before.events.sum() == 0 and after.events.sum() == 1  # the Sinop test, now in March 2021
    live = queries.timeline_density(seeded, Filters(**_LIVE), "actor", "month")
    assert queries.timeline_density(seeded, Filters(), "actor", "month").equals(live)


def test_link_counts_follow_every_kind_of_write(seeded: duckdb.DuckDBPyConnection, tmp_path) -> None:
    """Seed bundle, synthetic data, overlapping GDELT files, ACLED with month dates, a bundle deleting links: the counts stay exact."""
    from lib import synthetic
    from lib.ingest.acled import import_acled
    from lib.ingest.gdelt import import_gdelt
    from tests.test_paths import GDELT2_SAMPLE

    assert _counted(seeded) == _recounted(seeded) != (set(), set())
    synthetic.generate(seeded, events=500, statements=50, claims=50, seed=3)
    assert _counted(seeded) == _recounted(seeded)
    assert kept(seeded) == recounted(seeded)  # and the opening density's months
    lines = GDELT2_SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    (tmp_path / "a.CSV").write_text("".join(lines[:4000]), encoding="utf-8")
    (tmp_path / "b.CSV").write_text("".join(lines[2000:]), encoding="utf-8")
    import_gdelt(seeded, tmp_path / "a.CSV", who="test")
    import_gdelt(seeded, tmp_path / "b.CSV", who="test")
    import_acled(seeded, ROOT / "tests" / "data" / "acled_current.csv", who="test")
    assert _counted(seeded) == _recounted(seeded)
    assert kept(seeded) == recounted(seeded)
    _corrected_seed_bundle(seeded, tmp_path)
    assert _counted(seeded) == _recounted(seeded)
    assert kept(seeded) == recounted(seeded)
    with store.transaction(seeded, "test", "unlink") as audit:
        seeded.execute("delete from event_actors where actor_id = 'RUS'")
        audit.row("event_actors", "RUS", {"actor_id": "RUS"}, None)
    assert _counted(seeded) == _recounted(seeded)
    assert kept(seeded) == recounted(seeded)


def test_density_folds_quiet_lanes_into_other(seeded: duckdb.DuckDBPyConnection) -> None:
    """With room for two lanes, the rest are counted under '(other)'."""
    counts = queries.timeline_density(seeded, Filters(), "actor", "week", max_lanes=2)
    assert set(counts.lane) == {"TUR", "RUS", "(other)"}


def test_density_refuses_unknown_lanes(seeded: duckdb.DuckDBPyConnection) -> None:
    """A lane or bucket outside the allow-list is refused before any SQL is built."""
    with pytest.raises(ValueError):
        queries.timeline_density(seeded, Filters(), "actor; drop table events", "month")


def test_item_detail_documents_and_evidence(seeded: duckdb.DuckDBPyConnection) -> None:
    """One item by id; its documents with sources; a claim's evidence chain names both contradicted statements."""
    assert queries.timeline_item(seeded, "statement", "stmt-msb-no-change")["attribution"] == "anonymous_source"
    assert queries.timeline_item(seeded, "event", "no-such-event") is None
    docs = queries.timeline_item_documents(seeded, "claim", "claim-nefes-buyback")
    assert list(docs.source_name) == ["Nefes"]
    evidence = claim_status.claim_evidence(seeded, ["claim-nefes-buyback"])
    assert set(evidence.evidence_id) == {"stmt-anon-ria", "stmt-msb-no-change"}
    assert set(evidence.relation) == {"contradicts"}
    ministry = evidence.set_index("evidence_id").loc["stmt-msb-no-change"]
    assert ministry.who == "Ministry of National Defence" and ministry.what.startswith("The S-400 air defense systems")
    assert ministry.source == seeded.execute("select name from sources where source_id = 'nat'").fetchall()[0][0]


def test_last_shift_is_the_newest_shifted_statement_of_the_chosen_actors(seeded) -> None:
    """'Since the last shift' starts at the newest statement whose own continuity is shifted, among the chosen actors."""
    assert queries.last_shift(seeded, Filters()) is None  # the seed case has no shift: Turkey reaffirmed
    with store.transaction(seeded, "tests", "a shift") as audit:
        seeded.execute("""insert into statements (statement_id, stated_on, date_precision, actor_id, topic_id, position_code)
                          values ('stmt-shift', date '2025-10-05', 'day', 'TUR-MSB', 's400', 'return_or_sell')""")
        audit.bulk("statements", {"test": "one shift"})
    assert queries.last_shift(seeded, Filters()) == dt.date(2025, 10, 5)
    assert queries.last_shift(seeded, Filters(actors=("TUR",))) == dt.date(2025, 10, 5)  # its ministry counts
    assert queries.last_shift(seeded, Filters(actors=("TUR",), include_children=False)) is None
    assert queries.last_shift(seeded, Filters(actors=("RUS",))) is None
    resolved = Filters.from_query_params({"range": "shift", "actor": "TUR"}).resolved(None, None, dt.date(2025, 10, 5))
    assert (resolved.date_from, resolved.date_to, resolved.to_query_params()["range"]) == (dt.date(2025, 10, 5), None, "shift")


@pytest.fixture(scope="module")
def synthetic_path(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A small synthetic store (many items a day, ties on dates) beside the seed case, read-only in the tests."""
    from lib import synthetic

    path = str(tmp_path_factory.mktemp("synthetic") / "store.duckdb")
    con = store.connect(path)
    synthetic.generate(con, events=3000, statements=600, claims=600, seed=5)
    con.close()
    return path


_NEWEST_FILTERS = [Filters(), Filters(date_from=dt.date(2019, 1, 1), date_to=dt.date(2021, 6, 30)),
                   Filters(date_to=dt.date(2018, 12, 31)), Filters(actors=("s5a0", "TUR")), Filters(kinds=("statement", "claim")),
                   Filters(topics=("s400",)), Filters(date_from=dt.date(2030, 1, 1))]


@pytest.mark.parametrize("filters", _NEWEST_FILTERS, ids=range(len(_NEWEST_FILTERS)))
@pytest.mark.parametrize("limit", [1, 3, 40, 5000])
@pytest.mark.parametrize("which", ["seed", "synthetic"])
def test_newest_rows_equal_a_plain_top_n(which: str, limit: int, filters: Filters, request: pytest.FixtureRequest,
                                         synthetic_path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The newest rows found through each kind's date bound are the rows of a plain top-N over whole rows, ties included."""
    con = request.getfixturevalue("seeded") if which == "seed" else store.connect(synthetic_path, read_only=True)
    bounded = queries.timeline_newest(con, filters, limit)
    assert " >= (select min(dated)" in queries.timeline_newest_sql(con, filters, limit)[0]
    monkeypatch.setattr(queries, "_on_or_after_newest", lambda alias, where: "")
    plain = queries.timeline_newest(con, filters, limit)
    assert bounded.equals(plain)
    assert len(plain) == min(limit, sum(queries.timeline_count(con, filters).values()))
