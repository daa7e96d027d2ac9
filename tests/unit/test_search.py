"""Full-text search (lib/search): stems in English and Turkish, BM25 order, phrases, filters, an index kept current."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib import search, store
from lib.edits import delete, records, revert
from lib.filters import Filters
from lib.ingest.bundle import import_bundle
from lib.ingest.gdelt import import_gdelt
from lib.timeline import queries
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


def test_the_index_follows_a_bundle_import_at_once(seeded, tmp_path: Path) -> None:
    """A bundle import updates the index in its own transaction: the next search finds the new row, and an
    updated row loses its old words."""
    assert found(seeded, "embargo") == []
    add_statements(seeded, tmp_path / "b", {"st-new": ("A new embargo", "en")})
    assert found(seeded, "embargo") == ["st-new"]
    add_statements(seeded, tmp_path / "c", {"st-new": ("A new blockade", "en")})
    assert found(seeded, "embargo") == [] and found(seeded, "blockade") == ["st-new"]
    assert_current(seeded)


def test_the_index_follows_edits_deletes_and_reverts(seeded) -> None:
    """An edit's new words are found and its old ones are not; a delete removes the item; reverting restores it."""
    form = records.values(seeded, "statements", ("stmt-msb-no-change",))
    records.save(seeded, "statements", {**form, "quote": "We reconsider the zeppelin question"}, "analyst", new=False)
    assert found(seeded, "zeppelin") == ["stmt-msb-no-change"] and "stmt-msb-no-change" not in found(seeded, '"no change"')
    assert_current(seeded)
    edit = records.history(seeded, "statements", ("stmt-msb-no-change",))[0]["audit_id"]
    revert.revert_write(seeded, edit, "analyst")
    assert found(seeded, "zeppelin") == [] and "stmt-msb-no-change" in found(seeded, '"no change"')
    delete.delete(seeded, "statements", ("stmt-msb-no-change",), "analyst", cascade=True)
    assert "stmt-msb-no-change" not in found(seeded, "no change")
    assert_current(seeded)
    ids = [r[0] for r in seeded.execute("select audit_id from audit_log where action = 'delete statements'").fetchall()]
    revert.revert(seeded, revert.write_changes(seeded, ids), "analyst", "revert delete")
    assert "stmt-msb-no-change" in found(seeded, '"no change"')
    assert_current(seeded)


def test_the_index_follows_a_dataset_import(seeded) -> None:
    """Events added by a GDELT import are found by a word of their title at once; the index equals a fresh one."""
    import_gdelt(seeded, REALDATA / "gdelt" / "gdelt2_events_sample_2017.export.CSV", who="test")
    event_id, title = seeded.execute("select event_id, title from events where origin = 'gdelt' order by event_id limit 1").fetchall()[0]
    assert event_id in found(seeded, title, "event")
    assert_current(seeded)


def test_a_documents_language_moves_its_items_between_languages(seeded, tmp_path: Path) -> None:
    """A statement without its own language takes its document's: a document turned Turkish re-indexes the statement."""
    add_statements(seeded, tmp_path / "b", {"st-doc": ("They are buying them back", "")})
    assert found(seeded, "buy back") == ["st-doc"]
    with store.transaction(seeded, "test", "document language") as audit:
        seeded.execute("update documents set language = 'tr' where document_id = 'nat-s400-2025-09'")
        audit.row("documents", "nat-s400-2025-09", {"language": None}, {"language": "tr"})
    assert seeded.execute("select lang from search_docs where item_id = 'st-doc'").fetchall() == [("tr",)]
    assert found(seeded, "buying") == ["st-doc"]
    assert_current(seeded)


def test_a_write_without_row_keys_rebuilds_and_one_without_fts_leaves_the_index_stale(
        seeded, monkeypatch: pytest.MonkeyPatch) -> None:
    """Set-based SQL that names no rows reindexes everything; without the stemmer the index is stale and search
    falls back to literal until a write that has it."""
    with store.transaction(seeded, "test", "retitle") as audit:
        seeded.execute("update events set title = title || ' zeppelin'")
        audit.wrote("events")
    assert len(found(seeded, "zeppelin", "event")) == seeded.execute("select count(*) from events").fetchall()[0][0]
    assert_current(seeded)
    with monkeypatch.context() as m:
        m.setattr(store, "load_extension", lambda con, name: False)
        with store.transaction(seeded, "test", "retitle") as audit:
            seeded.execute("update events set title = replace(title, ' zeppelin', ' airship')")
            audit.wrote("events", "select event_id from events")
    assert not search.usable(seeded) and search.search(seeded, "airship", Filters()) is None
    with store.transaction(seeded, "test", "nothing") as audit:
        audit.wrote("events", "select event_id from events limit 0")
    assert search.usable(seeded) and found(seeded, "airship", "event") and not found(seeded, "zeppelin", "event")
    assert_current(seeded)


def test_a_store_from_the_previous_schema_gets_its_index(seeded_path: Path) -> None:
    """A version 7 store (no index tables) upgrades, building the index once; the seed case is found at once."""
    con = store.connect(seeded_path)
    con.execute("drop table search_postings; drop table search_docs; drop table search_stats; drop sequence search_docid_seq")
    con.execute("update meta set value = '7' where key = 'schema_version'")
    con.close()
    con = store.connect(seeded_path)
    try:
        assert "stmt-msb-no-change" in found(con, '"no change"')
        assert_current(con)
    finally:
        con.close()


