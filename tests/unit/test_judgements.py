"""The claims' judgements the store keeps current at write time (lib/sources/judgements.py) against a judgement from scratch.

Random writes of every input a judgement reads (claims, evidence, documents, statements, events and their
documents) and of analyst grades, each audited by its key as the edit forms and the bundle import audit them;
after them, the kept table equals every claim judged anew, and a track record under any filter equals the sum of
the claims judged anew under it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib import store
from lib.edits import delete, records, revert, rows
from lib.filters import Filters
from lib.sources import claim_status, judgements, reliability

SOURCES = ["a", "b", "c"]
DOCS = [f"d{i}" for i in range(6)]  # d5 is missing at first: items may name a document before it is imported
CLAIMS = [f"k{i}" for i in range(5)]
STATEMENTS = [f"s{i}" for i in range(3)]
EVENTS = ["e0", "e1"]
ITEMS = {"statement": STATEMENTS, "document": DOCS, "claim": CLAIMS, "event": EVENTS}
DAY = st.integers(1, 6).map(lambda d: dt.date(2024, 1, d))

writes = st.one_of(
    st.tuples(st.just("claims"), st.sampled_from(CLAIMS),
              st.one_of(st.none(), st.fixed_dictionaries({"document_id": st.sampled_from(DOCS[:5]), "claimed_on": DAY,
                                                          "date_precision": st.sampled_from(["day", "month"]),
                                                          "topic_id": st.sampled_from(["t", "u"])}))),
    st.tuples(st.just("evidence"),
              st.tuples(st.sampled_from(CLAIMS), st.sampled_from(sorted(ITEMS))).flatmap(
                  lambda ct: st.tuples(st.just(ct[0]), st.just(ct[1]), st.sampled_from(ITEMS[ct[1]]))),
              st.one_of(st.none(), st.fixed_dictionaries({"relation": st.sampled_from(["corroborates", "contradicts"]),
                                                          "noted_on": st.one_of(st.none(), DAY)}))),
    st.tuples(st.just("documents"), st.sampled_from(DOCS),
              st.fixed_dictionaries({"source_id": st.sampled_from(SOURCES), "published_on": DAY,
                                     "date_precision": st.sampled_from(["day", "month"]),
                                     "cites_document_ids": st.lists(st.sampled_from(DOCS), max_size=2, unique=True)})),
    st.tuples(st.just("statements"), st.sampled_from(STATEMENTS),
              st.fixed_dictionaries({"document_id": st.sampled_from(DOCS), "stated_on": DAY})),
    st.tuples(st.just("events"), st.sampled_from(EVENTS), st.fixed_dictionaries({"occurred_on": DAY})),
    st.tuples(st.just("event_documents"), st.tuples(st.sampled_from(EVENTS), st.sampled_from(DOCS)), st.booleans()),
    st.tuples(st.just("grade"), st.sampled_from(SOURCES), st.sampled_from([None, "B", "E3"])),
)
filters = st.builds(
    Filters, date_from=st.one_of(st.none(), DAY), date_to=st.one_of(st.none(), DAY),
    topics=st.lists(st.sampled_from(["t", "u"]), max_size=1).map(tuple),
    sources=st.lists(st.sampled_from(SOURCES), max_size=2, unique=True).map(tuple),
    text=st.sampled_from(["", "claim k1", "K"]),
)


def _base(con: duckdb.DuckDBPyConnection) -> None:
    """Three outlets, five of six documents, statements, events, claims and evidence on shared items."""
    with store.transaction(con, "test", "fixture") as audit:
        con.execute("insert into topics values ('t', 'T', null), ('u', 'U', null)")
        con.execute("insert into actors (actor_id, name, kind) values ('x', 'X', 'state')")
        for source in SOURCES:
            con.execute("insert into sources (source_id, name, kind) values (?, ?, 'wire')", [source, source.upper()])
        for i, doc in enumerate(DOCS[:5]):
            con.execute("insert into documents (document_id, source_id, published_on) values (?, ?, date '2024-01-02')",
                        [doc, SOURCES[i % 3]])
        for i, stmt in enumerate(STATEMENTS):
            con.execute("insert into statements (statement_id, stated_on, actor_id, topic_id, document_id) "
                        "values (?, date '2024-01-03', 'x', 't', ?)", [stmt, DOCS[i]])
        for event in EVENTS:
            con.execute("insert into events (event_id, occurred_on, event_type, title) values (?, date '2024-01-04', '01', 'e')", [event])
        con.execute("insert into event_documents values ('e0', 'd1')")
        for i, claim in enumerate(CLAIMS):
            con.execute("insert into claims (claim_id, claimed_on, document_id, topic_id, text) values (?, ?, ?, 't', ?)",
                        [claim, dt.date(2024, 1, 1 + i), DOCS[i % 5], f"claim {claim}"])
        # shared corroborating items, so that a later write of one claim decides another's first report
        con.execute("""insert into evidence (claim_id, relation, evidence_type, evidence_id) values
                       ('k0', 'corroborates', 'statement', 's0'), ('k1', 'corroborates', 'statement', 's0'),
                       ('k2', 'corroborates', 'statement', 's0'), ('k3', 'corroborates', 'event', 'e0'),
                       ('k4', 'corroborates', 'event', 'e0'), ('k1', 'corroborates', 'claim', 'k3'),
                       ('k4', 'contradicts', 'document', 'd2')""")
        for table in ("documents", "statements", "events", "event_documents", "claims", "evidence"):
            audit.wrote(table)


def _write(con: duckdb.DuckDBPyConnection, table: str, key: Any, values: Any) -> None:
    """One write as the edit forms make it: the row inserted, updated or deleted, and audited by its key."""
    if table == "grade":
        reliability.set_analyst_grade(con, key, values, None, who="analyst")
        return
    key = key if isinstance(key, tuple) else (key,)
    with store.transaction(con, "test", f"write {table}") as audit:
        before = rows.fetch(con, table, key)
        if table == "event_documents":
            values = {"event_id": key[0], "document_id": key[1]} if values and before is None else None
            if before is None and values is None:
                return
        if values is None:
            if before is None:
                return
            rows.delete(con, table, key)
        elif before is None:
            full = {**dict(zip(rows.KEYS[table], key, strict=True)), **values}
            if table == "claims":
                full["text"] = f"claim {key[0]}"
            rows.insert(con, table, full)
        elif table != "event_documents":
            rows.update(con, table, key, values)
        audit.row(table, rows.row_key(table, key), before, rows.fetch(con, table, key))


def _kept(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(f"select * from {judgements.TABLE} order by claim_id").df()


def _from_scratch(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(f"select * from ({judgements.judgement_sql()}) order by claim_id").df()


def _track_records_from_scratch(con: duckdb.DuckDBPyConnection, chosen: Filters) -> pd.DataFrame:
    """Each source's counts summed in pandas from every claim judged anew under the filters (claim_outcomes without newest)."""
    o = claim_status.claim_outcomes(con, chosen)
    # greatest(0, null) is 0 in SQL: a judged claim whose evidence has no known date counts 0 days
    days = (pd.to_datetime(o.first_outcome_on) - pd.to_datetime(o.claimed_on)).dt.days.fillna(0).clip(lower=0)
    per = pd.DataFrame({
        "source_id": o.source_id, "claims": 1, "corroborated": o.status == "corroborated", "contradicted": o.status == "contradicted",
        "contested": o.status == "contested", "open": o.status == "open", "days": days.where(o.status != "open"),
        "first_reports_corroborated": o.first_report,
    }).groupby("source_id").agg(claims=("claims", "sum"), corroborated=("corroborated", "sum"), contradicted=("contradicted", "sum"),
                                contested=("contested", "sum"), open=("open", "sum"), median_days_to_outcome=("days", "median"),
                                first_reports_corroborated=("first_reports_corroborated", "sum"))
    return per.reindex(SOURCES).fillna({c: 0 for c in per.columns if c != "median_days_to_outcome"})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(writes, min_size=1, max_size=12), chosen=filters)
