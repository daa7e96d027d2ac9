"""Schema upgrades on both backends: the embedded file and the team store (DuckLake on a throwaway PostgreSQL).

An old store is made by creating one at the current version and undoing what the migrations since did (drop the
columns and tables they added, set the version back), on each backend from the same statements: the team store's
tables are derived from schema.sql's text at run time, so there is no older DuckLake DDL to rebuild from, and the
undo names exactly the steps the upgrade must redo. A later schema's migrations (9, 10, …) go through the same
machinery; the "future" tests below add one to show that it does.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from lib import backend, store
from tests.unit.test_store import _own_labels

DATA_TABLES = (*store.TABLES, "audit_log", "imports")


def _contents(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    """Every row of every data table but the derived label, in a fixed order."""
    return {t: con.execute(f"select * exclude (own_continuity) from {t} order by all" if t == "statements"
                           else f"select * from {t} order by all").fetchall() for t in DATA_TABLES}


def _rewind_to_1(con: duckdb.DuckDBPyConnection) -> None:
    """Undo what the migrations added: the derived label, link counts, claim judgements and full-text index; mark it
    version 1."""
    con.execute("alter table statements drop column own_continuity")
    for table in ("event_actor_months", "event_actor_days", "timeline_actor_months", "claim_judgements", "source_judgement_totals",
                  "search_postings", "search_docs", "search_terms", "search_stats", "series_standings",
                  "source_document_counts", "event_type_counts"):
        con.execute(f"drop table {table}")
    con.execute("update meta set value = '1' where key = 'schema_version'")


def test_a_version_1_store_upgrades_with_its_data_and_derived_data(any_seeded_setting: str) -> None:
    """Every migration from 1 runs on either backend: columns added, tables renamed and refilled, the wording
    re-flagged (schema 7), the derived label and link counts filled; every row kept."""
    con = store.connect(any_seeded_setting)
    with store.transaction(con, "test", "a declaration the old detector missed") as audit:
        con.execute("insert into actors (actor_id, name, kind) values ('TUR-MFA', 'Foreign Ministry', 'ministry')")
        con.execute("insert into statements (statement_id, stated_on, actor_id, topic_id, position_code, quote, "
                    "self_declared_continuity) values ('stmt-missed', '2026-01-01', 'TUR-MFA', 's400', 'retain', "
                    "'Turkey''s stance on the S-400 has not changed, a senior official said.', false)")
        audit.wrote("actors")
        audit.wrote("statements")
    before = _contents(con)
    _rewind_to_1(con)
    con.close()
    con = store.connect(any_seeded_setting)
    try:
        assert store.schema_version(con) == store.SCHEMA_VERSION
        after = _contents(con)
        assert con.execute("select self_declared_continuity from statements where statement_id = 'stmt-missed'").fetchall() == [(True,)]
        reflagged = [row for row in after["audit_log"] if row not in before["audit_log"]]
        assert [(row[2], row[4]) for row in reflagged] == [("upgrade", "statements")]
        after["audit_log"] = before["audit_log"]
        before["statements"] = [tuple(True if row[0] == "stmt-missed" and value is False else value for value in row)
                                for row in before["statements"]]
        assert after == before
        stored = dict(con.execute("select statement_id, own_continuity from statements").fetchall())
        assert stored == _own_labels(con) and stored["stmt-missed"] == "reaffirmed"
        for derived in ("event_actor_months", "event_actor_days"):
            assert con.execute(f"select sum(links) from {derived}").fetchall() == con.execute("select count(*) from event_actors").fetchall()
        assert con.execute("select sum(events), sum(statements), sum(claims) from timeline_actor_months").fetchall() == con.execute(
            "select (select count(*) from event_actors), (select count(*) from statements), (select count(*) from claims)").fetchall()
        for kept, recount in (("source_document_counts", "select source_id, count(*) from documents group by all"),
                              ("event_type_counts", "select event_type, count(*) from events group by all")):
            assert set(con.execute(f"select * from {kept}").fetchall()) == set(con.execute(recount).fetchall()) != set()
        with store.transaction(con, "test", "a write after the upgrade") as audit:  # the team store's rules still hold
            con.execute("insert into topics (topic_id, name) values ('new-topic', 'New')")
            audit.wrote("topics")
        with pytest.raises(duckdb.ConstraintException), store.transaction(con, "test", "a repeated key") as audit:
            con.execute("insert into topics (topic_id, name) values ('new-topic', 'Again')")
            audit.wrote("topics")
    finally:
        con.close()


def test_a_version_10_store_judges_every_series_standing_once(any_seeded_setting: str) -> None:
    """Schema 11 adds the kept standings: the upgrade judges every series in both modes, on either backend."""
    from tests.unit.test_standings import _from_scratch, _kept

    con = store.connect(any_seeded_setting)
    con.execute("drop table series_standings")
    con.execute("update meta set value = '10' where key = 'schema_version'")
    con.close()
    con = store.connect(any_seeded_setting)
    try:
        assert store.schema_version(con) == store.SCHEMA_VERSION
        # Turkey with its two voices; its ministry and its unnamed source, each with and without inherit
        assert len(_kept(con)) == 5 and _kept(con) == _from_scratch(con)
    finally:
        con.close()


FUTURE_MIGRATION = [
    "alter table topics add column tags varchar[] default []",
    "create index if not exists topics_by_name on topics (name)",
    "create sequence if not exists future_seq",
]


@pytest.fixture
def future_schema(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> int:
    """A schema one version past this program's: a column with a list default, an index and a sequence."""
    text = store.SCHEMA_SQL.read_text(encoding="utf-8")
    old_topics = "    description varchar\n);"
    assert old_topics in text
    future = tmp_path / "schema.sql"
    future.write_text(text.replace(old_topics, "    description varchar,\n    tags varchar[] default []\n);"), encoding="utf-8")
    version = store.SCHEMA_VERSION + 1
    monkeypatch.setattr(store, "SCHEMA_SQL", future)
    monkeypatch.setattr(store, "SCHEMA_VERSION", version)
    monkeypatch.setattr(store, "MIGRATIONS", {**store.MIGRATIONS, version - 1: FUTURE_MIGRATION})
    return version


