"""The extractor measured on the labelled articles of tests/data/capture (issue 12's targets)."""

from __future__ import annotations

import duckdb
import pytest

from lib.capture import scoring
from tests.capture_support import ARTICLES, add_capture_actors


@pytest.fixture(scope="module")
def scores(seed_store_file, tmp_path_factory) -> scoring.Scores:
    """Every labelled article (dev and holdout) run once against the seed store plus the set's actors and sources."""
    import shutil

    from lib import store

    path = tmp_path_factory.mktemp("quality") / "store.duckdb"
    shutil.copy(seed_store_file, path)
    con: duckdb.DuckDBPyConnection = store.connect(path)
    try:
        return scoring.score(add_capture_actors(con), scoring.load_cases(ARTICLES))
    finally:
        con.close()


def test_labelled_set_shape() -> None:
    """At least 20 articles, English and Turkish alike, about a third held out."""
    cases = scoring.load_cases(ARTICLES)
    languages = [c.expected["language"] for c in cases]
    holdout = [c for c in cases if c.expected["split"] == "holdout"]
    assert len(cases) >= 20
    assert languages.count("en") >= 10 and languages.count("tr") >= 10
    assert 0.25 <= len(holdout) / len(cases) <= 0.4


@pytest.mark.parametrize("language", ["all", "en", "tr"])
@pytest.mark.parametrize("kind", ["statements", "claims"])
def test_recall_of_statements_and_claims(scores: scoring.Scores, kind: str, language: str) -> None:
    """Recall is at least 0.9 for statements and claims, in each language."""
    tally = scores.get(kind, language)
    assert tally.expected > 0
    assert tally.recall >= 0.9, scores.misses


@pytest.mark.parametrize("kind", scoring.KINDS)
def test_precision_per_kind(scores: scoring.Scores, kind: str) -> None:
    """Precision is at least 0.8 for every item kind."""
    tally = scores.get(kind)
    assert tally.proposed > 0
    assert tally.precision >= 0.8, scores.misses


def test_scoring_counts_a_wrong_proposal_against_precision() -> None:
    """The matcher is one-to-one: a proposal matching nothing, or a second copy, is not right."""
    right, missed, extra = scoring._match([("a", 1), ("a", 1), ("b", 2)], [("a", 1), ("c", 3)], scoring._equal)
    assert (right, missed, extra) == (1, [("c", 3)], [("a", 1), ("b", 2)])