def test_kept_judgements_equal_a_judgement_from_scratch(tmp_path: Path, steps: list, chosen: Filters) -> None:
    """After any writes of claims, evidence, documents, statements, events, links and grades, each audited by its key,
    the kept judgements are those of every claim judged anew, the kept sums per source are theirs, and a track record,
    filtered or not, equals the claims judged anew summed in pandas."""
    path = tmp_path / f"j{abs(hash(repr(steps)))}.duckdb"
    con = store.connect(path)
    try:
        _base(con)
        for table, key, values in steps:
            _write(con, table, key, values)
        pd.testing.assert_frame_equal(_kept(con), _from_scratch(con))
        pd.testing.assert_frame_equal(con.execute(f"select * exclude (derived_grade) from {judgements.TOTALS} order by source_id").df(),
                                      con.execute(f"select * from ({judgements.totals_sql()}) order by source_id").df())
        for under in (chosen, Filters()):  # the sums of every claim kept per source, and the judgements summed under a filter
            got = claim_status.source_track_records(con, under).set_index("source_id")
            want = _track_records_from_scratch(con, under)
            for column in want.columns:
                assert list(got.loc[SOURCES, column].astype(float).fillna(-1)) == list(want[column].astype(float).fillna(-1)), column
        # each source's letter kept with its sums is the one its track record earns
        records = reliability.track_records(con)
        assert dict(con.execute(f"select source_id, derived_grade from {judgements.TOTALS}").fetchall()) == {
            s: g for s, g, n in zip(records.source_id, records.derived_grade, records.claims, strict=True) if n}
        assert dict(zip(got.index, got.analyst_grade.fillna(""), strict=True)) == dict(
            con.execute("select source_id, coalesce(analyst_grade, '') from sources").fetchall())
    finally:
        con.close()
        path.unlink()


