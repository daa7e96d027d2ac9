"""Where an unexpected error's details go: a log file, so that the user reads one plain line and the trace is kept.

The file is ``--log PATH`` (CLI), else $STANCEWATCH_LOG, else ``stancewatch.log``
beside the store. A user is never shown a traceback: it may be long, it may
hold data, and it does not say what to do; the log holds it for whoever fixes
the fault.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import traceback
from pathlib import Path

from lib import backend

LOG_ENV = "STANCEWATCH_LOG"
LOG_NAME = "stancewatch.log"


def log_path(store_file: str | os.PathLike[str] | backend.Lake, override: str | os.PathLike[str] | None = None) -> Path:
    """The log file: ``override``, else $STANCEWATCH_LOG, else stancewatch.log in the store's folder (the working
    folder for the team store, which has no folder of its own)."""
    chosen = override or os.environ.get(LOG_ENV)
    if chosen:
        return Path(chosen)
    if isinstance(store_file, backend.Lake) or str(store_file).startswith(backend.LAKE_PREFIX):
        return Path.cwd() / LOG_NAME
    return Path(store_file).resolve().parent / LOG_NAME


def record(exc: BaseException, doing: str, path: Path) -> Path:
    """Append the time, what was being done and the traceback to the log; return where it went.

    When the log cannot be written (a read-only folder), the details go to a
    file in the system's temporary folder instead, so they are never lost.
    """
    entry = (f"--- {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M:%S} UTC, {doing}\n"
             + "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
    for target in (path, Path(tempfile.gettempdir()) / LOG_NAME):
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("a", encoding="utf-8") as log:
                log.write(entry)
            return target
        except OSError:
            continue
    return path


def one_line(exc: BaseException, logged: Path) -> str:
    """What the user reads: 'internal error: KeyError: 'x' (details in /path/stancewatch.log)'."""
    message = (str(exc).splitlines() or [""])[0][:200]
    return f"internal error: {type(exc).__name__}{': ' + message if message else ''} (details in {logged})"
