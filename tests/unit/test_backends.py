"""The two store backends: the embedded DuckDB file and the team store (DuckLake on a throwaway PostgreSQL, tests/pg.py)."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import pytest

from lib import backend, store
from lib.ingest.bundle import import_bundle
from lib.ingest.report import ImportRefused
from tests.conftest import ROOT


def test_the_lake_tables_are_schema_sql_without_what_ducklake_cannot_hold() -> None:
    """Derived from schema.sql's text: every table, no key, CHECK or sequence; the rules the writers enforce instead."""
    schema = store.SCHEMA_SQL.read_text(encoding="utf-8")
    rules = backend.rules(schema)
    tables = {line.split()[5] for line in schema.splitlines() if line.startswith("create table")}
    assert {line.split()[5] for line in rules.ddl.splitlines() if line.startswith("create table")} == tables
    for gone in ("primary key", "check", "nextval", "default []", "sequence"):
        assert gone not in rules.ddl
    assert rules.keys["positions"] == ("topic_id", "position_code")
    assert rules.keys["statements"] == ("statement_id",)
    assert ("sources", "kind") in {(t, c) for t, c, _ in rules.checks}
    assert schema.count(" check (") == len(rules.checks)
    assert rules.numbered == {"audit_seq": ("audit_log", "audit_id"), "import_seq": ("imports", "import_id")}
    assert {(t, c) for t, c, _ in rules.filled} == {("documents", "cites_document_ids"), ("actors", "aliases")}


@pytest.mark.parametrize("setting", ["data/x.duckdb", ":memory:"])
def test_a_file_setting_stays_a_path(setting: str) -> None:
    assert store.db_path(setting) == Path(setting)


def test_the_team_store_setting_is_parsed_with_its_data_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(backend.DATA_PATH_ENV, "/srv/lake")
    lake = store.db_path("ducklake:postgres:dbname=stancewatch host=/run/postgresql")
    assert lake == backend.Lake("dbname=stancewatch host=/run/postgresql", "/srv/lake")
    assert str(lake) == "ducklake:postgres:dbname=stancewatch host=/run/postgresql"
    with pytest.raises(store.StoreError, match="ducklake:postgres:dbname=NAME"):
        store.db_path("ducklake:sqlite:x.db")


def _counts(con: duckdb.DuckDBPyConnection) -> tuple:
    return (store.table_counts(con), store.data_version(con),
            con.execute("select count(*) from audit_log").fetchall()[0][0], con.execute("select count(*) from imports").fetchall()[0][0])


@pytest.mark.parametrize("write", [
    "insert into actors (actor_id, name, kind) values ('TUR', 'Turkey again', 'state')",
    "insert into positions (topic_id, position_code, label, ordinal) select topic_id, position_code, 'again', 9 from positions limit 1",
    "update sources set kind = 'blog' where source_id = 'nefes'",
    "insert into statements (statement_id, stated_on, actor_id, topic_id, attribution) values ('x', current_date, 'TUR', 's400', 'rumour')",
])
def test_a_write_breaking_a_key_or_vocabulary_is_refused_and_changes_nothing(any_seeded: duckdb.DuckDBPyConnection, write: str) -> None:
    """The file's constraints refuse it at once; the team store's writers refuse it at commit (ConstraintBroken)."""
    before = _counts(any_seeded)
    with pytest.raises(duckdb.ConstraintException), store.transaction(any_seeded, "tests", "break a rule") as audit:
        any_seeded.execute(write)
        audit.wrote(write.split()[2])
    assert _counts(any_seeded) == before


