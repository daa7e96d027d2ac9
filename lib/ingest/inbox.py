"""Imports handed to the process that holds the store: a spool folder beside the store file.

DuckDB lets one process hold a store file read-write, and the running
dashboard holds it for its whole life; a nightly `python -m lib.cli import
gdelt FILE` from cron used to be refused and the night's import was lost. Now
the CLI that finds the store held copies its input into the store's inbox and
exits 4 (:data:`lib.cli.QUEUED`); the dashboard's worker — one daemon thread
per store in the process that holds it — applies it through the same importer
a direct import runs (writer lock, audit, an ``imports`` row naming the user
"(queued from CLI)"). Whoever holds the store owns its inbox: a direct CLI
import applies the waiting jobs first, so jobs apply in the order they arrived
and none is stranded when no dashboard runs.

Every step is one rename inside one folder tree (maildir-style), so a job is
never seen half-written and never claimed twice::

    <store>.inbox/tmp/<random>/        being written by the CLI
    <store>.inbox/new/<id>/            waiting; the id starts with the UTC time of arrival, so names sort in arrival order
    <store>.inbox/work/<id>/           claimed: being applied
    <store>.inbox/done/<id>/           applied (or unchanged): job.json and result.json, the input copy removed
    <store>.inbox/failed/<id>/         refused or failed: the same, result.json holding the refusal
    <store>.inbox/worker               the pid of the process whose worker polls this inbox

A job folder holds ``job.json`` (kind, file name, original path, mentions,
skip_bad_rows, who, the login that queued it, when) and ``input/`` with the
copied files. A claimed job left in ``work/`` by a process that died (kill -9
mid-import: the import's one transaction rolled back) goes back to ``new/`` the
next time the holder drains the inbox, and is applied again; applying a job
twice is harmless, as a re-import adds only what is new.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import logging
import os
import secrets
import shutil
import stat
import threading
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from lib import errorlog, store
from lib.ingest.report import ImportRefused, ImportResult, ProgressFn

log = logging.getLogger(__name__)

KINDS = ("bundle", "gdelt", "icews", "acled")
"""What the inbox takes: the CLI's `import` kinds."""
POLL_SECONDS = 2.0
"""How often the worker looks for new jobs."""
QUEUED_BY = "(queued from CLI)"
"""Added to the job's ``who`` in the audit log and the ``imports`` row, so a queued import is told from a direct one."""
STATES = {"new": "waiting", "work": "applying", "done": "applied", "failed": "failed"}
"""The inbox's folders and the state a job in each is shown as."""


class QueueError(ValueError):
    """An input that cannot be queued (missing, or not a regular file or folder); the message names it."""


@dataclass(frozen=True)
class Job:
    """One queued import as the Data page and `python -m lib.cli queue` show it."""

    id: str
    state: str  # waiting, applying, applied, failed
    kind: str
    file: str
    who: str
    user: str
    original: str
    import_id: int | None = None
    outcome: str = ""  # the import's summary, or the refusal

    def first_line(self) -> str:
        """The outcome's first line (a refusal's count and first problem), for one-line listings."""
        return (self.outcome.splitlines() or [""])[0]

    def row(self) -> dict[str, Any]:
        """The job as a table row of plain values: what happened first, where it came from after."""
        return {"state": self.state, "kind": self.kind, "file": self.file, "import_id": self.import_id, "outcome": self.outcome,
                "who": self.who, "login": self.user, "original": self.original, "job": self.id}


def inbox_dir(store_file: str | os.PathLike[str]) -> Path:
    """The store's inbox: ``<store>.inbox`` beside the file (resolved, so the CLI and the dashboard agree)."""
    return Path(os.path.realpath(store_file) + ".inbox")


