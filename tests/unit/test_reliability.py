"""Claim status, independence, the Beta-Binomial estimate, the letter thresholds, and the seed case."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.stats import beta

from lib import derived, store
from lib.filters import Filters
from lib.sources import claim_status, reliability


def _store(con, evidence: list[tuple[str, str, str, str]], cites: dict[str, list[str]] | None = None) -> None:
    """Sources a, b, c; documents da1, da2 (source a), db (b), dc (c); claim k1 in da1; statements s_<doc> in each doc."""
    cites = cites or {}
    with store.transaction(con, "test", "fixture"):
        con.execute("insert into topics values ('t', 'T', null)")
        con.execute("insert into actors (actor_id, name, kind) values ('x', 'X', 'state')")
        for src in "abc":
            con.execute("insert into sources (source_id, name, kind) values (?, ?, 'wire')", [src, src.upper()])
        for doc, src in (("da1", "a"), ("da2", "a"), ("db", "b"), ("dc", "c")):
            con.execute("insert into documents (document_id, source_id, published_on, cites_document_ids) values (?, ?, date '2024-01-02', ?)",
                        [doc, src, cites.get(doc, [])])
            con.execute("insert into statements (statement_id, stated_on, actor_id, topic_id, document_id) values (?, date '2024-01-05', 'x', 't', ?)",
                        [f"s_{doc}", doc])
        con.execute("insert into claims (claim_id, claimed_on, document_id, text) values ('k1', date '2024-01-01', 'da1', 'x')")
        for claim, relation, kind, ident in evidence:
            con.execute("insert into evidence (claim_id, relation, evidence_type, evidence_id) values (?, ?, ?, ?)", [claim, relation, kind, ident])


def _k1(con) -> dict:
    return claim_status.claim_outcomes(con).set_index("claim_id").loc["k1"].to_dict()


@pytest.mark.parametrize(("evidence", "status"), [
    ([], "open"),
    ([("k1", "corroborates", "statement", "s_db")], "corroborated"),
    ([("k1", "contradicts", "statement", "s_db")], "contradicted"),
    ([("k1", "corroborates", "statement", "s_db"), ("k1", "contradicts", "statement", "s_dc")], "contested"),
])
def test_status_from_evidence(con, evidence, status: str) -> None:
    """No evidence is open; one way is corroborated or contradicted; both ways is contested."""
    _store(con, evidence)
    assert _k1(con)["status"] == status


def test_self_corroboration_does_not_count(con) -> None:
    """Another document of the claim's own source corroborates, but not independently: credibility 6."""
    _store(con, [("k1", "corroborates", "document", "da2"), ("k1", "corroborates", "statement", "s_da2")])
    row = _k1(con)
    assert (row["status"], row["independent_corroborating"], row["credibility"]) == ("corroborated", 0, 6)


def test_a_relay_citing_the_claim_is_not_independent(con) -> None:
    """A document of another outlet that cites the claim's report only relays it; its first-hand statement still counts."""
    _store(con, [("k1", "corroborates", "document", "db")], cites={"db": ["da1"]})
    assert _k1(con)["independent_corroborating"] == 0
    con.execute("insert into evidence (claim_id, relation, evidence_type, evidence_id) values ('k1', 'corroborates', 'statement', 's_db')")
    assert _k1(con)["independent_corroborating"] == 1


def test_two_documents_of_one_outlet_count_once(con) -> None:
    """Independent witnesses are counted per outlet, not per document."""
    _store(con, [("k1", "corroborates", "statement", "s_db"), ("k1", "corroborates", "document", "db"),
                 ("k1", "corroborates", "statement", "s_dc")])
    row = _k1(con)
    assert (row["independent_corroborating"], row["credibility"]) == (2, 1)


