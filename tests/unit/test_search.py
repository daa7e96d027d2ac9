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
from lib.search import index, query
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


def test_english_stems_match_any_form_and_every_word_is_required(any_seeded, tmp_path: Path) -> None:
    """"buy back" finds "buying them back" (stems, words apart); an item with only one of the words is not found."""
    add_statements(any_seeded, tmp_path / "b", {"st-buying": ("Turkey is buying them back", "en"),
                                            "st-only-back": ("We will be back", "en")})
    assert found(any_seeded, "buy back") == ["st-buying"]
    assert found(any_seeded, "BOUGHT") == [] and found(any_seeded, "buys") == ["st-buying"]


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


def test_the_index_follows_a_bundle_import_at_once(any_seeded, tmp_path: Path) -> None:
    """A bundle import updates the index in its own transaction: the next search finds the new row, and an
    updated row loses its old words."""
    assert found(any_seeded, "embargo") == []
    add_statements(any_seeded, tmp_path / "b", {"st-new": ("A new embargo", "en")})
    assert found(any_seeded, "embargo") == ["st-new"]
    add_statements(any_seeded, tmp_path / "c", {"st-new": ("A new blockade", "en")})
    assert found(any_seeded, "embargo") == [] and found(any_seeded, "blockade") == ["st-new"]
    assert_current(any_seeded)


def test_the_index_follows_edits_deletes_and_reverts(any_seeded) -> None:
    """An edit's new words are found and its old ones are not; a delete removes the item; reverting restores it."""
    form = records.values(any_seeded, "statements", ("stmt-msb-no-change",))
    records.save(any_seeded, "statements", {**form, "quote": "We reconsider the zeppelin question"}, "analyst", new=False)
    assert found(any_seeded, "zeppelin") == ["stmt-msb-no-change"] and "stmt-msb-no-change" not in found(any_seeded, '"no change"')
    assert_current(any_seeded)
    edit = records.history(any_seeded, "statements", ("stmt-msb-no-change",))[0]["audit_id"]
    revert.revert_write(any_seeded, edit, "analyst")
    assert found(any_seeded, "zeppelin") == [] and "stmt-msb-no-change" in found(any_seeded, '"no change"')
    delete.delete(any_seeded, "statements", ("stmt-msb-no-change",), "analyst", cascade=True)
    assert "stmt-msb-no-change" not in found(any_seeded, "no change")
    assert_current(any_seeded)
    ids = [r[0] for r in any_seeded.execute("select audit_id from audit_log where action = 'delete statements'").fetchall()]
    revert.revert(any_seeded, revert.write_changes(any_seeded, ids), "analyst", "revert delete")
    assert "stmt-msb-no-change" in found(any_seeded, '"no change"')
    assert_current(any_seeded)


def test_the_index_follows_a_dataset_import(seeded) -> None:
    """Events added by a GDELT import are found by a word of their title at once; the index equals a fresh one."""
    import_gdelt(seeded, REALDATA / "gdelt" / "gdelt2_events_sample_2017.export.CSV", who="test")
    event_id, title = seeded.execute("select event_id, title from events where origin = 'gdelt' order by event_id limit 1").fetchall()[0]
    assert event_id in found(seeded, title, "event")
    assert_current(seeded)


def test_a_documents_language_moves_its_items_between_languages(any_seeded, tmp_path: Path) -> None:
    """A statement without its own language takes its document's: a document turned Turkish re-indexes the statement."""
    add_statements(any_seeded, tmp_path / "b", {"st-doc": ("They are buying them back", "")})
    assert found(any_seeded, "buy back") == ["st-doc"]
    with store.transaction(any_seeded, "test", "document language") as audit:
        any_seeded.execute("update documents set language = 'tr' where document_id = 'nat-s400-2025-09'")
        audit.row("documents", "nat-s400-2025-09", {"language": None}, {"language": "tr"})
    assert any_seeded.execute("select lang from search_docs where item_id = 'st-doc'").fetchall() == [("tr",)]
    assert found(any_seeded, "buying") == ["st-doc"]
    assert_current(any_seeded)


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


