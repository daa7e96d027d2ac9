"""Position wording in claims and how a statement bears on a claim."""

from __future__ import annotations

import duckdb
import pytest

from lib.capture.known import load
from lib.capture.positions import asserted_position, relation


@pytest.mark.parametrize(("claim", "position"), [
    ("Russia approached Ankara about taking back the S-400 systems", "return_or_sell"),
    ("Ankara has no plans to return or sell the systems", "retain"),
    ("Türkiye sistemleri bir Körfez ülkesine satmayı değerlendiriyor", "return_or_sell"),
    ("Russian technicians will service the S-400 systems", ""),
])
def test_claim_wording_names_a_position(seeded: duckdb.DuckDBPyConnection, claim: str, position: str) -> None:
    """Label words and synonyms name a position; a negation before them names the opposite; topic words name none."""
    assert asserted_position(load(seeded), "s400", claim) == position


@pytest.mark.parametrize(("stance", "reading", "claim_polarity", "claim_position", "expected"), [
    ("denies", "", "asserts", "", "contradicts"),
    ("denies", "", "denies", "", "corroborates"),
    ("confirms", "", "asserts", "", "corroborates"),
    ("no change", "retain", "asserts", "return_or_sell", "contradicts"),
    ("no change", "retain", "denies", "retain", "corroborates"),
    ("no change", "", "asserts", "", ""),
    (None, "", "asserts", "return_or_sell", ""),
])
def test_relation(stance, reading, claim_polarity, claim_position, expected) -> None:
    """A denial contradicts a report of change; 'no change' answers only reports that name a position."""
    assert relation(stance, reading, claim_polarity, claim_position) == expected
