"""The store: schema, transactions, data version, audit, vocabularies, and a locked file."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from lib import derived, store, vocab


def test_new_store_has_every_table_and_the_schema_version(any_con) -> None:
    """A new file gets every data table and records schema version and data version 0."""
    assert set(store.table_counts(any_con)) == set(store.TABLES)
    assert store.schema_version(any_con) == store.SCHEMA_VERSION
    assert store.data_version(any_con) == 0


def test_reopening_keeps_data(tmp_path: Path) -> None:
    """Opening an existing store neither recreates nor drops anything."""
    path = tmp_path / "s.duckdb"
    first = store.connect(path)
    with store.transaction(first, "t", "add") as audit:
        first.execute("insert into topics values ('t1', 'One', null)")
        audit.row("topics", "t1", None, {"topic_id": "t1"})
    first.close()
    again = store.connect(path)
    assert again.execute("select topic_id from topics").fetchall() == [("t1",)]
    assert store.data_version(again) == 1


def test_transaction_commits_audits_and_bumps_version(any_con) -> None:
    """A write inside transaction() lands, leaves an audit row, and raises the data version by one."""
    with store.transaction(any_con, "alice", "add topic") as audit:
        any_con.execute("insert into topics values ('t1', 'One', null)")
        audit.row("topics", "t1", None, {"topic_id": "t1", "name": "One"})
    assert store.data_version(any_con) == 1
    row = any_con.execute("select who, action, table_name, row_key, after ->> 'name' from audit_log").fetchall()
    assert row == [("alice", "add topic", "topics", "t1", "One")]


def test_failed_transaction_leaves_store_unchanged(any_con) -> None:
    """An error inside a write rolls back its rows, its audit lines and the version bump."""
    with pytest.raises(RuntimeError), store.transaction(any_con, "bob", "broken") as audit:
        any_con.execute("insert into topics values ('t1', 'One', null)")
        audit.row("topics", "t1", None, {"topic_id": "t1"})
        raise RuntimeError("boom")
    assert store.table_counts(any_con)["topics"] == 0
    assert any_con.execute("select count(*) from audit_log").fetchall() == [(0,)]
    assert store.data_version(any_con) == 0


def test_newer_schema_is_refused(con) -> None:
    """A store written by a newer Stancewatch is not silently downgraded."""
    con.execute("update meta set value = '99' where key = 'schema_version'")
    with pytest.raises(store.StoreError, match="newer"):
        store.ensure_schema(con)


def _own_labels(con) -> dict[str, str]:
    """Each statement's label against its own actor's record, computed afresh by the Stances query."""
    from lib.stances import continuity

    labels = continuity.statement_continuity(con, None, None, False)
    return labels[labels.series_actor_id == labels.actor_id].set_index("statement_id").continuity.to_dict()


def _upgraded_from(con: duckdb.DuckDBPyConnection, path: Path, version: int) -> duckdb.DuckDBPyConnection:
    """Mark the store as schema ``version``, close it and open it again, so that the upgrade runs."""
    con.execute("update meta set value = ? where key = 'schema_version'", [str(version)])
    con.close()
    upgraded = store.connect(path)
    assert store.schema_version(upgraded) == store.SCHEMA_VERSION
    return upgraded


def test_version_1_store_upgrades_and_fills_derived_data(seeded_path: Path) -> None:
    """A store from before the derived column and tables gains them, filled, in the upgrade."""
    con = store.connect(seeded_path)
    con.execute("alter table statements drop column own_continuity")
    con.execute("drop table event_actor_months")
    con.execute("drop table event_actor_days")
    con = _upgraded_from(con, seeded_path, 1)
    try:
        stored = dict(con.execute("select statement_id, own_continuity from statements").fetchall())
        assert stored == _own_labels(con) and stored["stmt-msb-no-change"] == "reaffirmed"
        for derived in ("event_actor_months", "event_actor_days"):
            assert con.execute(f"select sum(links) from {derived}").fetchall() == con.execute("select count(*) from event_actors").fetchall()
    finally:
        con.close()


@pytest.mark.parametrize(("version", "table", "key"), [(3, "events", "event_id"), (4, "documents", "document_id")])
def test_older_store_loses_a_key_index_and_keeps_every_row(seeded_path: Path, version: int, table: str, key: str) -> None:
    """Versions 4 and 5 recreate events, then documents, without a primary key; rows, defaults and checks survive the upgrade."""
    con = store.connect(seeded_path)
    rows = con.execute(f"select * from {table} order by {key}").fetchall()
    con.execute(f"alter table {table} rename to {table}_new")
    con.execute(f"create table {table} as select * from {table}_new limit 0")
    con.execute(f"alter table {table} add primary key ({key})")
    con.execute(f"insert into {table} select * from {table}_new; drop table {table}_new")
    con = _upgraded_from(con, seeded_path, version)
    try:
        assert con.execute(f"select * from {table} order by {key}").fetchall() == rows
        assert con.execute("select count(*) from duckdb_constraints() where table_name = ? and constraint_type = 'PRIMARY KEY'",
                           [table]).fetchall() == [(0,)]
        with pytest.raises(duckdb.ConstraintException):
            con.execute("insert into events (event_id, occurred_on, event_type, title, origin) values ('x', current_date, '1', 'x', 'ufo')")
        with pytest.raises(duckdb.ConstraintException):
            con.execute("insert into documents (document_id, source_id, date_precision) values ('x', 'nat', 'week')")
    finally:
        con.close()


def test_event_and_document_ids_stay_unique_through_every_writer(any_seeded, tmp_path: Path) -> None:
    """With no key index on events or documents, the writers keep ids unique: bundle merge, dataset re-imports, overlapping updates."""
    from lib.ingest.bundle import import_bundle
    from lib.ingest.gdelt import import_gdelt
    from lib.ingest.icews import import_icews
    from tests.conftest import REALDATA, ROOT

    corrected = tmp_path / "seed"
    shutil.copytree(ROOT / "data" / "seed", corrected)
    for name, old, new in (("events.csv", "S-400 test near Sinop", "S-400 radar test"), ("documents.csv", "Turkey reiterates", "Turkey restates")):
        path = corrected / name
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    import_bundle(any_seeded, corrected, who="test")
    import_bundle(any_seeded, corrected, who="test")
    for sample, reader in ((REALDATA / "gdelt" / "gdelt2_events_sample_2017.export.CSV", import_gdelt),
                           (REALDATA / "icews" / "events.2018.sample.tab", import_icews)):
        header, lines = ("", sample.read_text(encoding="utf-8").splitlines(keepends=True))
        if reader is import_icews:  # ICEWS files carry a header; stories recur across the two halves
            header, lines = lines[0], lines[1:]
        (tmp_path / "a.txt").write_text(header + "".join(lines[: len(lines) * 2 // 3]), encoding="utf-8")
        (tmp_path / "b.txt").write_text(header + "".join(lines[len(lines) // 3 :]), encoding="utf-8")
        for name in ("a.txt", "b.txt", "b.txt", "a.txt"):
            reader(any_seeded, tmp_path / name, who="test")
    for table, key in (("events", "event_id"), ("documents", "document_id")):
        total, distinct = any_seeded.execute(f"select count(*), count(distinct {key}) from {table}").fetchall()[0]
        assert total == distinct, table
    assert any_seeded.execute("select count(*) from events").fetchall() == [(5 + 6090 + 3705,)]
    assert any_seeded.execute("select title from events where event_id = 's400-test-sinop'").fetchall() == [("S-400 radar test",)]
    assert any_seeded.execute("select title from documents where document_id = 'nat-s400-2025-09'").fetchall()[0][0].startswith("Turkey restates")


def test_own_continuity_follows_every_write_of_statements(any_seeded) -> None:
    """A 'no change' statement with no earlier record of its own is reaffirmed; without the phrase it becomes 'first'."""
    assert dict(any_seeded.execute("select statement_id, own_continuity from statements").fetchall()) == _own_labels(any_seeded)
    with store.transaction(any_seeded, "test", "recode") as audit:
        any_seeded.execute("update statements set self_declared_continuity = false where statement_id = 'stmt-msb-no-change'")
        audit.row("statements", "stmt-msb-no-change", {"self_declared_continuity": True}, {"self_declared_continuity": False})
    stored = dict(any_seeded.execute("select statement_id, own_continuity from statements").fetchall())
    assert stored == _own_labels(any_seeded) and stored["stmt-msb-no-change"] == "first"


def test_a_bundle_relabels_only_the_series_it_writes(seeded, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Among synthetic series, a bundle adding an earlier statement and moving another to a new actor relabels those series
    alone, and every stored label is what a full relabelling gives."""
    from lib import synthetic
    from lib.ingest.bundle import import_bundle
    from tests.conftest import ROOT

    synthetic.generate(seeded, events=200, statements=2_000, claims=50, seed=5)
    calls: list[tuple] = []
    relabel = derived.refresh_own_continuity
    monkeypatch.setattr(derived, "refresh_own_continuity", lambda con, actors=None, topics=None: calls.append((actors, topics))
                        or relabel(con, actors, topics))
    bundle = tmp_path / "seed"
    shutil.copytree(ROOT / "data" / "seed", bundle)
    statements = bundle / "statements.csv"
    lines = statements.read_text(encoding="utf-8").splitlines(keepends=True)
    lines = [line.replace("stmt-anon-ria,2025-09,TUR-ANON,", "stmt-anon-ria,2025-09,TUR,") for line in lines]
    lines.append("stmt-msb-earlier,2025-08-20,TUR-MSB,s400,return_or_sell,,spokesperson,nat-s400-2025-09,en,\n")
    statements.write_text("".join(lines), encoding="utf-8")
    import_bundle(seeded, bundle, who="test")
    assert calls == [(["TUR", "TUR-ANON", "TUR-MSB"], ["s400"])]
    assert dict(seeded.execute("select statement_id, own_continuity from statements").fetchall()) == _own_labels(seeded)