def test_a_later_schema_upgrades_either_backend(any_seeded_setting: str, future_schema: int) -> None:
    """The machinery is not tied to one version: a later migration's list default holds on the team store too
    (filled by the upgrade, then by its writers), its index and sequence are left to the file."""
    con = store.connect(any_seeded_setting)
    try:
        assert store.schema_version(con) == future_schema
        assert con.execute("select distinct tags from topics").fetchall() == [([],)]
        with store.transaction(con, "test", "a new topic") as audit:
            con.execute("insert into topics (topic_id, name) values ('new-topic', 'New')")
            audit.wrote("topics")
        assert con.execute("select tags from topics where topic_id = 'new-topic'").fetchall() == [([],)]
    finally:
        con.close()


@pytest.mark.parametrize("backend", ["lake"])
def test_a_step_the_team_store_cannot_run_is_refused_and_changes_nothing(any_seeded_setting: str, future_schema: int,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """DuckLake has no user-defined types: the upgrade says so, what to do instead, and leaves the store as it was."""
    seeded = store.connect(any_seeded_setting, read_only=True)
    before = _contents(seeded)
    seeded.close()
    monkeypatch.setitem(store.MIGRATIONS, future_schema - 1, [*FUTURE_MIGRATION, "create type mood as enum ('calm', 'tense')"])
    with pytest.raises(store.StoreError, match=rf"cannot be upgraded from schema {future_schema - 1} to {future_schema}"
                                               r".*user-defined types.*Nothing was changed.*export bundle"):
        store.connect(any_seeded_setting)
    con = store.connect(any_seeded_setting, read_only=True)
    try:
        assert store.schema_version(con) == future_schema - 1
        assert _contents(con) == before
        assert "tags" not in [c[0] for c in con.execute("describe topics").fetchall()]
    finally:
        con.close()


def test_upgrade_statements_as_the_team_store_runs_them() -> None:
    """Indexes, sequences and constraints are the writers' on the team store; added columns lose what DuckLake refuses."""
    assert backend.lake_statements("create unique index x on events (event_id)") == []
    assert backend.lake_statements("CREATE SEQUENCE IF NOT EXISTS s") == []
    assert backend.lake_statements("alter table events add primary key (event_id)") == []
    assert backend.lake_statements("alter table t add column tags varchar[] default [];") == [
        "alter table t add column tags varchar[]", "update t set tags = [] where tags is null"]
    assert backend.lake_statements("alter table t add n integer default nextval('n_seq') check (n > 0)") == [
        "alter table t add column n integer"]
    assert backend.lake_statements("alter table t add column if not exists note varchar default 'x'") == [
        "alter table t add column if not exists note varchar default 'x'"]
    assert backend.lake_statements("alter table events rename to events_v3") == ["alter table events rename to events_v3"]


@pytest.mark.parametrize("backend", ["lake"])
def test_two_processes_upgrading_the_team_store_at_once_upgrade_it_once(any_seeded_setting: str,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Two app processes started together on an old team store: one upgrade commits, the other collides with it,
    finds the store current and opens it; no table refilled twice."""
    import threading

    con = store.connect(any_seeded_setting)
    before = _contents(con)
    _rewind_to_1(con)
    con.close()
    opened: list[object] = []
    both_upgraded = threading.Barrier(2)
    check = backend.enforce

    def enforce_when_both_upgraded(*args: object) -> None:  # the last step before commit: both commit together
        both_upgraded.wait(timeout=300)
        check(*args)

    monkeypatch.setattr(backend, "enforce", enforce_when_both_upgraded)
    upgrades: list[int] = []
    upgrade = store.ensure_schema
    monkeypatch.setattr(store, "ensure_schema", lambda c: (upgrades.append(store.schema_version(c)), upgrade(c))[1])

    def start() -> None:
        try:
            opened.append(store.connect(any_seeded_setting))  # its own DuckDB instance, as a second process has
        except Exception as exc:  # the test reports what either start raised
            opened.append(exc)

    starts = [threading.Thread(target=start) for _ in range(2)]
    for thread in starts:
        thread.start()
    for thread in starts:
        thread.join()
    assert all(isinstance(c, duckdb.DuckDBPyConnection) for c in opened), opened
    assert sorted(upgrades) == [1, 1, store.SCHEMA_VERSION]  # the loser looked again and found it current
    for connection in opened:
        connection.close()
    con = store.connect(any_seeded_setting, read_only=True)
    try:
        assert store.schema_version(con) == store.SCHEMA_VERSION
        after = _contents(con)
        assert {t: len(rows) for t, rows in after.items() if t != "audit_log"} == {t: len(rows) for t, rows in before.items() if t != "audit_log"}
    finally:
        con.close()
