"""The import inbox (lib/ingest/inbox.py): atomic queue and claim, arrival order, crash recovery, refusals kept,
and the CLI handing an import to the process that holds the store."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest

from lib import store
from lib.ingest import inbox
from tests.conftest import ROOT, SEED
from tests.test_paths import GDELT2_SAMPLE
from tests.unit.test_cli import cli

LINES = GDELT2_SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)


def gdelt_part(folder: Path, name: str, start: int, count: int) -> Path:
    """``count`` lines of the real GDELT 2.0 sample from line ``start``, as a file of its own (a smaller update)."""
    path = folder / name
    path.write_text("".join(LINES[start:start + count]), encoding="utf-8")
    return path


def counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return store.table_counts(con)


def test_claims_are_atomic_each_job_taken_once(tmp_path: Path) -> None:
    """Four threads racing to claim twelve jobs take each exactly once, and nothing is left half-written."""
    db = tmp_path / "s.duckdb"
    part = gdelt_part(tmp_path, "x.CSV", 0, 3)
    queued = {inbox.queue(db, "gdelt", part, "t").id for _ in range(12)}
    taken: list[str] = []

    def claim() -> None:
        while (job := inbox.claim_next(db)) is not None:
            taken.append(job.name)

    threads = [threading.Thread(target=claim) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(taken) == sorted(queued) and len(queued) == 12
    assert os.listdir(inbox.inbox_dir(db) / "tmp") == [] and os.listdir(inbox.inbox_dir(db) / "new") == []


def test_an_input_that_cannot_be_copied_queues_nothing(tmp_path: Path) -> None:
    """A bundle folder holding a FIFO is refused before anything is queued, and its half-made copy is removed."""
    db, folder = tmp_path / "s.duckdb", tmp_path / "bundle"
    folder.mkdir()
    (folder / "topics.csv").write_text("topic_id,name\nt1,One\n", encoding="utf-8")
    os.mkfifo(folder / "events.csv")
    with pytest.raises(inbox.QueueError, match=r"events\.csv: not a regular file"):
        inbox.queue(db, "bundle", folder, "t")
    with pytest.raises(inbox.QueueError, match="no such file"):
        inbox.queue(db, "gdelt", tmp_path / "missing.CSV", "t")
    assert os.listdir(inbox.inbox_dir(db) / "tmp") == [] and inbox.jobs(db) == []


def test_jobs_apply_in_arrival_order_as_the_user_who_queued_them(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """Three updates queued c, a, b apply c, a, b (rising import ids), each logged as its user '(queued from CLI)'."""
    db = tmp_path / "test.duckdb"
    parts = [gdelt_part(tmp_path, name, start, 50) for name, start in (("c.CSV", 0), ("a.CSV", 50), ("b.CSV", 100))]
    for part in parts:
        inbox.queue(db, "gdelt", part, "cron")
    applied = inbox.drain(con, db)
    assert [(j.file, j.state) for j in applied] == [("c.CSV", "applied"), ("a.CSV", "applied"), ("b.CSV", "applied")]
    assert [j.import_id for j in applied] == sorted(j.import_id for j in applied)
    logged = con.execute("select file_name, who, status from imports order by import_id").fetchall()
    assert logged == [(p.name, "cron (queued from CLI)", "applied") for p in parts]
    assert counts(con)["events"] == 150
    assert not (inbox.inbox_dir(db) / "done" / applied[0].id / "input").exists()  # the copy goes once the rows are stored
    assert [j.id for j in inbox.jobs(db)] == [j.id for j in reversed(applied)]  # listed newest first


def test_a_refused_job_keeps_the_refusal_and_the_store_is_unchanged(seeded: duckdb.DuckDBPyConnection,
                                                                     seeded_path: Path, tmp_path: Path) -> None:
    """A GDELT update with a bad date fails as a direct import would: store unchanged, the refusal kept word for word."""
    fields = LINES[1].split("\t")
    fields[1] = "20171345"  # SQLDATE: month 13
    bad = tmp_path / "bad.CSV"
    bad.write_text(LINES[0] + "\t".join(fields), encoding="utf-8")
    before = counts(seeded)
    inbox.queue(seeded_path, "gdelt", bad, "cron")
    [job] = inbox.drain(seeded, seeded_path)
    assert job.state == "failed" and job.import_id is None
    assert job.first_line().startswith("import refused, nothing changed: 1 problem(s); first: bad.CSV row 2, column ")
    assert counts(seeded) == before
    assert seeded.execute("select who, status from imports where file_name = 'bad.CSV'").fetchall() == [
        ("cron (queued from CLI)", "refused")]
    assert inbox.jobs(seeded_path)[0].outcome == job.outcome  # kept with the job


def test_a_queued_bundle_can_be_undone_like_any_import(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """The seed bundle queued and applied gets an import id that `undo` takes back whole."""
    from lib.edits import revert

    db = tmp_path / "test.duckdb"
    inbox.queue(db, "bundle", SEED, "ana")
    [job] = inbox.drain(con, db)
    assert job.state == "applied" and counts(con)["statements"] > 0
    revert.undo_import(con, job.import_id, "ana")
    assert sum(counts(con).values()) == 0


def test_a_crash_mid_import_leaves_the_job_claimable(tmp_path: Path) -> None:
    """A process killed inside the import's transaction leaves the job in work/ and no rows; the next drain applies it once."""
    db = tmp_path / "s.duckdb"
    store.connect(db).close()
    inbox.queue(db, "gdelt", gdelt_part(tmp_path, "u.CSV", 0, 40), "cron")
    crashed = subprocess.run([sys.executable, "-c", textwrap.dedent(f"""
        import os
        from lib import store
        from lib.ingest import history, inbox
        history.record = lambda *a, **k: os._exit(9)  # dies inside the transaction, the rows written but not committed
        con = store.connect({str(db)!r})
        inbox.drain(con, {str(db)!r})
    """)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert crashed.returncode == 9, crashed.stderr
    assert [j.state for j in inbox.jobs(db)] == ["applying"]
    con = store.connect(db)
    assert counts(con)["events"] == 0
    [job] = inbox.drain(con, db)
    assert (job.state, counts(con)["events"]) == ("applied", 40)
    assert con.execute("select count(*) from imports").fetchall() == [(1,)]


def test_one_worker_per_store_applies_what_arrives(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """Starting the worker twice gives the same thread; a job queued later is applied within seconds."""
    db = tmp_path / "test.duckdb"
    worker = inbox.start_worker(con, db, poll=0.1)
    try:
        assert inbox.start_worker(con, str(db), poll=0.1) is worker
        assert sum(t.name == worker.name for t in threading.enumerate()) == 1
        inbox.queue(db, "gdelt", gdelt_part(tmp_path, "w.CSV", 0, 10), "cron")
        deadline = time.monotonic() + 30
        while [j.state for j in inbox.jobs(db)] != ["applied"]:
            assert time.monotonic() < deadline, inbox.jobs(db)
            time.sleep(0.1)
        assert inbox.worker_pid(db) == os.getpid()
    finally:
        worker.stop()


@contextmanager
def holding(db: Path, worker: bool) -> Iterator[int]:
    """Another process holds the store (as the dashboard does: with the inbox worker, or without); yields its pid."""
    start = f"inbox.start_worker(con, {str(db)!r}, poll=0.2)" if worker else ""
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import time
        from lib import store
        from lib.ingest import inbox
        con = store.connect({str(db)!r})
        {start}
        print('ready', flush=True)
        time.sleep(120)
    """)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        yield holder.pid
    finally:
        holder.kill()
        holder.wait()


def test_cli_import_while_the_store_is_held_is_queued_and_applied(tmp_path: Path) -> None:
    """`import gdelt` against a held store exits 4 naming the holder as what applies it; its rows arrive within 60 s."""
    db = tmp_path / "s.duckdb"
    store.connect(db).close()
    with holding(db, worker=True) as pid:
        done = cli("--db", str(db), "--who", "cron", "import", "gdelt", str(GDELT2_SAMPLE))
        assert done.returncode == 4, done.stderr
        assert f"the dashboard (process {pid}, which holds the store) applies it within seconds" in done.stdout
        assert done.stdout.count("\n") == 1 and "python -m lib.cli queue" in done.stdout
        refused = cli("--db", str(db), "import", "gdelt", str(GDELT2_SAMPLE), "--no-queue")
        assert refused.returncode == 2 and f"held by process {pid}" in refused.stderr
        deadline = time.monotonic() + 60
        while (listed := cli("--db", str(db), "queue").stdout.splitlines()[1:]) and "\tapplied\t" not in listed[0]:
            assert time.monotonic() < deadline, listed
            time.sleep(0.5)
        assert len(listed) == 1 and "\tgdelt\tgdelt2_events_sample_2017.export.CSV\tcron\t" in listed[0]
    con = store.connect(db)
    assert counts(con)["events"] == len(LINES)
    assert con.execute("select who, status from imports").fetchall() == [("cron (queued from CLI)", "applied")]


def test_a_holder_without_a_worker_leaves_the_job_for_the_next_direct_import(tmp_path: Path) -> None:
    """Held by a process that applies no queue, the CLI says the job waits; the next direct import applies it first."""
    db = tmp_path / "s.duckdb"
    store.connect(db).close()
    first, second = gdelt_part(tmp_path, "first.CSV", 0, 30), gdelt_part(tmp_path, "second.CSV", 30, 30)
    with holding(db, worker=False) as pid:
        done = cli("--db", str(db), "import", "gdelt", str(first))
        assert done.returncode == 4 and f"process {pid} holds the store but applies no queue" in done.stdout
    direct = cli("--db", str(db), "import", "gdelt", str(second))
    assert direct.returncode == 0, direct.stderr
    assert "(first.CSV) applied: events: 30 inserted" in direct.stderr
    con = store.connect(db)
    assert con.execute("select file_name, who from imports order by import_id").fetchall() == [
        ("first.CSV", "cli (queued from CLI)"), ("second.CSV", "cli")]


def test_a_dry_run_is_never_queued(tmp_path: Path) -> None:
    """`import bundle --dry-run` against a held store is refused as before and queues nothing."""
    db = tmp_path / "s.duckdb"
    store.connect(db).close()
    with holding(db, worker=False):
        done = cli("--db", str(db), "import", "bundle", str(SEED), "--dry-run")
    assert done.returncode == 2 and "held by process" in done.stderr
    assert inbox.jobs(db) == []


def test_a_job_not_written_by_the_cli_fails_alone(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """A job.json naming a path out of its folder, or not JSON at all, is failed with a reason; the next job still applies."""
    db = tmp_path / "test.duckdb"
    first = inbox.queue(db, "gdelt", gdelt_part(tmp_path, "one.CSV", 0, 5), "cron")
    second = inbox.queue(db, "gdelt", gdelt_part(tmp_path, "two.CSV", 5, 5), "cron")
    third = inbox.queue(db, "gdelt", gdelt_part(tmp_path, "three.CSV", 10, 5), "cron")
    new = inbox.inbox_dir(db) / "new"
    (new / first.id / "job.json").write_text('{"kind": "gdelt", "file": "../../../etc/passwd", "who": "x"}', encoding="utf-8")
    (new / second.id / "job.json").write_bytes(b"\xff not json")
    states = [(j.id, j.state) for j in inbox.drain(con, db)]
    assert states == [(first.id, "failed"), (second.id, "failed"), (third.id, "applied")]
    assert inbox.jobs(db)[2].outcome.startswith(f"error: job {first.id} names no import this program runs")
    assert counts(con)["events"] == 5


def test_a_job_applied_again_after_a_crash_past_its_commit_changes_nothing(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """A job committed but not yet moved to done/ when the process died is applied again: 'unchanged', no row twice."""
    db = tmp_path / "test.duckdb"
    inbox.queue(db, "gdelt", gdelt_part(tmp_path, "u.CSV", 0, 20), "cron")
    [job] = inbox.drain(con, db)
    root = inbox.inbox_dir(db)
    os.rename(root / "done" / job.id, root / "work" / job.id)  # as if the process died between the commit and the move
    (root / "work" / job.id / "result.json").unlink()
    (root / "work" / job.id / "input").mkdir()
    shutil.copyfile(tmp_path / "u.CSV", root / "work" / job.id / "input" / "u.CSV")
    [again] = inbox.drain(con, db)
    assert (again.id, again.state) == (job.id, "applied") and again.outcome.startswith("nothing changed")
    assert counts(con)["events"] == 20
    os.rename(root / "done" / job.id, root / "work" / job.id)  # died after its result.json: only moved on, not imported
    [moved] = inbox.drain(con, db)
    assert (moved.state, moved.outcome) == ("applied", again.outcome)
    assert con.execute("select status from imports order by import_id").fetchall() == [("applied",), ("unchanged",)]


def test_a_store_that_is_no_file_gets_no_worker(con: duckdb.DuckDBPyConnection) -> None:
    """An in-memory store or a DuckLake catalog is held by nobody: no worker, no inbox folder made."""
    assert inbox.start_worker(con, ":memory:") is None
    assert inbox.start_worker(con, "ducklake:postgres:dbname=x host=/run/postgresql") is None
    assert not Path("ducklake:postgres:dbname=x host=").exists()