@pytest.mark.parametrize(("column", "values"), [
    ("kind in ('official'", vocab.SOURCE_KINDS),
    ("kind in ('state'", vocab.ACTOR_KINDS),
    ("attribution in (", vocab.ATTRIBUTIONS),
    ("relation in (", vocab.EVIDENCE_RELATIONS),
    ("evidence_type in (", vocab.EVIDENCE_TYPES),
    ("role in (", vocab.EVENT_ROLES),
    ("origin in (", vocab.ORIGINS),
])
def test_vocabularies_match_the_schema(column: str, values: tuple[str, ...]) -> None:
    """The CHECK lists in schema.sql and the tuples in lib/vocab.py are the same."""
    schema = (Path(store.__file__).parent / "schema.sql").read_text(encoding="utf-8")
    start = schema.index(column)
    listed = re.findall(r"'(\w+)'", schema[start: schema.index(")", start + len(column))])
    assert tuple(listed) == values


def test_db_path_prefers_flag_then_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """--db beats $STANCEWATCH_DB, which beats the default file."""
    monkeypatch.setenv(store.DB_ENV, "/tmp/env.duckdb")
    assert store.db_path("/tmp/flag.duckdb") == Path("/tmp/flag.duckdb")
    assert store.db_path() == Path("/tmp/env.duckdb")
    monkeypatch.delenv(store.DB_ENV)
    assert store.db_path() == store.DEFAULT_DB