@pytest.mark.parametrize(("ev", "credibility"), [
    ([("corroborates", "s_db")], 2),
    ([("corroborates", "s_db"), ("corroborates", "s_dc")], 1),
    ([("contradicts", "s_db")], 5),
    ([("corroborates", "s_db"), ("contradicts", "s_dc")], 4),
])
def test_credibility_rules(con, ev, credibility: int) -> None:
    """Credibility follows docs/GRADING.md: 1 confirmed by two outlets ... 5 contradicted only."""
    _store(con, [("k1", relation, "statement", ident) for relation, ident in ev])
    assert _k1(con)["credibility"] == credibility


@pytest.mark.parametrize(("s", "f"), [(0, 0), (1, 0), (3, 1), (10, 2), (0, 7)])
def test_estimate_matches_beta_quantiles(s: int, f: int) -> None:
    """Mean and 90 % interval are those of Beta(2 + s, 2 + f)."""
    mean, low, high = reliability.estimate(s, f)
    a, b = 2 + s, 2 + f
    assert mean == pytest.approx(a / (a + b))
    assert low == pytest.approx(beta.ppf(0.05, a, b)) and high == pytest.approx(beta.ppf(0.95, a, b))


@pytest.mark.parametrize(("judged", "mean", "low", "high", "expected"), [
    (2, 0.99, 0.95, 1.0, "F"), (3, 0.9, 0.80, 0.95, "A"), (3, 0.9, 0.7999, 0.95, "B"), (5, 0.8, 0.60, 0.9, "B"),
    (5, 0.7, 0.5999, 0.9, "C"), (5, 0.50, 0.3, 0.7, "C"), (5, 0.4999, 0.2, 0.7, "D"), (9, 0.2, 0.05, 0.35, "D"),
    (9, 0.2, 0.05, 0.3499, "E"),
])
def test_letter_thresholds_at_their_edges(judged, mean, low, high, expected) -> None:
    """Each threshold is inclusive at its edge; under three judged claims is always F."""
    assert reliability.letter(judged, mean, low, high) == expected


def test_many_good_claims_earn_an_a() -> None:
    """Twenty corroborated claims and none contradicted give A; one good claim gives F."""
    mean, low, high = reliability.estimate(20, 0)
    assert reliability.letter(20, float(mean), float(low), float(high)) == "A"
    assert reliability.letter(1, *map(float, reliability.estimate(1, 0))) == "F"


def test_seed_case_grades(seeded) -> None:
    """Nefes: one claim, contradicted by two outlets, grade F; RIA Novosti: one corroborated claim."""
    report = {r["source_id"]: r for r in reliability.source_report(seeded)}
    assert (report["nefes"]["claims"], report["nefes"]["contradicted"], report["nefes"]["grade_in_force"]) == (1, 1, "F")
    assert (report["ria"]["claims"], report["ria"]["corroborated"]) == (1, 1)
    outcomes = claim_status.claim_outcomes(seeded).set_index("claim_id")
    assert outcomes.loc["claim-nefes-buyback", "independent_contradicting"] == 2
    assert reliability.grade_labels(seeded)["nefes"] == "Nefes (F)"


def test_analyst_grade_overrides_and_is_audited(seeded) -> None:
    """Setting B2 on Nefes puts B2 in force beside the derived F, audited; clearing restores F."""
    reliability.set_analyst_grade(seeded, "nefes", "b2", "long record elsewhere", who="analyst")
    row = {r["source_id"]: r for r in reliability.source_report(seeded)}["nefes"]
    assert (row["grade_in_force"], row["derived_grade"], row["grade_note"]) == ("B2", "F", "long record elsewhere")
    audit = seeded.execute("select before ->> 'analyst_grade', after ->> 'analyst_grade' from audit_log where who = 'analyst'").fetchall()
    assert audit == [(None, "B2")]
    reliability.set_analyst_grade(seeded, "nefes", None, None, who="analyst")
    assert {r["source_id"]: r for r in reliability.source_report(seeded)}["nefes"]["grade_in_force"] == "F"
    with pytest.raises(ValueError):
        reliability.set_analyst_grade(seeded, "nefes", "G7", None, who="analyst")