SCHEMA_8_INDEX = """create sequence search_docid_seq;
    create table search_docs (docid bigint, kind varchar, item_id varchar, lang varchar, len integer, digest ubigint,
                              dated date, title varchar, text varchar, url varchar);
    create table search_postings (lang varchar, term varchar, docid bigint, tf integer, len integer, pos integer[]);
    create table search_stats (lang varchar primary key, docs bigint, tokens bigint)"""


@pytest.mark.parametrize("version", [7, 8])
def test_a_store_from_a_previous_schema_gets_its_index(seeded_path: Path, version: int) -> None:
    """A version 7 store (no index tables) or 8 (the index before impacts and term frequencies, numbered by a
    sequence) upgrades, building the index once; the seed case is found at once."""
    con = store.connect(seeded_path)
    con.execute("drop table search_postings; drop table search_docs; drop table search_stats; drop table search_terms")
    if version == 8:
        con.execute(SCHEMA_8_INDEX)
    con.execute("update meta set value = ? where key = 'schema_version'", [str(version)])
    con.close()
    con = store.connect(seeded_path)
    try:
        assert "stmt-msb-no-change" in found(con, '"no change"')
        assert not con.execute("select count(*) from duckdb_sequences() where sequence_name = 'search_docid_seq'").fetchall()[0][0]
        assert_current(con)
    finally:
        con.close()


def test_a_store_of_schema_8_upgrades_on_either_backend(any_seeded_setting: str) -> None:
    """The upgrade to schema 10 (drop the index, its sequence if any, build it anew) runs on the team store too."""
    con = store.connect(any_seeded_setting)
    store.set_meta(con, "schema_version", "8")
    con.close()
    con = store.connect(any_seeded_setting)
    try:
        assert store.schema_version(con) == store.SCHEMA_VERSION and "stmt-msb-no-change" in found(con, '"no change"')
        assert_current(con)
    finally:
        con.close()


def snapshot(con: duckdb.DuckDBPyConnection) -> tuple[list, list, list, list]:
    """What the index holds, by item rather than docid (docids differ between an incremental and a fresh index)."""
    postings = con.execute("""select d.kind, d.item_id, d.lang, p.term, p.tf, p.len = d.len, p.pos
                              from search_postings p left join search_docs d using (docid) order by all""").fetchall()
    docs = con.execute("select kind, item_id, lang, len, digest from search_docs order by all").fetchall()
    stats = con.execute("select lang, docs, tokens from search_stats order by all").fetchall()
    terms = con.execute("select lang, term, df from search_terms order by all").fetchall()
    return postings, docs, stats, terms


def from_scratch(con: duckdb.DuckDBPyConnection) -> tuple[list, list, list, list]:
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


@pytest.mark.parametrize("repeats", [0.0, 2.0])
def test_texts_tokenised_once_give_the_postings_of_each_item_tokenised(seeded, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch, repeats: float) -> None:
    """A chunk whose texts repeat is tokenised text by text (index.REPEATS), else item by item: the same index
    either way, in an import (incremental) and in a build, with one text in two languages."""
    monkeypatch.setattr(index, "REPEATS", repeats)
    add_statements(seeded, tmp_path / "b", {"st-1": ("They are buying them back", "en"), "st-2": ("They are buying them back", "en"),
                                            "st-3": ("They are buying them back", "tr"), "st-4": ("No change, no change", "en")})
    assert {"st-1", "st-2", "st-3"} <= set(found(seeded, "buy back")) and "st-4" in found(seeded, '"no change"')
    assert_current(seeded)
    monkeypatch.setattr(index, "REPEATS", 2.0 - repeats)
    assert_current(seeded)


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


