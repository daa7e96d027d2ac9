"""Grading outlets by what became of their claims: claim status, credibility, reliability estimate, Admiralty letter.

A source's reliability is the chance that one of its judged claims is borne
out. With ``s`` corroborated and ``f`` contradicted claims and a Beta(2, 2)
prior (mildly sceptical of extremes, centred on 50 %), the posterior is
Beta(2 + s, 2 + f); we report its mean and 90 % credible interval. The letter
comes from that interval, never from the mean alone, so two lucky claims do not
make a source "A". Contested claims (evidence both ways) are not judged.
docs/GRADING.md explains the rules with the seed case worked through.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from lib import access, catalog, charts, store
from lib.caching import Cache, direct
from lib.filters import Filters
from lib.sources import claim_status, judgements

PRIOR_A, PRIOR_B = 2.0, 2.0
INTERVAL = 0.90
MIN_JUDGED = 3
CREDIBILITY = {
    1: "confirmed by other sources", 2: "probably true", 3: "possibly true", 4: "doubtful", 5: "improbable",
    6: "truth cannot be judged",
}


def grade_phrase(grade: str | None) -> str:
    """A grade in words with its code: 'usually reliable (B)', 'not yet judged, possibly true (F3)'; 'not graded'."""
    if not isinstance(grade, str) or not grade:
        return "not graded"
    words = charts.grade_words(grade)
    if len(grade) > 1 and grade[1:].isdigit():
        words += f", {CREDIBILITY.get(int(grade[1:]), '')}"
    return f"{words} ({grade})"


def credibility_phrase(level: int) -> str:
    """A claim's credibility in words with its number: 'possibly true (3)'."""
    return f"{CREDIBILITY.get(int(level), 'truth cannot be judged')} ({int(level)})"


