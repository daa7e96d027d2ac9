"""Capture extraction: dates against the publication date, actor matching, no common word as an actor,
the no-change position on record, duplicates, and the commit writing exactly the preview."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from lib.capture import commit, extract, review, text
from lib.capture.known import load
from lib.capture.names import tokens
from lib.capture.when import find_dates
from lib.ingest.report import ImportRefused
from lib.store import table_counts
from tests.capture_support import add_capture_actors

FRIDAY = dt.date(2025, 9, 5)


@pytest.fixture
def cap(seeded: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """The seed store plus the labelled set's actors and sources."""
    return add_capture_actors(seeded)


@pytest.mark.parametrize(("phrase", "language", "value"), [
    ("said on Thursday", "en", "2025-09-04"),
    ("reported on September 3 that", "en", "2025-09-03"),
    ("last month", "en", "2025-08"),
    ("signed in December 2017", "en", "2017-12"),
    ("in 2019", "en", "2019"),
    ("perşembe günü", "tr", "2025-09-04"),
    ("3 Eylül'de", "tr", "2025-09-03"),
    ("Aralık 2017'de", "tr", "2017-12"),
    ("2017 yılının Aralık ayında", "tr", "2017-12"),
    ("geçen ay", "tr", "2025-08"),
    ("on Friday", "en", "2025-09-05"),
])
def test_dates_resolve_against_publication_date(phrase: str, language: str, value: str) -> None:
    """Relative and partial dates resolve against the publication date, no more precisely than written."""
    found = find_dates(phrase, 0, len(phrase), FRIDAY, language)
    assert [d.value for d in found] == [value]


def test_relative_date_without_publication_date_is_not_guessed() -> None:
    """'Thursday' with no publication date gives no date; 'December 2017' still does."""
    assert find_dates("on Thursday", 0, 11, None, "en") == []
    assert [d.value for d in find_dates("in December 2017", 0, 16, None, "en")] == ["2017-12"]


@pytest.mark.parametrize("phrase", [
    "Turkish Defence Ministry", "Turkish Defense Ministry", "Turkey's defence ministry", "TURKISH DEFENCE MINISTRY",
    "Milli Savunma Bakanlığı", "Milli Savunma Bakanlığından", "MSB'nin", "Ministry of National Defense",
])
def test_ministry_spelling_variants(cap: duckdb.DuckDBPyConnection, phrase: str) -> None:
    """Spelling, diacritics, possessive and Turkish suffix variants all name the ministry."""
    mentions = load(cap).actor_names.find(tokens(phrase))
    assert [m.ident for m in mentions] == ["TUR-MSB"]


@pytest.mark.parametrize(("phrase", "actor"), [("Türkiye", "TUR"), ("Turkiye", "TUR"), ("Erdoğan'ın", "TUR-ERDOGAN"),
                                               ("Erdogan", "TUR-ERDOGAN"), ("a Turkish source", "TUR-ANON")])
def test_country_and_person_variants(cap: duckdb.DuckDBPyConnection, phrase: str, actor: str) -> None:
    """Türkiye/Turkey, missing diacritics and apostrophe suffixes match the known actor."""
    assert [m.ident for m in load(cap).actor_names.find(tokens(phrase))] == [actor]


def test_common_words_never_become_actors(cap: duckdb.DuckDBPyConnection) -> None:
    """Capitalised ordinary words next to speech verbs are not proposed as actors; an unknown name is, as 'new'."""
    article = text.from_paste("Officials said on Thursday that talks went well. The Minister said nothing new. "
                              "However, Analysts said the deal is off. He said it again. "
                              "Ivan Petrov said on Friday that the systems stay.")
    proposals = extract.propose(cap, article, source_id="nat", published=FRIDAY)
    assert [a.name for a in proposals.new_actors] == ["Ivan Petrov"]
    assert {s.actor_id for s in proposals.statements} == {proposals.new_actors[0].actor_id}


def test_he_and_the_ministry_stand_for_the_last_named(cap: duckdb.DuckDBPyConnection) -> None:
    """'He added' is the person named just before; 'the ministry said' the ministry named before it."""
    article = text.from_paste("Foreign Minister Hakan Fidan said on Thursday that talks on the S-400 went well. "
                              "He added that no decision had been taken. The Turkish Foreign Ministry issued a note. "
                              "The ministry said on Friday that the S-400 systems stay.")
    proposals = extract.propose(cap, article, source_id="reuters", published=FRIDAY)
    assert [(s.actor_id, s.stated_on) for s in proposals.statements] == [
        ("TUR-FIDAN", "2025-09-04"), ("TUR-FIDAN", "2025-09-04"), ("TUR-MFA", "2025-09-05")]


def test_no_change_proposes_the_position_on_record_through_the_parent_line(cap: duckdb.DuckDBPyConnection) -> None:
    """A self-declared 'no change' by an actor with no statements takes its parent's latest position."""
    cap.execute("insert into statements (statement_id, stated_on, date_precision, actor_id, topic_id, position_code, quote)"
                " values ('stmt-mfa-old', date '2024-01-01', 'day', 'TUR-MFA', 's400', 'retain', 'We keep them')")
    article = text.from_paste('"There is no change in our position on the S-400s," Foreign Minister Hakan Fidan said on Thursday.')
    proposals = extract.propose(cap, article, source_id="reuters", published=FRIDAY)
    [statement] = proposals.statements
    assert (statement.actor_id, statement.self_declared, statement.position_code) == ("TUR-FIDAN", True, "retain")
    assert "stmt-mfa-old" in statement.position_reason