def snapshot(con: duckdb.DuckDBPyConnection) -> tuple[list, list, list]:
    """What the index holds, by item rather than docid (docids differ between an incremental and a fresh index)."""
    postings = con.execute("""select d.kind, d.item_id, d.lang, p.term, p.tf, p.len = d.len, p.pos
                              from search_postings p left join search_docs d using (docid) order by all""").fetchall()
    docs = con.execute("select kind, item_id, lang, len, digest from search_docs order by all").fetchall()
    stats = con.execute("select lang, docs, tokens from search_stats where docs > 0 order by all").fetchall()
    return postings, docs, stats


def from_scratch(con: duckdb.DuckDBPyConnection) -> tuple[list, list, list]:
    """What an index built anew from the current data holds (built, read, rolled back)."""
    con.execute("begin transaction")
    try:
        search.rebuild(con)
        return snapshot(con)
    finally:
        con.execute("rollback")


def assert_current(con: duckdb.DuckDBPyConnection) -> None:
    """The incremental index equals one built from scratch, and no posting lost its item."""
    kept = snapshot(con)
    assert kept == from_scratch(con)
    assert all(kind is not None for kind, *_ in kept[0])


_WORDS = ["buying", "back", "no", "change", "iadesi", "embargo", "değişikliği", "position", "s-400", "Kitabı"]


@settings(max_examples=40, deadline=None)
@given(writes=st.lists(st.tuples(st.sampled_from(["statement", "event", "claim", "document", "link", "unlink", "delete"]),
                                 st.integers(0, 1), st.lists(st.sampled_from(_WORDS), max_size=6),
                                 st.sampled_from(["en", "tr", None])), min_size=1, max_size=12))
def test_incremental_index_equals_one_built_from_scratch(writes: list[tuple[str, int, list[str], str | None]]) -> None:
    """Any sequence of writes (inserts, updates, deletes of every indexed kind, document languages, event links),
    each recording its rows as the writers do, leaves the index a fresh build would make."""
    con = store.connect(":memory:")
    try:
        with store.transaction(con, "test", "base") as audit:
            con.execute("insert into sources (source_id, name, kind) values ('src', 'Source', 'other')")
            con.execute("insert into topics (topic_id, name) values ('t', 'Topic')")
            con.execute("insert into actors (actor_id, name, kind) values ('a', 'Actor', 'state')")
            audit.wrote("sources", "select 'src'")
        for kind, n, words, lang in writes:
            with store.transaction(con, "test", kind) as audit:
                _random_write(con, audit, kind, n, " ".join(words) or None, lang)
        assert_current(con)
    finally:
        con.close()


def _random_write(con: duckdb.DuckDBPyConnection, audit: store.Audit, kind: str, n: int, text: str | None, lang: str | None) -> None:
    """One write of the property test: replace or delete item ``n`` of a kind, or link / unlink event n and document n."""
    doc, event = f"d{n}", f"e{n}"
    has_doc = con.execute("select count(*) from documents where document_id = ?", [doc]).fetchall()[0][0]
    if kind == "document":
        con.execute("delete from documents where document_id = ?", [doc])
        con.execute("""insert into documents (document_id, source_id, title, published_on, date_precision, language)
                       values (?, 'src', ?, date '2020-01-01', 'day', ?)""", [doc, text, lang])
        audit.row("documents", doc, None, {"document_id": doc})
    elif kind == "event":
        con.execute("delete from events where event_id = ?", [event])
        con.execute("""insert into events (event_id, occurred_on, date_precision, event_type, title, description, origin)
                       values (?, date '2020-01-01', 'day', 'x', ?, ?, 'curated')""", [event, text or "", text])
        audit.wrote("events", f"select '{event}'")
    elif kind in ("link", "unlink"):
        con.execute("delete from event_documents where event_id = ? and document_id = ?", [event, doc])
        if kind == "link" and has_doc and con.execute("select count(*) from events where event_id = ?", [event]).fetchall()[0][0]:
            con.execute("insert into event_documents values (?, ?)", [event, doc])
        audit.row("event_documents", f"{event}/{doc}", {"event_id": event, "document_id": doc}, None)
    elif kind == "delete":
        for table, column, key in (("statements", "statement_id", f"s{n}"), ("claims", "claim_id", f"c{n}")):
            con.execute(f"delete from {table} where {column} = ?", [key])
            audit.row(table, key, {}, None)
    elif kind == "statement":
        con.execute("delete from statements where statement_id = ?", [f"s{n}"])
        con.execute("""insert into statements (statement_id, stated_on, date_precision, actor_id, topic_id, quote,
                                               attribution, document_id, language)
                       values (?, date '2020-01-01', 'day', 'a', 't', ?, 'on_record', ?, ?)""",
                    [f"s{n}", text, doc if has_doc else None, lang])
        audit.row("statements", f"s{n}", None, {})
    elif has_doc:  # a claim cites a document
        con.execute("delete from claims where claim_id = ?", [f"c{n}"])
        con.execute("insert into claims (claim_id, claimed_on, date_precision, text, document_id) values (?, date '2020-01-01', 'day', ?, ?)",
                    [f"c{n}", text or "-", doc])
        audit.row("claims", f"c{n}", None, {})


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