def estimate(corroborated: np.ndarray | int, contradicted: np.ndarray | int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Posterior mean and 90 % credible interval (low, high) of the Beta-Binomial model, vectorised.

    The interval is the Beta quantile (``scipy.stats.beta.ppf``, which is ``betaincinv``), imported here from
    scipy.special: scipy.stats costs about a second on the app's first load, which most pages do not need.
    """
    from scipy.special import betaincinv

    a = PRIOR_A + np.asarray(corroborated, dtype=float)
    b = PRIOR_B + np.asarray(contradicted, dtype=float)
    tail = (1 - INTERVAL) / 2
    return a / (a + b), betaincinv(a, b, tail), betaincinv(a, b, 1 - tail)


def letter(judged: int, mean: float, low: float, high: float) -> str:
    """The Admiralty reliability letter from the number of judged claims and the credible interval.

    F under MIN_JUDGED judged claims (unknown, not bad); A when even the
    interval's low end is at least 0.80; B from 0.60; C when the mean is at
    least 0.50; D when the interval's high end still reaches 0.35; E below.
    """
    if judged < MIN_JUDGED:
        return "F"
    if low >= 0.80:
        return "A"
    if low >= 0.60:
        return "B"
    if mean >= 0.50:
        return "C"
    if high >= 0.35:
        return "D"
    return "E"


def derived_letters(corroborated: np.ndarray, contradicted: np.ndarray) -> list[str]:
    """The derived letter of each source from its corroborated and contradicted claims (:func:`letter`).

    The interval (scipy) is computed only for sources with MIN_JUDGED judged claims or more, the others being F
    whatever it says. lib/derived.py keeps each source's letter with its sums this way (:func:`grades_of` reads it).
    """
    corroborated, contradicted = np.asarray(corroborated, dtype=float), np.asarray(contradicted, dtype=float)
    judged = corroborated + contradicted
    letters = ["F"] * len(judged)
    sure = np.flatnonzero(judged >= MIN_JUDGED)
    if len(sure):
        for i, m, lo, hi in zip(sure, *estimate(corroborated[sure], contradicted[sure]), strict=True):
            letters[i] = letter(int(judged[i]), m, lo, hi)
    return letters


def in_force(analyst: pd.Series, derived: list[str]) -> list[str]:
    """The grade in force: the analyst's where one is set, else the derived letter."""
    return [a if isinstance(a, str) and a else d for a, d in zip(analyst, derived, strict=True)]


def track_records(con: duckdb.DuckDBPyConnection, filters: Filters | None = None) -> pd.DataFrame:
    """Every source's track record with estimate, interval, derived and analyst grades (the Sources table)."""
    df = claim_status.source_track_records(con, filters)
    df["judged"] = df.corroborated + df.contradicted
    df["mean"], df["low"], df["high"] = estimate(df.corroborated.to_numpy(), df.contradicted.to_numpy())
    df["derived_grade"] = [letter(j, m, lo, hi) for j, m, lo, hi in zip(df.judged, df["mean"], df.low, df.high, strict=True)]
    df["grade_in_force"] = in_force(df.analyst_grade, list(df.derived_grade))
    return df


def source_grades(con: duckdb.DuckDBPyConnection, cache: Cache = direct) -> pd.DataFrame:
    """source_id, name, grade_in_force, derived_letter, analyst_grade and a label like 'Nefes (F)', for other pages.

    Through ``cache`` it shares the Sources page's track record of every source under no filter (one sum of the
    kept judgements per data version for every page, not two).
    """
    df = cache(track_records)(con, Filters())
    return pd.DataFrame({
        "source_id": df.source_id, "name": df.name, "grade_in_force": df.grade_in_force, "derived_letter": df.derived_grade,
        "analyst_grade": df.analyst_grade, "label": [f"{n} ({g})" for n, g in zip(df.name, df.grade_in_force, strict=True)],
    })


def grade_labels(con: duckdb.DuckDBPyConnection, cache: Cache = direct) -> dict[str, str]:
    """'Nefes (F)' by source id: how every page names a source."""
    grades = cache(source_grades)(con)  # sums every claim's kept judgement: once per data version for all pages
    return dict(zip(grades.source_id, grades.label, strict=True))


def grades_in_force(con: duckdb.DuckDBPyConnection, cache: Cache = direct) -> dict[str, str]:
    """The grade in force ('F', 'B2') by source id."""
    grades = cache(source_grades)(con)
    return dict(zip(grades.source_id, grades.grade_in_force, strict=True))


def grades_of(con: duckdb.DuckDBPyConnection, source_ids: list[str]) -> dict[str, str]:
    """The grade in force ('F', 'B2') of these sources alone, by id: what the Timeline's rows show.

    The analyst's grade, else the letter the store keeps with each source's sums (``source_judgement_totals``,
    lettered by :func:`derived_letters` at write time), else F (no claims): the grades of :func:`grades_in_force`,
    read for the few hundred sources of the Timeline's first screen instead of estimating all 10,000 with scipy
    (0.30 s CPU at 10M events, half of it importing scipy).
    """
    return dict(con.execute(
        f"""select s.source_id, coalesce(nullif(s.analyst_grade, ''), t.derived_grade, 'F')
            from sources s left join {judgements.TOTALS} t using (source_id)
            where s.source_id in (select unnest(?::varchar[]))""", [list(source_ids)]).fetchall())


def source_report(con: duckdb.DuckDBPyConnection) -> Iterator[dict[str, Any]]:
    """What the Sources page shows, one object per source (CLI `report sources --json`, docs/CLI.md), yielded as built
    so that the CLI writes each as it comes."""
    for r in track_records(con).itertuples(index=False):
        yield {
            "source_id": r.source_id, "name": r.name, "kind": r.kind, "country": _text(r.country),
            "claims": int(r.claims), "corroborated": int(r.corroborated), "contradicted": int(r.contradicted),
            "contested": int(r.contested), "open": int(r.open), "judged": int(r.judged),
            "estimate": {"mean": round(float(r.mean), 4), "low": round(float(r.low), 4), "high": round(float(r.high), 4),
                         "interval": INTERVAL, "prior": [PRIOR_A, PRIOR_B]},
            "derived_grade": r.derived_grade, "analyst_grade": _text(r.analyst_grade), "grade_in_force": r.grade_in_force,
            "grade_note": _text(r.grade_note),
            "median_days_to_outcome": None if pd.isna(r.median_days_to_outcome) else float(r.median_days_to_outcome),
            "first_reports_corroborated": int(r.first_reports_corroborated),
        }


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def listed(records: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """The sources the page lists of ``track_records``: those with claims under the filters, or those the filters name."""
    return records[records.source_id.isin(filters.sources)] if filters.sources else records[records.claims > 0]


def build_table(con: duckdb.DuckDBPyConnection, filters: Filters, cache: Cache = direct) -> pd.DataFrame:
    """The Sources table under the filters: sources with claims (or named in the filters), grades and estimate."""
    return table_of(listed(cache(track_records)(con, filters), filters))


def table_of(df: pd.DataFrame) -> pd.DataFrame:
    """The Sources table's columns for these rows of ``track_records`` (the whole list, or the part the page shows)."""
    return pd.DataFrame({
        "source": df.name, "grade": df.grade_in_force,
        "derived": df.derived_grade, "analyst": df.analyst_grade.fillna(""),
        "estimate": df["mean"].round(2), "90% interval": [f"{lo:.2f}–{hi:.2f}" for lo, hi in zip(df.low, df.high, strict=True)],
        "claims": df.claims, "judged": df.judged, "corroborated": df.corroborated, "contradicted": df.contradicted,
        "contested": df.contested, "open": df.open, "median days to outcome": df.median_days_to_outcome,
        "first reports corroborated": df.first_reports_corroborated, "kind": df.kind, "country": df.country.fillna(""),
        "source_id": df.source_id,
    })


def build_chart(con: duckdb.DuckDBPyConnection, filters: Filters, cache: Cache = direct) -> go.Figure:
    """Reliability estimate with its 90 % interval against the number of judged claims, one point per source."""
    return chart_of(con, listed(cache(track_records)(con, filters), filters), filters)


def chart_of(con: duckdb.DuckDBPyConnection, df: pd.DataFrame, filters: Filters, note: str = "") -> go.Figure:
    """The reliability chart of these rows of ``track_records``; ``note`` (which part of the list they are) joins the subtitle."""
    footer = charts.source_line(int(df.claims.sum()), len(df), catalog.data_as_of(con),
                                list(df.sort_values(["claims", "name"], ascending=[False, True]).name))
    subtitle = filters.describe(catalog.names(con))
    return charts.reliability_figure(df, f"{subtitle} · {note}" if note else subtitle, footer)


def set_analyst_grade(con: duckdb.DuckDBPyConnection, source_id: str, grade: str | None, note: str | None,
                      who: access.Actor) -> None:
    """Set (or clear, with None) the analyst's grade of a source with a note; audited with before and after."""
    who = access.require(who, access.WRITE, "grade sources")
    grade = (grade or "").strip().upper() or None
    if grade is not None and not (len(grade) in (1, 2) and grade[0] in "ABCDEF" and (len(grade) == 1 or grade[1] in "123456")):
        raise ValueError(f"'{grade}' is not a grade: a letter A–F, optionally followed by a digit 1–6")
    note = (note or "").strip() or None

    def write() -> None:  # reads inside its turn: a retry after a collision sees the other write's result
        with store.transaction(con, who, "set analyst grade" if grade else "clear analyst grade") as audit:
            rows = con.execute("select analyst_grade, grade_note from sources where source_id = ?", [source_id]).fetchall()
            if not rows:
                raise KeyError(f"no source {source_id!r}")
            con.execute("update sources set analyst_grade = ?, grade_note = ? where source_id = ?", [grade, note, source_id])
            audit.row("sources", source_id, {"analyst_grade": rows[0][0], "grade_note": rows[0][1]},
                      {"analyst_grade": grade, "grade_note": note})

    store.retry_on_conflict(write)
