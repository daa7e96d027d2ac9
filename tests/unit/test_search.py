"""Full-text search (lib/search): stems in English and Turkish, BM25 order, phrases, filters, an index kept current."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from lib import queries, search, store
from lib.filters import Filters
from lib.ingest.bundle import import_bundle
from lib.ingest.gdelt import import_gdelt
from tests.conftest import REALDATA

STATEMENT_COLUMNS = ["statement_id", "stated_on", "actor_id", "topic_id", "quote", "attribution", "document_id", "language"]


def add_statements(con: duckdb.DuckDBPyConnection, folder: Path, quotes: dict[str, tuple[str, str]]) -> None:
    """Import statements of the Ministry on the S-400 (id -> (quote, language)) as a bundle, the way an analyst would."""
    folder.mkdir(exist_ok=True)
    with (folder / "statements.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(STATEMENT_COLUMNS)
        for statement_id, (quote, language) in quotes.items():
            writer.writerow([statement_id, "2025-10-01", "TUR-MSB", "s400", quote, "on_record", "nat-s400-2025-09", language])
    import_bundle(con, folder, who="test")


def found(con: duckdb.DuckDBPyConnection, text: str, kind: str = "statement") -> list[str]:
    """Ids of the items of one kind the search returns for ``text``, best first."""
    return list(search.search(con, text, Filters(kinds=(kind,))).item_id)


def test_extensions_load_from_their_packages_with_autoloading_off(con) -> None:
    """fts, ducklake and postgres_scanner ship as files for this DuckDB; the store never fetches an extension itself."""
    names = ["fts", "ducklake", "postgres_scanner"]
    assert all(store.load_extension(con, name) for name in names)
    assert con.execute("select extension_name from duckdb_extensions() where loaded and extension_name in (select unnest(?))"
                       " order by 1", [names]).fetchall() == [(n,) for n in sorted(names)]
    assert con.execute("select current_setting('autoinstall_known_extensions'), current_setting('autoload_known_extensions')"
                       ).fetchall() == [(False, False)]
    assert store.extension_file("no_such_extension") is None and not store.load_extension(con, "no_such_extension")


def test_english_stems_match_any_form_and_every_word_is_required(seeded, tmp_path: Path) -> None:
    """"buy back" finds "buying them back" (stems, words apart); an item with only one of the words is not found."""
    add_statements(seeded, tmp_path / "b", {"st-buying": ("Turkey is buying them back", "en"),
                                            "st-only-back": ("We will be back", "en")})
    assert found(seeded, "buy back") == ["st-buying"]
    assert found(seeded, "BOUGHT") == [] and found(seeded, "buys") == ["st-buying"]


def test_turkish_words_find_their_suffixed_forms(seeded, tmp_path: Path) -> None:
    """"iade" finds "iadesi"; "değişiklik" finds "değişikliği" (k softens to ğ); typed without Turkish letters too."""
    add_statements(seeded, tmp_path / "b", {"st-iade": ("S-400'lerin iadesi gündemde değil", "tr"),
                                            "st-degisik": ("Tutumumuzda hiçbir değişikliği kabul etmiyoruz", "tr"),
                                            "st-other": ("Sistemler envanterimizde", "tr")})
    assert found(seeded, "iade") == ["st-iade"]
    assert found(seeded, "değişiklik") == found(seeded, "degisiklik") == ["st-degisik"]
    assert found(seeded, "İADE") == ["st-iade"]


def test_bm25_ranks_a_short_repeated_mention_above_a_passing_one(seeded, tmp_path: Path) -> None:
    """An item that says the word twice in few words outranks one that says it once among many."""
    add_statements(seeded, tmp_path / "b", {
        "st-passing": ("The embargo was only one of many matters raised at a long press conference on other subjects", "en"),
        "st-focused": ("Embargo: the embargo stays", "en"),
    })
    result = search.search(seeded, "embargo", Filters())
    assert list(result.item_id) == ["st-focused", "st-passing"] and result.score.iloc[0] > result.score.iloc[1]


def test_a_quoted_phrase_needs_its_words_side_by_side(seeded, tmp_path: Path) -> None:
    """"no change" in quotes keeps only adjacent words; unquoted it finds both words anywhere."""
    add_statements(seeded, tmp_path / "b", {"st-apart": ("No, the change was large", "en")})
    assert set(found(seeded, "no change")) == {"stmt-msb-no-change", "st-apart"}
    assert found(seeded, '"no change"') == ["stmt-msb-no-change"]
    assert found(seeded, '"change no"') == []


def test_the_shared_filters_narrow_the_results(seeded) -> None:
    """Kinds, dates, actors, topics and sources apply to the ranked hits; documents only when nothing but dates and sources is set."""
    everything = search.search(seeded, "S-400", Filters())
    assert {"event", "statement", "claim", "document"} <= set(everything.kind)
    assert set(search.search(seeded, "S-400", Filters(kinds=("claim",))).kind) == {"claim"}
    recent = search.search(seeded, "S-400", Filters(date_from=dt.date(2025, 1, 1)))
    assert len(recent) and (recent.dated >= pd.Timestamp(2024, 12, 1)).all() and len(recent) < len(everything)
    ministry = search.search(seeded, "S-400", Filters(actors=("TUR-MSB",), include_children=False))
    assert set(ministry.item_id) >= {"stmt-msb-no-change"} and "document" not in set(ministry.kind)
    assert search.search(seeded, "S-400", Filters(topics=("no-such-topic",))).empty
    nefes = search.search(seeded, "S-400", Filters(sources=("nefes",)))
    assert len(nefes) and set(nefes.item_id) < set(everything.item_id)


def test_the_index_follows_a_bundle_import_lazily(seeded, tmp_path: Path) -> None:
    """A write marks the index stale (no rebuild inside the import); the next search rebuilds and finds the new row."""
    assert found(seeded, "embargo") == [] and not search.is_dirty(seeded)
    add_statements(seeded, tmp_path / "b", {"st-new": ("A new embargo", "en")})
    assert search.is_dirty(seeded)
    assert found(seeded, "embargo") == ["st-new"] and not search.is_dirty(seeded)


def test_the_index_follows_a_dataset_import(seeded) -> None:
    """Events added by a GDELT import are found by a word of their title."""
    import_gdelt(seeded, REALDATA / "gdelt" / "gdelt2_events_sample_2017.export.CSV", who="test")
    event_id, title = seeded.execute("select event_id, title from events where origin = 'gdelt' order by event_id limit 1").fetchall()[0]
    assert event_id in found(seeded, title, "event")


def test_a_store_from_the_previous_schema_gets_its_index(seeded_path: Path) -> None:
    """A version 5 store (no index, no search flag) upgrades, and its first search builds the index and finds the seed case."""
    con = store.connect(seeded_path)
    con.execute("drop table event_actor_days")
    con.execute("update meta set value = '5' where key = 'schema_version'")
    con.close()
    con = store.connect(seeded_path)
    try:
        assert search.is_dirty(con)
        assert "stmt-msb-no-change" in found(con, '"no change"')
    finally:
        con.close()


def test_the_timeline_text_filter_uses_the_search_and_falls_back_to_ilike(seeded, tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """With the index, the Timeline's text filter matches stems; without the fts package, it is the literal ILIKE."""
    add_statements(seeded, tmp_path / "b", {"st-buying": ("Turkey is buying them back", "en")})
    assert queries.timeline_count(seeded, Filters(text="buy back"))["statement"] == 1
    monkeypatch.setattr(store, "load_extension", lambda con, name: False)
    assert queries.timeline_count(seeded, Filters(text="buy back"))["statement"] == 0
    assert queries.timeline_count(seeded, Filters(text="buying them"))["statement"] == 1


def test_marks_surround_matching_words_and_stay_plain_text(seeded) -> None:
    """Matching words (any stem form) are put between « and »; markup in the data stays as typed."""
    texts = ["There is no change in our <b>positions</b>", "Nothing here", None]
    assert search.marked(seeded, texts, "position change") == [
        "There is no «change» in our <b>«positions»</b>", "Nothing here", ""]
    long = "word " * 100 + "embargo" + " word" * 100
    cut = search.marked(seeded, [long], "embargo", width=60)[0]
    assert "«embargo»" in cut and cut.startswith("… ") and cut.endswith(" …") and len(cut) < 80


def test_a_query_without_words_is_no_search(seeded) -> None:
    """Punctuation alone gives no full-text query (the Timeline then filters literally)."""
    assert search.parse('"" -- !').words == () and search.matches_sql(seeded, "-- !") is None
