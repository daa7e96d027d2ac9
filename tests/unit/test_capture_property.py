"""Any text at all gives proposals whose spans lie inside it, and a bundle the review can build."""

from __future__ import annotations

import datetime as dt

import duckdb
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from lib.capture import extract, known, review, text

WORDS = ("said", "according to", "reported", "Nefes", "RIA Novosti", "Turkey", "Türkiye", "MSB", "dedi", "açıkladı",
         "göre", "Thursday", "perşembe", "3 Eylül", "December 2017", "signed", "denied", '"no change in our position"',
         "Ministry", "The", ",", ".", "\n", "“", "”", "'", "Ivan Petrov")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pieces=st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=12)), max_size=60),
       published=st.one_of(st.none(), st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 12, 31))))
@example(pieces=["said", "Nefes"], published=dt.date(2028, 1, 1))  # a publication date past what the store holds
def test_any_text_gives_spans_inside_it(seeded: duckdb.DuckDBPyConnection, pieces: list[str], published) -> None:
    """propose() never fails on odd text; every span indexes the text; the review builds a bundle from it."""
    proposals = extract.propose(seeded, text.from_paste(" ".join(pieces)), published=published)
    for kind in ("statements", "claims", "evidence", "events", "new_actors"):
        for item in getattr(proposals, kind):
            assert 0 <= item.start < item.end <= len(proposals.text)
    frames = review.review_frames(proposals, review.Choices(known.load(seeded), proposals))
    tables = review.bundle_tables(proposals, frames)
    assert set(tables) <= set(review.BUNDLE_COLUMNS)