def test_locked_store_gives_advice(tmp_path: Path) -> None:
    """When another process holds the file, connect() says which process and what to do."""
    path = tmp_path / "held.duckdb"
    store.connect(path).close()
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import duckdb, time
        con = duckdb.connect({str(path)!r})
        print('ready', flush=True)
        time.sleep(30)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(store.StoreLocked, match=r"held by process \d+ .*dashboard.*stop it and retry"):
            store.connect(path)
    finally:
        holder.kill()
        holder.wait()
    time.sleep(0.1)
    assert store.connect(path) is not None


def test_upgrade_to_7_reflags_the_continuity_wording_with_the_new_detector(seeded_path: Path) -> None:
    """Schema 7 re-flags quotes the old detector missed or wrongly took, keeps an analyst's own value, relabels."""
    con = store.connect(seeded_path)
    con.execute("insert into actors (actor_id, name, kind) values ('TUR-MFA', 'Foreign Ministry', 'ministry')")
    said = [
        ("stmt-missed", "Turkey's stance on the S-400 has not changed, a senior official said.", False),
        ("stmt-old-false", "Moscow hopes there will be no change in Ankara's position on the Montreux Convention.", True),
        ("stmt-analyst", "The spokesman briefed reporters in Ankara.", True),
    ]
    for number, (sid, quote, declared) in enumerate(said):
        con.execute("insert into statements (statement_id, stated_on, actor_id, topic_id, position_code, quote, "
                    "self_declared_continuity) values (?, ?, 'TUR-MFA', 's400', 'retain', ?, ?)",
                    [sid, f"2026-0{number + 1}-01", quote, declared])
    con.execute("update statements set own_continuity = null")
    con = _upgraded_from(con, seeded_path, 6)
    try:
        flags = dict(con.execute("select statement_id, self_declared_continuity from statements").fetchall())
        assert flags == {"stmt-anon-ria": False, "stmt-msb-no-change": True,
                         "stmt-missed": True, "stmt-old-false": False, "stmt-analyst": True}
        stored = dict(con.execute("select statement_id, own_continuity from statements").fetchall())
        assert stored == _own_labels(con) and stored["stmt-missed"] == "reaffirmed"
        logged = con.execute("select who, after ->> 'set', after ->> 'cleared' from audit_log where who = 'upgrade'").fetchall()
        assert logged == [("upgrade", "1", "1")]
    finally:
        con.close()