def test_a_bundle_repeating_a_key_is_refused_naming_file_row_and_column(any_seeded: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    folder = tmp_path / "twice"
    folder.mkdir()
    (folder / "topics.csv").write_text("topic_id,name\nnew-topic,New\nnew-topic,New again\n", encoding="utf-8")
    before = store.table_counts(any_seeded)
    with pytest.raises(ImportRefused) as refused:
        import_bundle(any_seeded, folder, who="tests")
    assert "topics.csv row 3, column topic_id" in str(refused.value)
    assert store.table_counts(any_seeded) == before


def test_a_constraint_the_checks_missed_is_a_refusal_naming_the_table(any_seeded: duckdb.DuckDBPyConnection, tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Should a bundle's checks ever let a broken row through, the store's refusal is one ImportRefused, store unchanged."""
    from lib.ingest.bundle import apply

    folder = tmp_path / "kind"
    folder.mkdir()
    (folder / "sources.csv").write_text("source_id,name,kind\nblogspot,A blog,other\n", encoding="utf-8")
    original = apply.apply_staged

    def sneaky(con, audit, staged):
        counts = original(con, audit, staged)
        con.execute("update sources set kind = 'blog' where source_id = 'blogspot'")
        return counts

    monkeypatch.setattr(apply, "apply_staged", sneaky)
    before = store.table_counts(any_seeded)
    with pytest.raises(ImportRefused, match="kind"):
        import_bundle(any_seeded, folder, who="tests")
    assert store.table_counts(any_seeded) == before
    assert any_seeded.execute("select status from imports order by import_id desc limit 1").fetchall() == [("refused",)]


WRITER = """
import sys
from lib import store
from lib.sources import reliability
from lib.ingest.bundle import import_bundle
con = store.connect(sys.argv[1])
for i, bundle in enumerate(sys.argv[3:]):
    import_bundle(con, bundle, who=sys.argv[2])
    store.retry_on_conflict(lambda: reliability.set_analyst_grade(con, "nefes", "ABCDEF"[i % 6], sys.argv[2], who=sys.argv[2]))
"""


def _bundle(folder: Path, prefix: str, events: int) -> Path:
    """New events each linked to two seed actors (so the derived link counts move)."""
    folder.mkdir()
    lines = ["event_id,occurred_on,event_type,title,actor_ids"] + [
        f"{prefix}{i},2021-{i % 12 + 1:02d}-{i % 28 + 1:02d},test,Event {i},TUR:initiator;RUS:target" for i in range(events)]
    (folder / "events.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("backend", ["lake"])  # two processes cannot open one DuckDB file
def test_two_processes_writing_the_team_store_at_once_lose_nothing(any_seeded_setting: str, tmp_path: Path) -> None:
    """Two processes import bundles and grade at once: DuckLake refuses the second of two overlapping commits and the
    writer runs again; every event, link count, audit row and `imports` row is there once."""
    setting = any_seeded_setting
    con = store.connect(setting)
    before = _counts(con)
    con.close()
    runs, per = 3, 10
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, setting, who,
                                 *[str(_bundle(tmp_path / f"{who}{r}", f"{who}-{r}-", per)) for r in range(runs)]],
                                cwd=ROOT, stderr=subprocess.PIPE, text=True)
               for who in ("alpha", "beta")]
    errors = [w.communicate(timeout=600)[1] for w in writers]
    assert [w.returncode for w in writers] == [0, 0], errors
    con = store.connect(setting)
    counts = store.table_counts(con)
    assert counts["events"] == before[0]["events"] + 2 * runs * per
    assert counts["event_actors"] == before[0]["event_actors"] + 2 * runs * per * 2
    assert con.execute("select count(*), count(distinct event_id) from events").fetchall() == [(counts["events"],) * 2]
    for derived in ("event_actor_days", "event_actor_months"):
        assert con.execute(f"select sum(links) from {derived}").fetchall() == [(counts["event_actors"],)]
    assert con.execute("select count(*), count(distinct import_id) from imports where status = 'applied'").fetchall() == [(1 + 2 * runs,) * 2]
    assert con.execute("select count(*) - count(distinct audit_id) from audit_log").fetchall() == [(0,)]
    assert con.execute("""select count(*), count(distinct row_key) from audit_log
                          where table_name = 'events' and (row_key like 'alpha-%' or row_key like 'beta-%')""").fetchall() == [
        (2 * runs * per,) * 2]
    assert con.execute("select count(distinct action) from audit_log where action like 'import bundle #%'").fetchall() == [(1 + 2 * runs,)]
    assert store.data_version(con) == before[1] + 4 * runs  # each import and each grade committed once
    con.close()


def test_data_as_of_names_the_snapshot_read(any_seeded: duckdb.DuckDBPyConnection, backend: str) -> None:
    from lib import catalog

    as_of = catalog.data_as_of(any_seeded)
    word = "snapshot" if backend == "lake" else "data version"
    assert as_of.strftime("%Y").endswith(f", {word} {store.snapshot_of(any_seeded).number}")
    before = store.snapshot_of(any_seeded).number
    with store.transaction(any_seeded, "tests", "add topic") as audit:
        any_seeded.execute("insert into topics values ('t-new', 'New', null)")
        audit.row("topics", "t-new", None, {"topic_id": "t-new"})
    assert store.snapshot_of(any_seeded).number > before


def test_a_saved_brief_reopens_as_it_was_on_the_team_store_only(any_seeded_setting: str, backend: str) -> None:
    """Saved on the team store, a brief reopens at its snapshot after later imports; on a file the page says why not."""
    from lib import brief as briefs

    con = store.connect(any_seeded_setting)
    brief = briefs.Brief(title="S-400", items=[briefs.BriefItem("timeline", {"topic": "s400"})])
    saved_counts = store.table_counts(con)
    briefs.save(con, brief, who="tests")
    with store.transaction(con, "tests", "later events") as audit:
        con.execute("insert into events (event_id, occurred_on, event_type, title, topic_id) values ('later', '2025-01-01', 'test', 'Later', 's400')")
        audit.wrote("events")
    reopened = briefs.load(con, brief.brief_id)
    assert reopened.snapshot == brief.snapshot is not None
    if backend == "file":
        with pytest.raises(store.StoreError, match="needs the team store"):
            briefs.as_it_was(any_seeded_setting, reopened)
        return
    past = briefs.as_it_was(any_seeded_setting, reopened)
    assert store.table_counts(past) == saved_counts
    assert store.snapshot_of(past).number == brief.snapshot
    then, now = briefs.assemble(past, reopened), briefs.assemble(con, reopened)
    assert f"snapshot {brief.snapshot}" in then.as_of and then.as_of != now.as_of
    with pytest.raises(duckdb.Error):
        past.execute("insert into topics values ('x', 'x', null)")
    past.close()
    con.close()


@pytest.mark.parametrize("backend", ["lake"])
def test_backup_wipe_restore_gives_the_same_store(any_setting: str, postgres, tmp_path: Path) -> None:
    """docs/DEPLOY.md "Backups and restore": pg_dump of the catalog, then a copy of the data path; wiped; restored."""
    import os
    import shutil

    con = store.connect(any_setting)
    import_bundle(con, ROOT / "data" / "seed", who="tests")
    with store.transaction(con, "tests", "more") as audit:
        con.execute("insert into topics values ('t-new', 'New', null)")
        audit.row("topics", "t-new", None, {"topic_id": "t-new"})
    before = (_counts(con), store.snapshot_of(con))
    con.close()
    database = store.db_path(any_setting).catalog.split()[0].removeprefix("dbname=")
    data = Path(os.environ[backend.DATA_PATH_ENV])
    postgres.run("pg_dump", "--format=custom", f"--file={tmp_path / 'catalog.dump'}", database)
    shutil.copytree(data, tmp_path / "data-copy")
    postgres.run("dropdb", database)
    shutil.rmtree(data)
    with pytest.raises(store.StoreError):
        store.connect(any_setting, read_only=True)
    postgres.run("createdb", database)
    postgres.run("pg_restore", "--no-owner", f"--dbname={database}", str(tmp_path / "catalog.dump"))
    shutil.copytree(tmp_path / "data-copy", data, dirs_exist_ok=True)
    con = store.connect(any_setting)
    assert (_counts(con), store.snapshot_of(con)) == before
    assert con.execute("select count(*) from events").fetchall() == [(before[0][0]["events"],)]
    con.close()


def test_sessions_opening_cursors_at_once_all_reach_the_store(any_seeded: duckdb.DuckDBPyConnection) -> None:
    """The dashboard's sessions each take a cursor of the shared connection from their own threads, at once.

    Asking the shared connection which database is in use raced (IndexError on 6 of 40 page loads in
    bench/team_concurrency.py; 156 of 2,400 cursors here): the question is asked on the new cursor instead.
    """
    errors: list[str] = []
    counts: list[int] = []

    def session() -> None:
        for _ in range(50):
            try:
                cur = store.cursor(any_seeded)
                counts.append(cur.execute("select count(*) from events").fetchall()[0][0])
                cur.close()
            except Exception as exc:  # the finding is the list of errors, asserted empty below
                errors.append(repr(exc)[:120])

    threads = [threading.Thread(target=session) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert set(counts) == {5}


def test_the_cli_imports_into_either_store(any_seeded_setting: str, capsys: pytest.CaptureFixture[str]) -> None:
    """`import` on the team store writes at once (no inbox: DuckLake takes concurrent writers); on a file likewise when free.

    The CLI once looked for queued jobs of the team store as if it were a file and failed (bench/team_concurrency.py).
    """
    from lib import cli

    assert cli.main(["--db", any_seeded_setting, "import", "acled", str(ROOT / "tests" / "data" / "acled_current.csv")]) == 0
    assert "inserted" in capsys.readouterr().out
    con = store.connect(any_seeded_setting, read_only=True)
    assert con.execute("select count(*) from events where origin = 'acled'").fetchall()[0][0] > 0
    con.close()
