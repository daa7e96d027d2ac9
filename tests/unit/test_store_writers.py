"""Writes never lose each other: one process, one connection, a cursor per thread (as the dashboard runs), real threads."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from lib import store
from lib.ingest import history
from lib.ingest.acled import import_acled
from lib.ingest.bundle import apply as bundle_apply
from lib.ingest.bundle import import_bundle
from lib.ingest.report import ImportRefused
from lib.sources import reliability
from lib.stances import stance
from tests.conftest import ROOT, SEED, holding_write

ACLED = ROOT / "tests" / "data" / "acled_current.csv"


def _bundle(tmp_path: Path, name: str, events: int, prefix: str) -> Path:
    """A bundle of ``events`` new events on top of the seed (which the store already holds)."""
    folder = tmp_path / name
    folder.mkdir()
    lines = ["event_id,occurred_on,event_type,title"] + [f"{prefix}{i},2020-01-{i % 28 + 1:02d},test,Event {i}" for i in range(events)]
    (folder / "events.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.fixture
def slow_apply(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Make each table of a bundle take 0.6 s more to write; the event is set once a write has begun writing."""
    started = threading.Event()
    original = bundle_apply.apply_staged

    def slow(con, audit, staged):
        counts = original(con, audit, staged)  # the transaction has written (DuckDB takes its snapshot at the first statement)
        started.set()
        time.sleep(0.6)
        return counts

    monkeypatch.setattr(bundle_apply, "apply_staged", slow)
    return started


def _run(target, *args, **kwargs) -> tuple[threading.Thread, dict]:
    """Start ``target`` in a thread; its result or exception lands in the returned dict."""
    out: dict = {}

    def body() -> None:
        try:
            out["result"] = target(*args, **kwargs)
        except BaseException as exc:  # reported by the test
            out["error"] = exc

    thread = threading.Thread(target=body)
    thread.start()
    return thread, out


def test_grade_saved_during_an_import_waits_and_both_apply(any_seeded_setting: str, tmp_path: Path, slow_apply: threading.Event) -> None:
    """A grade and an acknowledgement saved while another session's import writes wait their turn: all three apply."""
    con = store.connect(any_seeded_setting)
    importer, analyst = store.cursor(con), store.cursor(con)
    queued: list[tuple[float, str]] = []
    thread, out = _run(import_bundle, importer, _bundle(tmp_path, "b", 50, "slow-"), "dashboard",
                       progress=lambda fraction, phrase: queued.append((fraction, phrase)))
    assert slow_apply.wait(60)  # the team store is slower per statement
    assert store.writer_busy(analyst) == "import bundle by dashboard"
    reliability.set_analyst_grade(analyst, "nefes", "E", "contradicted twice", who="analyst")
    stance.acknowledge_shifts(analyst, ["stmt-msb-no-change"], who="analyst")
    thread.join(120)
    assert "error" not in out, out
    assert out["result"].counts["events"]["inserted"] == 50
    assert analyst.execute("select analyst_grade from sources where source_id = 'nefes'").fetchall() == [("E",)]
    assert analyst.execute("select count(*) from events where event_id like 'slow-%'").fetchall() == [(50,)]
    assert analyst.execute("select count(*) from acknowledgements").fetchall() == [(1,)]
    assert analyst.execute("select status from imports order by import_id desc limit 1").fetchall() == [("applied",)]
    assert store.writer_busy(analyst) == ""
    con.close()


def test_two_imports_at_once_both_apply_and_the_second_says_it_queued(seeded_path: Path, tmp_path: Path, slow_apply: threading.Event) -> None:
    """A small import started while a big one writes is queued behind it; both land and both are in `imports`."""
    con = store.connect(seeded_path)
    first, second = con.cursor(), con.cursor()
    before = first.execute("select count(*) from imports").fetchall()[0][0]
    big_thread, big = _run(import_bundle, first, _bundle(tmp_path, "big", 500, "big-"), "session-1")
    assert slow_apply.wait(10)
    phrases: list[str] = []
    small = import_bundle(second, _bundle(tmp_path, "small", 3, "small-"), "session-2", progress=lambda f, p: phrases.append(p))
    big_thread.join(30)
    assert "error" not in big, big
    assert (big["result"].status, small.status) == ("applied", "applied")
    assert "queued behind import bundle by session-1" in phrases
    assert second.execute("select count(*) from events where event_id like 'big-%' or event_id like 'small-%'").fetchall() == [(503,)]
    assert second.execute("select who, status from imports where import_id > ? order by import_id", [0]).fetchall()[before:] == [
        ("session-1", "applied"), ("session-2", "applied")]
    con.close()