def import_now(con: duckdb.DuckDBPyConnection, kind: str, path: Path, who: Any, *, skip_bad_rows: bool = False,
               mentions: Path | None = None, progress: ProgressFn | None = None) -> ImportResult:
    """Run one import of ``kind`` directly: the one dispatch the CLI and the inbox worker share."""
    if kind == "bundle":
        from lib.ingest.bundle import import_bundle

        return import_bundle(con, path, who=who, progress=progress)
    from lib.ingest import datasets

    extra = {"mentions": mentions} if mentions else {}
    return datasets.IMPORTERS[kind](con, path, who=who, skip_bad_rows=skip_bad_rows, progress=progress, **extra)


def queue(store_file: str | os.PathLike[str], kind: str, path: Path, who: str, *, skip_bad_rows: bool = False,
          mentions: Path | None = None) -> Job:
    """Copy the input(s) into the inbox as one waiting job; raise QueueError (nothing queued) for an input that cannot be.

    The copy is written under ``tmp/`` and renamed into ``new/`` whole, so the worker never sees part of it.
    """
    if kind not in KINDS:
        raise QueueError(f"cannot queue a {kind!r} import: only {', '.join(KINDS)}")
    root = inbox_dir(store_file)
    for folder in ("tmp", "new"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    source = Path(os.path.abspath(path))  # `import bundle .` still gets its folder's name
    draft = root / "tmp" / secrets.token_hex(8)
    job = {"kind": kind, "file": source.name, "original": str(source), "mentions": Path(mentions).name if mentions else None,
           "skip_bad_rows": skip_bad_rows, "who": who, "user": _login(),
           "queued_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    try:
        _copy_input(source, draft / "input" / source.name)
        if mentions:
            _copy_input(Path(mentions), draft / "mentions" / Path(mentions).name)
        (draft / "job.json").write_text(json.dumps(job, ensure_ascii=False, indent=1), encoding="utf-8")
        job_id = f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S%fZ}-{os.getpid()}-{secrets.token_hex(3)}"
        os.rename(draft, root / "new" / job_id)
    except BaseException:
        shutil.rmtree(draft, ignore_errors=True)
        raise
    return Job(job_id, "waiting", kind, source.name, who, job["user"], str(source))  # not read back: a worker may have it already


def _copy_input(source: Path, target: Path) -> None:
    """Copy a file (following a link the user named) or a bundle folder (its links kept as links, so the import
    refuses them as it would the originals); anything else — a FIFO, a device — cannot be queued."""
    if not source.exists():
        raise QueueError(f"no such file: {source}")
    target.parent.mkdir(parents=True)
    if source.is_file():
        shutil.copyfile(source, target)
    elif source.is_dir():
        shutil.copytree(source, target, symlinks=True, copy_function=_copy_regular)
    else:
        raise QueueError(f"cannot queue {source}: not a regular file or folder")


def _copy_regular(source: str, target: str) -> None:
    if not stat.S_ISREG(os.lstat(source).st_mode):
        raise QueueError(f"cannot queue {source}: not a regular file")
    shutil.copyfile(source, target)


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name for this uid (a container)
        return ""


def jobs(store_file: str | os.PathLike[str], finished: int = 50) -> list[Job]:
    """The inbox, newest first: every waiting or applying job, and the latest ``finished`` applied or failed ones."""
    root = inbox_dir(store_file)
    listed: list[Path] = []
    for folder in STATES:
        names = sorted(_names(root / folder), reverse=True)
        listed += [root / folder / name for name in (names[:finished] if folder in ("done", "failed") else names)]
    found = []
    for folder in sorted(listed, key=lambda p: p.name, reverse=True):
        try:
            found.append(_job(folder))
        except OSError:  # moved on between listing and reading: it shows at the next look
            continue
    return found


def _names(folder: Path) -> list[str]:
    try:
        return os.listdir(folder)
    except FileNotFoundError:
        return []


def _job(folder: Path) -> Job:
    """The job in ``folder``; raises OSError when it moved on meanwhile. A damaged job.json shows as empty fields."""
    spec, result = _read_json(folder / "job.json"), _read_json(folder / "result.json", missing_ok=True)
    return Job(folder.name, STATES[folder.parent.name], *(str(spec.get(k, "")) for k in ("kind", "file", "who", "user", "original")),
               result.get("import_id"), str(result.get("outcome", "")))


def _read_json(path: Path, missing_ok: bool = False) -> dict[str, Any]:
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if missing_ok:
            return {}
        raise
    except ValueError:  # not JSON, or not UTF-8: written by something other than this module
        return {}
    return found if isinstance(found, dict) else {}


def claim_next(store_file: str | os.PathLike[str]) -> Path | None:
    """Claim the oldest waiting job by renaming it into ``work/``: of two claimers, exactly one wins each job."""
    root = inbox_dir(store_file)
    for name in sorted(_names(root / "new")):
        (root / "work").mkdir(exist_ok=True)
        try:
            os.rename(root / "new" / name, root / "work" / name)
        except FileNotFoundError:  # another claimer took it
            continue
        return root / "work" / name
    return None


def recover(store_file: str | os.PathLike[str]) -> int:
    """Put jobs claimed by a process that died back to waiting (their import rolled back); how many.

    Only the process holding the store drains its inbox, and it drains one job at a time, so a job in ``work/``
    when a drain starts is one that nobody is applying.
    """
    root = inbox_dir(store_file)
    back = 0
    for name in _names(root / "work"):
        with suppress(FileNotFoundError):
            os.rename(root / "work" / name, root / "new" / name)
            back += 1
    return back


def apply(con: duckdb.DuckDBPyConnection, claimed: Path, store_file: str | os.PathLike[str]) -> Job:
    """Apply a claimed job as a direct import would, keep its outcome in result.json and move it to done/ or failed/.

    A refusal (bad input: the store unchanged) is kept word for word; a fault of the program is kept as the one line
    the CLI would print, its trace in the log. Only an interruption of the process itself leaves the job in work/;
    one that already has its result.json (the process died just after it) is only moved on, not imported again.
    """
    outcome = _read_json(claimed / "result.json", missing_ok=True) or _run(con, claimed, store_file)
    (claimed / "result.json").write_text(json.dumps(outcome, ensure_ascii=False, indent=1), encoding="utf-8")
    finished = claimed.parent.parent / ("failed" if outcome.get("status") in ("refused", "error") else "done") / claimed.name
    finished.parent.mkdir(exist_ok=True)
    os.rename(claimed, finished)
    for copied in ("input", "mentions"):  # the store holds the rows now; a refused file is still at its original path
        shutil.rmtree(finished / copied, ignore_errors=True)
    return _job(finished)


def _run(con: duckdb.DuckDBPyConnection, claimed: Path, store_file: str | os.PathLike[str]) -> dict[str, Any]:
    """Import a claimed job's copy; its outcome as result.json keeps it: status, import id, summary or refusal."""
    spec = _read_json(claimed / "job.json")
    try:
        if spec.get("kind") not in KINDS or not spec.get("file") or not all(_plain_name(spec.get(n)) for n in ("file", "mentions")):
            raise QueueError(f"job {claimed.name} names no import this program runs (a job.json not written by the CLI)")
        mentions = claimed / "mentions" / spec["mentions"] if spec.get("mentions") else None
        result = import_now(con, spec["kind"], claimed / "input" / spec["file"], f"{spec.get('who') or 'cli'} {QUEUED_BY}",
                            skip_bad_rows=spec.get("skip_bad_rows", False), mentions=mentions)
        return {"status": result.status, "import_id": result.import_id, "outcome": result.summary()}
    except ImportRefused as exc:
        return {"status": "refused", "outcome": "\n".join([exc.first_line(), *str(exc).splitlines()[1:]])}
    except (store.StoreError, QueueError, OSError) as exc:
        return {"status": "error", "outcome": f"error: {exc}"}
    except Exception as exc:  # a fault of the program: one line kept with the job, the trace in the log
        logged = errorlog.record(exc, f"queued import {claimed.name}", errorlog.log_path(store_file))
        return {"status": "error", "outcome": errorlog.one_line(exc, logged)}


def _plain_name(name: object) -> bool:
    """A file name inside the job's folder (or no file): never a path that leads out of it."""
    return name is None or (isinstance(name, str) and name not in ("", ".", "..") and Path(name).name == name)


NOT_FILES = (":memory:", "ducklake:")
"""Stores that are no single file: nothing holds them exclusively, so they have no inbox."""


def has_inbox(store_file: object) -> bool:
    """Whether the store is one DuckDB file, the only kind one process holds (so the only kind with an inbox)."""
    return not str(store_file).startswith(NOT_FILES)


def drain(con: duckdb.DuckDBPyConnection, store_file: str | os.PathLike[str],
          on_job: Callable[[Job], None] | None = None) -> list[Job]:
    """Apply every waiting job, oldest first (jobs queued meanwhile included); call only while holding the store.

    A store that is not one file has no inbox: nothing to apply.
    """
    if not has_inbox(store_file):
        return []
    recover(store_file)
    applied = []
    while (claimed := claim_next(store_file)) is not None:
        job = apply(con, claimed, store_file)
        applied.append(job)
        if on_job:
            on_job(job)
    return applied


def worker_pid(store_file: str | os.PathLike[str]) -> int | None:
    """The pid of the process whose worker polls this inbox (what the CLI tells the user will apply a job), or None."""
    try:
        return int((inbox_dir(store_file) / "worker").read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None


class Worker(threading.Thread):
    """The daemon thread that drains one store's inbox every :data:`POLL_SECONDS`, on its own cursor."""

    def __init__(self, con: duckdb.DuckDBPyConnection, store_file: str, poll: float) -> None:
        super().__init__(name=f"inbox {store_file}", daemon=True)
        self.con, self.store_file, self.poll = con, store_file, poll
        self.stopping = threading.Event()

    def run(self) -> None:
        cursor = self.con.cursor()
        _announce(self.store_file)
        while not self.stopping.is_set():
            try:
                drain(cursor, self.store_file)
            except duckdb.ConnectionException:  # the store was closed: nothing left to apply to
                return
            except Exception as exc:  # the inbox unreadable for a moment: say so in the log, try again
                errorlog.record(exc, "inbox worker", errorlog.log_path(self.store_file))
            self.stopping.wait(self.poll)

    def stop(self) -> None:
        """End the loop after the job in hand (tests)."""
        self.stopping.set()
        self.join(30)


_WORKERS: dict[str, Worker] = {}
_WORKERS_GUARD = threading.Lock()


def start_worker(con: duckdb.DuckDBPyConnection, store_file: str | os.PathLike[str], poll: float = POLL_SECONDS) -> Worker | None:
    """Start this process's worker for the store, or return the one already running: never two for one store.

    None for a store that is not one DuckDB file (in memory; a DuckLake catalog serves several writers itself).
    """
    if not has_inbox(store_file):
        return None
    key = os.path.realpath(store_file)
    with _WORKERS_GUARD:
        running = _WORKERS.get(key)
        if running is None or not running.is_alive():
            running = _WORKERS[key] = Worker(con, key, poll)
            running.start()
        return running


def _announce(store_file: str) -> None:
    """Write this process's pid as the inbox's worker (renamed into place whole), so a CLI can say who applies its job."""
    root = inbox_dir(store_file)
    try:
        root.mkdir(exist_ok=True)
        draft = root / f"worker.{os.getpid()}"
        draft.write_text(str(os.getpid()), encoding="ascii")
        os.replace(draft, root / "worker")
    except OSError as exc:  # a read-only folder: the CLI then cannot queue here either, and says why
        log.warning("inbox %s not writable: %s", root, exc)