def test_a_write_of_other_tables_judges_nothing(seeded: duckdb.DuckDBPyConnection) -> None:
    """A grade or an acknowledgement leaves the judgements untouched; a write without row keys judges every claim."""
    before = _kept(seeded)
    seeded.execute(f"update {judgements.TABLE} set credibility = 0")  # a mark a refresh would overwrite
    reliability.set_analyst_grade(seeded, "nefes", "B", None, who="analyst")
    assert set(_kept(seeded).credibility) == {0}
    with store.transaction(seeded, "test", "rewrite evidence") as audit:
        audit.wrote("evidence")
    pd.testing.assert_frame_equal(_kept(seeded), before)


@pytest.mark.parametrize("evidence_id", ["https://x.example/claim/7", "s/statement/2"])
def test_an_evidence_key_splits_at_its_first_type(con: duckdb.DuckDBPyConnection, evidence_id: str) -> None:
    """An item id holding '/claim/' or '/statement/' (a URL) still names its claim: the deleted row's claim is judged anew."""
    _base(con)
    _write(con, "documents", "d5", {"source_id": "b", "published_on": dt.date(2024, 1, 2), "date_precision": "day",
                                    "cites_document_ids": []})
    with store.transaction(con, "test", "fixture") as audit:
        con.execute("update documents set document_id = ? where document_id = 'd5'", [evidence_id])
        audit.wrote("documents")
    _write(con, "evidence", ("k0", "document", evidence_id), {"relation": "corroborates", "noted_on": None})
    assert _kept(con).set_index("claim_id").status["k0"] == "corroborated"
    _write(con, "evidence", ("k0", "document", evidence_id), None)
    pd.testing.assert_frame_equal(_kept(con), _from_scratch(con))


def test_the_edit_forms_deletes_and_reverts_keep_the_seed_case_judged(seeded: duckdb.DuckDBPyConnection) -> None:
    """Deleting the ministry's statement (and the evidence citing it), reverting that, and moving a document to another
    outlet through the edit form: after each, the kept judgements are the seed case judged anew."""
    judged = _kept(seeded)
    assert dict(zip(judged.claim_id, judged.independent_contradicting, strict=True))["claim-nefes-buyback"] == 2
    delete.delete(seeded, "statements", ("stmt-msb-no-change",), "analyst", cascade=True)
    pd.testing.assert_frame_equal(_kept(seeded), _from_scratch(seeded))
    assert _kept(seeded).set_index("claim_id").status["claim-ria-no-return"] == "open"
    ids = [r[0] for r in seeded.execute("select audit_id from audit_log where action = 'delete statements'").fetchall()]
    revert.revert(seeded, revert.write_changes(seeded, ids), "analyst", "revert delete")
    pd.testing.assert_frame_equal(_kept(seeded), judged)
    form = records.values(seeded, "documents", ("nat-s400-2025-09",))
    records.save(seeded, "documents", {**form, "source_id": "ria"}, "analyst", new=False)
    moved = _kept(seeded)
    pd.testing.assert_frame_equal(moved, _from_scratch(seeded))
    assert not moved.equals(judged)


def test_a_claim_moved_to_another_outlet_moves_its_sums(seeded: duckdb.DuckDBPyConnection) -> None:
    """RIA's claim re-filed under a Nefes document (the edit form): both outlets' sums follow, the old one's row goes."""
    form = records.values(seeded, "claims", ("claim-ria-no-return",))
    records.save(seeded, "claims", {**form, "document_id": "nefes-2025-09-03"}, "analyst", new=False)
    totals = seeded.execute(f"select source_id, claims from {judgements.TOTALS} order by source_id").fetchall()
    assert ("nefes", 2) in totals and "ria" not in {s for s, _ in totals}
    pd.testing.assert_frame_equal(seeded.execute(f"select * exclude (derived_grade) from {judgements.TOTALS} order by source_id").df(),
                                  seeded.execute(f"select * from ({judgements.totals_sql()}) order by source_id").df())