def _best_by_every_posting(con: duckdb.DuckDBPyConnection, text: str, filters: Filters, limit: int) -> list[float]:
    """The scores of the best ``limit`` items when every posting of the terms is read (no early stop)."""
    words = query.parse(text)
    return [score for _, score in query._best(con, query._plan(words, query._terms(con, words)), filters, limit)]


def test_a_one_word_search_stops_early_only_when_its_answer_is_the_true_best(monkeypatch: pytest.MonkeyPatch) -> None:
    """A common word's best items come from its best impacts alone when the bound proves them the best; with a
    filter, after deletes that make the stored cuts stale, or after a write moves the average length, the answer
    is still that of every posting (scores equal, in order)."""
    monkeypatch.setattr(index, "LEVELS", (20, 60, 200))
    early: list[bool] = []
    best = query._best
    monkeypatch.setattr(query, "_best", lambda con, plan, *a: (early.append(plan.bound > 0), best(con, plan, *a))[1])
    con = store.connect(":memory:")
    try:
        with store.transaction(con, "test", "events") as audit:  # w0 in most events, w1 in some, w9 in few; lengths vary
            con.execute("""insert into events (event_id, occurred_on, date_precision, event_type, title, description, origin)
                           select 'e' || i, date '2015-01-01' + ((i * 7) % 3650)::integer, 'day', 'x', 'E',
                                  array_to_string(list_transform(range(1 + i % 17), x -> 'w' || (hash(i, x) % 10) * (hash(x, i) % 3)), ' '),
                                  'curated'
                           from range(3000) t(i)""")
            audit.wrote("events")  # no row keys: the index is built anew, with cuts
        assert con.execute("select count(*) from search_terms where cuts is not null").fetchall()[0][0] >= 3
        year = Filters(date_from=dt.date(2018, 1, 1), date_to=dt.date(2018, 12, 31))
        cases = [(word, filters, limit) for word in ("w0", "w1", "w9", "w0 w1", '"w1 w0"')
                 for filters in (Filters(), year, Filters(kinds=("event",))) for limit in (5, 40)]

        def check() -> None:
            stopped = []
            for text, filters, limit in cases:
                early.clear()
                got = search.search(con, text, filters, limit)
                stopped.append(early[-1])  # the answer came from the best impacts alone
                assert list(got.score) == pytest.approx(_best_by_every_posting(con, text, filters, limit), rel=1e-9), (text, filters)
            assert any(stopped) and not all(stopped)
            for word in ("w0", "w1"):  # the bound: no item the early plan leaves out scores it or more
                words = query.parse(word)
                terms = query._terms(con, words)
                for level in range(len(index.LEVELS)):
                    early_plan, every = query._plan(words, terms, level), query._plan(words, terms)
                    if early_plan.bound:
                        left_out = con.execute(f"select max(f.score) from ({every.sql}) f anti join ({early_plan.sql}) e using (docid)",
                                               every.params | early_plan.params).fetchall()[0][0]
                        assert left_out is None or left_out < early_plan.bound

        check()
        taken = con.execute("""select d.item_id from search_postings p join search_docs d using (docid)
                               where p.term = 'w0' order by p.impact desc limit 30""").fetchall()
        with store.transaction(con, "test", "delete the best") as audit:  # the stored cuts now overstate what is left
            keys = ", ".join(f"'{key}'" for key, in taken)  # our own ids
            con.execute(f"delete from events where event_id in ({keys})")
            audit.wrote("events", f"select unnest([{keys}])")
        check()
        with store.transaction(con, "test", "long") as audit:  # the average length moves away from the impacts' own
            con.execute("""insert into events (event_id, occurred_on, date_precision, event_type, title, description, origin)
                           select 'long' || i, date '2018-06-01', 'day', 'x', 'E', repeat('w0 w5 ', 60), 'curated' from range(500) t(i)""")
            audit.wrote("events", "select 'long' || i from range(500) t(i)")
        check()
        assert_current(con)
    finally:
        con.close()
