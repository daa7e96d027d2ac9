"""Claim outcomes against a plain-Python reading of docs/GRADING.md, on random small stores.

The SQL in `claim_status._EVIDENCE_WITNESS` is shaped for speed (one read of the
claims, distinct outlets counted by grouping, first reports paired only on
shared items); this test holds it to the rules as written, whatever the shape.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib import store
from lib.sources import claim_status

SOURCES = ["a", "b", "c"]
DOCS = {f"d{i}": SOURCES[i % 3] for i in range(6)}
CLAIMS = [f"k{i}" for i in range(4)]
STATEMENTS = [f"s{i}" for i in range(4)]

stores = st.fixed_dictionaries({
    "claim_doc": st.fixed_dictionaries({k: st.sampled_from(sorted(DOCS)) for k in CLAIMS}),
    "claim_day": st.fixed_dictionaries({k: st.integers(1, 5) for k in CLAIMS}),
    "statement_doc": st.fixed_dictionaries({s: st.sampled_from(sorted(DOCS)) for s in STATEMENTS}),
    "cites": st.fixed_dictionaries({d: st.lists(st.sampled_from(sorted(DOCS)), max_size=2, unique=True) for d in DOCS}),
    "evidence": st.lists(
        st.tuples(st.sampled_from(CLAIMS), st.sampled_from(["corroborates", "contradicts"]),
                  st.one_of(st.tuples(st.just("statement"), st.sampled_from(STATEMENTS)),
                            st.tuples(st.just("document"), st.sampled_from(sorted(DOCS))),
                            st.tuples(st.just("claim"), st.sampled_from(CLAIMS)))),
        max_size=10, unique_by=lambda e: (e[0], e[2]),
    ),
})


def _load(con: duckdb.DuckDBPyConnection, case: dict) -> None:
    with store.transaction(con, "test", "fixture"):
        con.execute("insert into topics values ('t', 'T', null)")
        con.execute("insert into actors (actor_id, name, kind) values ('x', 'X', 'state')")
        for source in SOURCES:
            con.execute("insert into sources (source_id, name, kind) values (?, ?, 'wire')", [source, source.upper()])
        for doc, source in DOCS.items():
            con.execute("insert into documents (document_id, source_id, published_on, cites_document_ids) values (?, ?, date '2024-01-01', ?)",
                        [doc, source, case["cites"][doc]])
        for stmt, doc in case["statement_doc"].items():
            con.execute("insert into statements (statement_id, stated_on, actor_id, topic_id, document_id) values (?, date '2024-01-09', 'x', 't', ?)",
                        [stmt, doc])
        for claim in CLAIMS:
            con.execute("insert into claims (claim_id, claimed_on, document_id, text) values (?, ?, ?, 'x')",
                        [claim, dt.date(2024, 1, case["claim_day"][claim]), case["claim_doc"][claim]])
        for claim, relation, (kind, ident) in case["evidence"]:
            con.execute("insert into evidence (claim_id, relation, evidence_type, evidence_id) values (?, ?, ?, ?)", [claim, relation, kind, ident])


def _expected(case: dict) -> dict[str, tuple]:
    """(status, independent corroborating outlets, independent contradicting outlets, first report) per claim."""
    source_of_claim = {k: DOCS[d] for k, d in case["claim_doc"].items()}

    def witness_doc(kind: str, ident: str) -> str:
        return {"statement": case["statement_doc"].get(ident), "document": ident, "claim": case["claim_doc"].get(ident)}[kind]

    result = {}
    for claim in CLAIMS:
        rows = [(rel, kind, ident) for k, rel, (kind, ident) in case["evidence"] if k == claim]
        independent: dict[str, set[str]] = {"corroborates": set(), "contradicts": set()}
        for rel, kind, ident in rows:
            doc = witness_doc(kind, ident)
            relay = kind in ("document", "claim") and case["claim_doc"][claim] in case["cites"][doc]
            if DOCS[doc] != source_of_claim[claim] and not relay:
                independent[rel].add(DOCS[doc])
        ways = {rel for rel, _, _ in rows}
        status = ("contested" if len(ways) == 2 else "corroborated" if ways == {"corroborates"}
                  else "contradicted" if ways == {"contradicts"} else "open")
        items = {(kind, ident) for rel, kind, ident in rows if rel == "corroborates"}
        rivals = [k for k, rel, item in case["evidence"] if rel == "corroborates" and item in items]
        first = status == "corroborated" and all(
            case["claim_day"][claim] <= case["claim_day"][other] or source_of_claim[claim] == source_of_claim[other] for other in rivals
        )
        result[claim] = (status, len(independent["corroborates"]), len(independent["contradicts"]), first)
    return result


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=stores)
def test_outcomes_follow_the_written_rules(tmp_path: Path, case: dict) -> None:
    """Status, independent outlets and first report agree with the reference for any small store."""
    path = tmp_path / f"p{abs(hash(repr(case)))}.duckdb"
    con = store.connect(path)
    try:
        _load(con, case)
        got = claim_status.claim_outcomes(con).set_index("claim_id")
        actual = {k: (r.status, int(r.independent_corroborating), int(r.independent_contradicting), bool(r.first_report))
                  for k, r in got.iterrows()}
        # judging only some claims (what a page shows) gives them the credibility the whole-store judgement gives
        some = CLAIMS[::2]
        assert claim_status.claim_credibility(con, some) == {k: int(got.credibility[k]) for k in some}
        # the newest claims alone (the Overview's list) are judged as the whole store judges them, first reports included
        pd.testing.assert_frame_equal(claim_status.claim_outcomes(con, newest=2).set_index("claim_id"), got.iloc[-2:])
    finally:
        con.close()
        path.unlink()
    assert actual == _expected(case)