def test_a_write_that_waits_too_long_is_refused_in_words(seeded: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past STANCEWATCH_WRITE_WAIT a grade is refused with a sentence naming what held the store, and nothing changes."""
    monkeypatch.setenv(store.WRITE_WAIT_ENV, "0.2")
    holder, analyst = seeded.cursor(), seeded.cursor()
    with holding_write(holder, "dashboard", "import bundle"), pytest.raises(
            store.StoreBusy, match=r"set analyst grade was not saved: the store was busy with import bundle by dashboard.*STANCEWATCH_WRITE_WAIT"):
        reliability.set_analyst_grade(analyst, "nefes", "E", None, who="analyst")
    assert analyst.execute("select analyst_grade from sources where source_id = 'nefes'").fetchall() == [(None,)]


def test_an_import_that_waits_too_long_is_refused_and_logged(seeded: duckdb.DuckDBPyConnection, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """An import refused for waiting is an ImportRefused naming the file, and its attempt is in `imports` once the store frees."""
    monkeypatch.setenv(store.WRITE_WAIT_ENV, "0.3")
    holder, importer = seeded.cursor(), seeded.cursor()
    with holding_write(holder, "someone", "save brief", seconds=0.5), pytest.raises(ImportRefused) as refused:
        import_bundle(importer, _bundle(tmp_path, "b", 2, "late-"), "dashboard")  # refused after 0.3 s, logged once free at 0.5 s
    assert refused.value.problems[0].file == "b" and "busy with save brief by someone" in refused.value.problems[0].reason
    assert importer.execute("select status from imports order by import_id desc limit 1").fetchall() == [("refused",)]
    assert importer.execute("select count(*) from events where event_id like 'late-%'").fetchall() == [(0,)]


def test_a_conflict_from_outside_the_lock_is_refused_in_words_then_retried(seeded: duckdb.DuckDBPyConnection) -> None:
    """A write that collides with one the lock did not see (a raw transaction) becomes StoreBusy, and retry_on_conflict redoes it."""
    outsider, writer = seeded.cursor(), seeded.cursor()
    outsider.execute("begin transaction")
    outsider.execute("update meta set value = cast(cast(value as bigint) + 1 as varchar) where key = 'data_version'")
    attempts: list[int] = []

    def grade() -> None:
        attempts.append(1)
        if len(attempts) == 2:
            outsider.execute("commit")  # the other write finishes between the attempts
        reliability.set_analyst_grade(writer, "nefes", "D", None, who="analyst")

    with pytest.raises(store.StoreBusy, match="collided with another write"):
        reliability.set_analyst_grade(writer, "nefes", "D", None, who="analyst")
    store.retry_on_conflict(grade)
    assert len(attempts) == 2
    assert writer.execute("select analyst_grade from sources where source_id = 'nefes'").fetchall() == [("D",)]


def test_the_imports_row_commits_with_the_data(seeded: duckdb.DuckDBPyConnection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """When writing the `imports` row fails, the data rolls back with it and the attempt is logged as refused."""
    record = history.record

    def broken(con, who, fmt, file_name, digest, status, counts, message, import_id=None):
        if status != "refused":
            raise duckdb.ConstraintException("Constraint Error: imports is full")
        return record(con, who, fmt, file_name, digest, status, counts, message, import_id)

    monkeypatch.setattr(history, "record", broken)
    with pytest.raises(ImportRefused, match="the store refused it"):
        import_bundle(seeded, _bundle(tmp_path, "b", 3, "gone-"), "test")
    assert seeded.execute("select count(*) from events where event_id like 'gone-%'").fetchall() == [(0,)]
    assert seeded.execute("select status from imports order by import_id desc limit 1").fetchall() == [("refused",)]


KILL_AFTER_RECORD = """
import os, signal, sys
from lib import store
from lib.ingest import history
from lib.ingest.bundle import import_bundle
record = history.record
def record_then_die(*args, **kwargs):
    record(*args, **kwargs)
    os.kill(os.getpid(), signal.SIGKILL)  # after the data and its imports row, before the commit
history.record = record_then_die
import_bundle(store.connect(sys.argv[1]), sys.argv[2], who="doomed")
"""


def test_kill_9_mid_import_leaves_neither_data_nor_history(tmp_path: Path) -> None:
    """A process killed between writing a bundle and committing leaves no data and no `imports` row; a re-import applies it."""
    db = tmp_path / "s.duckdb"
    store.connect(db).close()
    bundle = tmp_path / "seed"
    shutil.copytree(SEED, bundle)
    done = subprocess.run([sys.executable, "-c", KILL_AFTER_RECORD, str(db), str(bundle)], cwd=ROOT, timeout=120, check=False,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == -signal.SIGKILL
    con = store.connect(db)
    assert store.table_counts(con)["events"] == 0
    assert con.execute("select count(*) from imports").fetchall() == [(0,)]
    assert import_bundle(con, bundle, who="again").status == "applied"
    con.close()


@pytest.mark.parametrize("setting", ["soon", "0", "-5", "inf"])
def test_a_bad_wait_setting_is_a_sentence(seeded: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch, setting: str) -> None:
    """STANCEWATCH_WRITE_WAIT that is not a positive number of seconds is refused in words when a write has to wait."""
    monkeypatch.setenv(store.WRITE_WAIT_ENV, setting)
    with holding_write(seeded.cursor(), "dashboard", "import bundle"), pytest.raises(store.StoreError, match="STANCEWATCH_WRITE_WAIT="):
        reliability.set_analyst_grade(seeded.cursor(), "nefes", "E", None, who="analyst")


KILL_DURING_DATASET = """
import os, signal, sys
from lib import store
from lib.ingest import history, tabular
from lib.ingest.acled import import_acled
moment = sys.argv[3]
owner, name = (history, "record") if moment == "before commit" else (tabular, "_write")
hooked = getattr(owner, name)
def then_die(*args, **kwargs):
    result = hooked(*args, **kwargs)  # before the commit: the rows and the imports row are written; after: committed
    os.kill(os.getpid(), signal.SIGKILL)
    return result
setattr(owner, name, then_die)
import_acled(store.connect(sys.argv[1]), sys.argv[2], who="doomed")
"""


@pytest.mark.parametrize(("moment", "events_kept"), [("before commit", False), ("after commit", True)])
def test_kill_9_mid_dataset_import_leaves_both_or_neither(tmp_path: Path, moment: str, events_kept: bool) -> None:
    """A dataset import killed after writing its rows and `imports` row leaves neither before the commit and both after it;
    a re-import then applies the file, or finds it unchanged with its history already there."""
    db = tmp_path / "s.duckdb"
    store.connect(db).close()
    done = subprocess.run([sys.executable, "-c", KILL_DURING_DATASET, str(db), str(ACLED), moment], cwd=ROOT, timeout=120,
                          check=False, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == -signal.SIGKILL, done.stderr
    con = store.connect(db)
    events = store.table_counts(con)["events"]
    assert (events > 0) == events_kept
    assert con.execute("select who, status from imports").fetchall() == ([("doomed", "applied")] if events_kept else [])
    assert import_acled(con, ACLED, who="again").status == ("unchanged" if events_kept else "applied")
    con.close()


def test_a_dataset_import_that_waits_too_long_is_refused_and_logged(seeded: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch) -> None:
    """A dataset import refused for waiting is an ImportRefused naming the file and what held the store, logged once it frees."""
    monkeypatch.setenv(store.WRITE_WAIT_ENV, "0.3")
    holder, importer = seeded.cursor(), seeded.cursor()
    before = store.table_counts(importer)["events"]
    with holding_write(holder, "someone", "save brief", seconds=0.6), pytest.raises(ImportRefused) as refused:
        import_acled(importer, ACLED, who="dashboard")
    assert refused.value.problems[0].file == ACLED.name and "busy with save brief by someone" in refused.value.problems[0].reason
    assert importer.execute("select format, status from imports order by import_id desc limit 1").fetchall() == [("acled", "refused")]
    assert store.table_counts(importer)["events"] == before


@pytest.mark.parametrize("writer", ["grade", "acknowledge", "brief"])
def test_a_small_write_that_collides_retries_by_itself(seeded: duckdb.DuckDBPyConnection, monkeypatch: pytest.MonkeyPatch,
                                                       writer: str) -> None:
    """A grade, an acknowledgement or a brief that meets another process's write (as on the team store) is done again, not refused.

    The outsider's transaction (a write the lock cannot see) holds until the first retry's pause, then commits.
    """
    from lib import brief

    outsider, cursor = seeded.cursor(), seeded.cursor()
    outsider.execute("begin transaction")
    outsider.execute("update meta set value = cast(cast(value as bigint) + 1 as varchar) where key = 'data_version'")
    pauses: list[float] = []

    def pause(seconds: float) -> None:
        pauses.append(seconds)
        if len(pauses) == 1:
            outsider.execute("commit")

    monkeypatch.setattr(store.time, "sleep", pause)
    write = {"grade": lambda: reliability.set_analyst_grade(cursor, "nefes", "D", None, who="analyst"),
             "acknowledge": lambda: stance.acknowledge_shifts(cursor, ["stmt-msb-no-change"], who="analyst"),
             "brief": lambda: brief.save(cursor, brief.Brief(title="Retried"), who="analyst")}[writer]
    write()
    assert len(pauses) == 1
    audited = cursor.execute("select count(*) from audit_log where action in ('set analyst grade', 'acknowledge shift', 'save brief')")
    assert audited.fetchall() == [(1,)]