def test_date_filter_limits_which_claims_count(seeded) -> None:
    """Claims outside the date range do not count toward the track record."""
    table = reliability.build_table(seeded, Filters(date_to=__import__("datetime").date(2025, 9, 2)))
    assert list(table.source) == ["RIA Novosti"]


def test_newest_keeps_the_latest_claims_in_date_order(seeded) -> None:
    """newest=N returns the last N rows of the full, date-ordered list (what Overview and Sources list)."""
    every = claim_status.claim_outcomes(seeded)
    newest = claim_status.claim_outcomes(seeded, newest=1)
    assert len(every) > 1
    assert list(newest.claim_id) == list(every.claim_id.iloc[-1:])


def test_chart_names_the_most_judged_sources_where_the_names_fit() -> None:
    """Names go on the plot for at most the 15 most-judged sources and never run over each other; hover names every one."""
    import pandas as pd

    from lib import charts

    n = 40
    df = pd.DataFrame({"name": [f"outlet {i}" for i in range(n)], "judged": range(n), "mean": 0.5, "low": 0.3, "high": 0.7,
                       "grade_in_force": "C", "derived_grade": "C", "claims": range(n, 2 * n)})

    def named(frame: pd.DataFrame) -> list[int]:
        fig = charts.reliability_figure(frame, "all dates", "source line")
        assert sum(len(trace.hovertext) for trace in fig.data) == n
        return sorted(int(t.split()[1]) for trace in fig.data for t in trace.text if t)

    # one height: a name is 11 characters, ~5 claims wide on this axis, so only every fifth or so fits
    in_a_row = named(df)
    assert 39 in in_a_row and 2 < len(in_a_row) < 6
    assert all(b - a >= 5 for a, b in itertools.pairwise(in_a_row))
    # spread over the height, the 15 most-judged all fit
    assert named(df.assign(mean=[(i % 15) * 0.066 for i in range(n)])) == list(range(n - charts.LABELLED_SOURCES, n))


def test_derived_letters_equal_the_letter_of_every_estimate() -> None:
    """The letters computed only where MIN_JUDGED is reached are the letters of the full estimate, for every count pair."""
    pairs = [*itertools.product(range(40), range(40)), (400, 100), (100, 400), (1000, 3), (3, 1000), (250, 250)]
    good, bad = (np.array(side) for side in zip(*pairs, strict=True))
    mean, low, high = reliability.estimate(good, bad)
    want = [reliability.letter(int(g + b), m, lo, hi) for g, b, m, lo, hi in zip(good, bad, mean, low, high, strict=True)]
    assert reliability.derived_letters(good, bad) == want
    assert set(want) == set("ABCDEF")


def test_grades_of_some_sources_are_those_of_every_source(seeded) -> None:
    """The Timeline's grades of its rows' sources (the letters kept with the sums) equal the grades in force from every
    source's track record, with analyst grades, sources without claims and sums of every size (rewritten at random)."""
    rng = np.random.default_rng(7)
    with store.transaction(seeded, "test", "more sources"):
        for i in range(60):
            seeded.execute("insert into sources (source_id, name, kind, analyst_grade) values (?, ?, 'wire', ?)",
                           [f"x{i}", f"X{i}", "B2" if i % 7 == 0 else None])
    seeded.execute("insert into source_judgement_totals select source_id, 0, 0, 0, 0, 0, null, 0, null from sources "
                   "where source_id like 'x%' and source_id not in ('x1', 'x2')")
    for (source_id,) in seeded.execute("select source_id from source_judgement_totals").fetchall():
        seeded.execute("update source_judgement_totals set corroborated = ?, contradicted = ?, derived_grade = null "
                       "where source_id = ?", [int(rng.integers(0, 30)), int(rng.integers(0, 30)), source_id])
    derived.letter_totals(seeded)  # as a write letters the sums it made anew
    every = reliability.grades_in_force(seeded)
    assert len(set(every.values())) >= 4
    assert reliability.grades_of(seeded, sorted(every)) == every
    assert reliability.grades_of(seeded, ["x1", "x7", "nefes", "gone"]) == {k: every[k] for k in ("x1", "x7", "nefes")}