def test_without_no_change_the_position_is_left_to_the_analyst(cap: duckdb.DuckDBPyConnection) -> None:
    """A statement that does not declare continuity gets no proposed position."""
    article = text.from_paste("Foreign Minister Hakan Fidan said on Thursday that talks would continue.")
    [statement] = extract.propose(cap, article, source_id="reuters", published=FRIDAY).statements
    assert statement.position_code == "" and not statement.self_declared


def test_topic_is_the_best_match(cap: duckdb.DuckDBPyConnection) -> None:
    """The article's words pick the topic; an unrelated text gets none."""
    cap.execute("insert into topics values ('grain', 'Black Sea grain corridor', 'Grain exports through the Black Sea')")
    grain = extract.propose(cap, text.from_paste("Grain exports through the Black Sea corridor resumed."), source_id="nat")
    s400 = extract.propose(cap, text.from_paste("The S-400 systems stay in Turkey."), source_id="nat")
    assert (grain.topic_id, s400.topic_id) == ("grain", "s400")


def test_unknown_outlet_is_proposed_as_a_new_source(cap: duckdb.DuckDBPyConnection) -> None:
    """An article from an unknown site proposes a new source named after it; a known domain is matched."""
    known = extract.propose(cap, text.Article("Text.", url="https://www.aa.com.tr/en/x"))
    unknown = extract.propose(cap, text.Article("Text.", site_name="Daily Sabah", url="https://www.dailysabah.com/x"))
    assert known.document.source_id == "aa" and not known.new_sources
    assert [(s.source_id, s.name) for s in unknown.new_sources] == [("daily-sabah", "Daily Sabah")]


SEED_ARTICLE = (
    "Nefes reported on September 3 that Russia had approached Ankara about taking back the S-400 systems.\n"
    '"The S-400 air defense systems are in our inventory, and there is no change in our position," '
    "Turkish defence ministry sources said on Thursday."
)


def _accept_all(con: duckdb.DuckDBPyConnection, proposals) -> dict[str, list[dict[str, str]]]:
    frames = review.review_frames(proposals, review.Choices(load(con), proposals))
    for frame in frames.values():
        frame["accept"] = True
    return review.bundle_tables(proposals, frames)


def test_repeat_of_a_stored_statement_is_flagged_and_starts_unaccepted(cap: duckdb.DuckDBPyConnection) -> None:
    """The seed's ministry statement found again is flagged as its duplicate, not added silently."""
    proposals = extract.propose(cap, text.from_paste(SEED_ARTICLE), source_id="nat", published=FRIDAY)
    [statement] = proposals.statements
    assert statement.duplicate_of == "stmt-msb-no-change"
    frames = review.review_frames(proposals, review.Choices(load(cap), proposals))
    assert not frames["statements"]["accept"].any()
    assert "statements" not in review.bundle_tables(proposals, frames)


def test_commit_writes_exactly_the_preview(cap: duckdb.DuckDBPyConnection) -> None:
    """Every previewed row is in the store afterwards with the previewed values, and nothing else changed."""
    proposals = extract.propose(cap, text.from_paste(SEED_ARTICLE), source_id="nat", published=dt.date(2025, 10, 10))
    tables = _accept_all(cap, proposals)
    before = table_counts(cap)
    result = commit.commit(cap, tables, who="tests")
    after = table_counts(cap)
    assert result.status == "applied"
    for table in ("statements", "claims", "evidence", "documents"):
        assert after[table] - before[table] == len(tables.get(table, [])), table
    [row] = tables["statements"]
    stored = cap.execute("select stated_on, actor_id, position_code, quote, own_continuity from statements "
                         "where statement_id = ?", [row["statement_id"]]).fetchall()
    assert stored == [(dt.date(2025, 10, 9), "TUR-MSB", "retain", row["quote"], "reaffirmed")]
    [claim] = tables["claims"]
    assert claim["document_id"] == "nefes-2025-09-03"  # the stored report, cited rather than written twice
    audited = cap.execute("select count(*) from audit_log where who = 'tests' and row_key like ?", [f"%{row['statement_id']}%"])
    assert audited.fetchall()[0][0] >= 1


def test_a_quote_starting_with_a_dash_is_committed_as_written(cap: duckdb.DuckDBPyConnection) -> None:
    """The temporary bundle escapes cells like the export: '-' or '=' at a quote's start is text, not a refused formula."""
    proposals = extract.propose(cap, text.from_paste(SEED_ARTICLE), source_id="nat", published=dt.date(2025, 10, 10))
    tables = _accept_all(cap, proposals)
    tables["statements"][0]["quote"] = "- no change in our position, = as before"
    assert commit.commit(cap, tables, who="tests").status == "applied"
    stored = cap.execute("select quote from statements where statement_id = ?", [tables["statements"][0]["statement_id"]]).fetchall()
    assert stored == [("- no change in our position, = as before",)]


def test_refused_row_names_field_and_leaves_store_unchanged(cap: duckdb.DuckDBPyConnection) -> None:
    """A bad date typed into the review is refused with file, row, column and reason; nothing is written."""
    proposals = extract.propose(cap, text.from_paste(SEED_ARTICLE), source_id="nat", published=dt.date(2025, 10, 10))
    tables = _accept_all(cap, proposals)
    tables["statements"][0]["stated_on"] = "2025-13-40"
    before = table_counts(cap)
    with pytest.raises(ImportRefused) as refused:
        commit.commit(cap, tables, who="tests")
    problem = refused.value.problems[0]
    assert (problem.file, problem.row, problem.column) == ("statements.csv", 2, "stated_on")
    assert table_counts(cap) == before
