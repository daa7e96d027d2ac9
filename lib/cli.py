"""Command line: ``python -m lib.cli [--db PATH] COMMAND``.

Every command exits 2 with a one-line reason on stderr for bad input, and 3
with one line naming the log file (lib/errorlog.py) for a fault of the
program; no traceback reaches the user. An import that finds the store held
by the dashboard is queued for it and exits 4 (lib/ingest/inbox.py). The JSON reports are a public
interface documented in docs/CLI.md, written object by object as produced.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

from lib import errorlog, store
from lib.filters import Filters
from lib.ingest.report import ImportRefused


class CliError(Exception):
    """A bad input the user can fix; printed as one line."""


USER_ERROR, INTERNAL_ERROR, QUEUED, INTERRUPTED = 2, 3, 4, 130
"""Exit codes: bad input the user can fix; a fault of the program (details in the log file); an import handed to the
process that holds the store (lib/ingest/inbox.py); stopped by Ctrl-C."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return the process exit code."""
    args = _parser().parse_args(argv)
    try:
        return args.handler(args)
    except ImportRefused as exc:
        _progress.end()
        print(exc.first_line(), file=sys.stderr)
        if args.verbose:
            print(str(exc), file=sys.stderr)
        return USER_ERROR
    except BrokenPipeError:  # the reader of stdout went away (`| head`): not an error, and nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (CliError, store.StoreError, FileNotFoundError, ValueError, OSError) as exc:
        _progress.end()
        print(f"error: {exc}", file=sys.stderr)
        return USER_ERROR
    except KeyboardInterrupt:
        _progress.end()
        print("interrupted", file=sys.stderr)
        return INTERRUPTED
    except Exception as exc:  # a fault of the program: one line for the user, the trace in the log
        _progress.end()
        logged = errorlog.record(exc, f"python -m lib.cli {' '.join(sys.argv[1:] if argv is None else argv)}",
                                 errorlog.log_path(store.db_path(args.db), args.log))
        print(errorlog.one_line(exc, logged), file=sys.stderr)
        return INTERNAL_ERROR


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m lib.cli", description="Stancewatch store tools")
    parser.add_argument("--db", help=f"store file (default ${store.DB_ENV} or {store.DEFAULT_DB})")
    parser.add_argument("--who", default="cli", help="name recorded in the audit log")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every problem of a refused import")
    parser.add_argument("--log", help=f"where an internal error's details go (default ${errorlog.LOG_ENV}, else {errorlog.LOG_NAME} "
                                      "beside the store)")
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser("init", help="create or upgrade the store").set_defaults(handler=_init)

    imp = commands.add_parser("import", help="import a file").add_subparsers(dest="format", required=True)
    bundle = imp.add_parser("bundle", help="folder or zip of CSVs, one JSON, or one XLSX")
    bundle.add_argument("path", type=Path)
    bundle.add_argument("--dry-run", action="store_true", help="print what the import would change (table, key, field, old, new); write nothing")
    for fmt in ("gdelt", "icews", "acled"):
        sub = imp.add_parser(fmt, help=f"{fmt.upper()} events file")
        sub.add_argument("path", type=Path)
        sub.add_argument("--skip-bad-rows", action="store_true", help="import the good rows and list the bad ones")
        if fmt == "gdelt":
            sub.add_argument("--mentions", type=Path, help="GDELT 2.0 mentions file to add documents from")
    for sub in imp.choices.values():
        sub.add_argument("--no-queue", action="store_true",
                         help="when another process (the dashboard) holds the store, refuse instead of queuing the import for it")
        sub.set_defaults(handler=_import)

    commands.add_parser("queue", help="imports queued for the dashboard: waiting, applied, failed").set_defaults(handler=_queue)

    undo = commands.add_parser("undo", help="undo a bundle import: every row it changed back to its values before")
    undo.add_argument("import_id", type=int)
    undo.add_argument("--force", action="store_true", help="also when later writes changed the same rows (they are listed otherwise)")
    undo.set_defaults(handler=_undo)

    export = commands.add_parser("export", help="export data, charts or tables").add_subparsers(dest="what", required=True)
    exp_bundle = export.add_parser("bundle", help="write the store as a bundle of CSVs")
    exp_bundle.add_argument("dir", type=Path)
    exp_bundle.set_defaults(handler=_export_bundle)
    chart = export.add_parser("chart", help="a chart as the page would export it")
    chart.add_argument("chart", choices=("timeline", "stances", "sources"))
    chart.add_argument("--format", choices=("png", "svg", "pdf", "html"), default="png")
    chart.add_argument("--out", type=Path, required=True)
    chart.add_argument("--width", type=int, help="in CSS pixels (default: the A4 text width, 673)")
    chart.add_argument("--scale", type=float, help="pixel density of a PNG (default: 3)")
    _filter_options(chart)
    chart.set_defaults(handler=_export_chart)
    table = export.add_parser("table", help="a table as the page would export it")
    table.add_argument("table", choices=("timeline", "stances", "sources"))
    table.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    table.add_argument("--out", type=Path, required=True)
    _filter_options(table)
    table.set_defaults(handler=_export_table)

    report = commands.add_parser("report", help="JSON reports").add_subparsers(dest="report", required=True)
    stances = report.add_parser("stances", help="per actor and topic: positions and continuity")
    stances.add_argument("--actor")
    stances.add_argument("--topic")
    stances.add_argument("--no-children", action="store_true", help="each actor alone, without its sub-actors' statements")
    stances.add_argument("--json", action="store_true", required=True)
    stances.set_defaults(handler=_report_stances)
    sources = report.add_parser("sources", help="per source: claims, outcomes and grade")
    sources.add_argument("--json", action="store_true", required=True)
    sources.set_defaults(handler=_report_sources)

    extract = commands.add_parser("extract", help="propose statements, claims, evidence and events from an article")
    extract.add_argument("target", metavar="PATH|URL", help=".txt, .html, .pdf or .docx file, or an http(s) URL")
    extract.add_argument("--published", help="publication date YYYY-MM-DD, when the article does not carry one")
    extract.add_argument("--source", help="source id of the outlet, when its name or web domain does not say")
    extract.add_argument("--topic", help="topic id, instead of the best-matching topic")
    extract.add_argument("--text", action="store_true", help="include the article text the spans index")
    extract.add_argument("--json", action="store_true", required=True)
    extract.set_defaults(handler=_extract)

    gen = commands.add_parser("generate", help="write a clearly labelled synthetic dataset for scale tests")
    gen.add_argument("--events", type=int, required=True)
    gen.add_argument("--statements", type=int, default=0)
    gen.add_argument("--claims", type=int, default=0)
    gen.add_argument("--seed", type=int, default=42)
    gen.set_defaults(handler=_generate)
    return parser


def _filter_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="date_from", help="YYYY-MM-DD")
    parser.add_argument("--to", dest="date_to", help="YYYY-MM-DD")
    for name in ("actor", "topic", "source", "kind", "type", "origin"):
        parser.add_argument(f"--{name}", action="append", default=[])
    parser.add_argument("--q", default="", help="text search")


def _filters(args: argparse.Namespace) -> Filters:
    """The same Filters a URL would give, so a scheduled export matches the page."""
    params: dict[str, object] = {k: getattr(args, k) for k in ("actor", "topic", "source", "kind", "type", "origin")}
    params.update({"from": args.date_from, "to": args.date_to, "q": args.q})
    filters = Filters.from_query_params({k: v for k, v in params.items() if v})  # type: ignore[arg-type]
    if filters.notices:
        raise CliError("; ".join(filters.notices))
    return filters


def _open(args: argparse.Namespace):
    return store.connect(store.db_path(args.db))


class _ProgressLine:
    """The one stderr line a long command rewrites as it goes; ended before anything else is printed."""

    open = False

    def __call__(self, fraction: float, phrase: str) -> None:
        print(f"\r{fraction:6.1%} {phrase:<40}", end="", file=sys.stderr, flush=True)
        self.open = True
        if fraction >= 1:
            self.end()

    def end(self) -> None:
        if self.open:
            print(file=sys.stderr)
            self.open = False


_progress = _ProgressLine()


def _init(args: argparse.Namespace) -> int:
    con = _open(args)
    print(f"store {store.db_path(args.db)} at schema version {store.schema_version(con)}")
    return 0


def _import(args: argparse.Namespace) -> int:
    """Import directly; when another process holds the store, hand the import to it through the inbox (exit 4)."""
    from lib.ingest import inbox

    if getattr(args, "dry_run", False):
        return _dry_run(args)
    try:
        con = _open(args)
    except store.StoreLocked as held:
        if args.no_queue:
            raise
        return _queued(args, held)
    for job in inbox.drain(con, store.db_path(args.db)):  # the jobs queued before this one apply first
        print(f"queued import {job.id} ({job.file}) {job.state}: {job.first_line()}", file=sys.stderr)
    result = inbox.import_now(con, args.format, args.path, args.who, skip_bad_rows=getattr(args, "skip_bad_rows", False),
                              mentions=getattr(args, "mentions", None), progress=None if args.format == "bundle" else _progress)
    print(result.summary())
    for problem in result.skipped[:100]:
        print(f"skipped: {problem}", file=sys.stderr)
    return 0


def _queued(args: argparse.Namespace, held: store.StoreLocked) -> int:
    """Queue the import in the store's inbox and say in one sentence what applies it and where to watch it."""
    from lib.ingest import inbox

    path = store.db_path(args.db)
    job = inbox.queue(path, args.format, args.path, args.who, skip_bad_rows=getattr(args, "skip_bad_rows", False),
                      mentions=getattr(args, "mentions", None))
    holder = f"process {held.pid}" if held.pid else "another process"
    if held.pid is not None and inbox.worker_pid(path) == held.pid:
        applies = f"the dashboard ({holder}, which holds the store) applies it within seconds"
    else:
        applies = (f"{holder} holds the store but applies no queue (it is not the dashboard), so it waits for the "
                   "dashboard to open the store or for the next import run here")
    print(f"queued import {job.id} of {job.file}: {applies}; watch it on the Data page (Import queue) or with "
          "`python -m lib.cli queue` (--no-queue refuses instead)")
    return QUEUED


def _queue(args: argparse.Namespace) -> int:
    """The store's inbox, newest first, tab-separated: job, state, kind, file, who, import id, outcome's first line."""
    from lib.ingest import inbox

    print("job\tstate\tkind\tfile\twho\timport_id\toutcome")
    for job in inbox.jobs(store.db_path(args.db)):
        print("\t".join(" ".join(str(v).split()) for v in (job.id, job.state, job.kind, job.file, job.who,
                                                            "" if job.import_id is None else job.import_id, job.first_line())))
    return 0


def _dry_run(args: argparse.Namespace) -> int:
    """The bundle's changes as tab-separated lines (table, key, field, old, new), then the likely duplicates; nothing is written."""
    from lib.edits.diff import diff_bundle

    if not args.path.exists():
        raise FileNotFoundError(f"no such bundle: {args.path}")
    preview = diff_bundle(_open(args), args.path)
    if preview.problems:
        raise ImportRefused(preview.problems)
    print("table\tkey\tfield\told\tnew")
    for change in preview.changes:
        print("\t".join(" ".join(str(v).split()) for v in (change.table, change.key, change.field, change.old, change.new)))
    for duplicate in preview.duplicates:
        print(f"likely duplicate: {duplicate}")
    print(f"dry run: {preview.added} row(s) to add, {preview.changed_fields} field(s) of existing rows to change; nothing written",
          file=sys.stderr)
    return 0


def _undo(args: argparse.Namespace) -> int:
    from lib.edits import EditRefused, revert

    try:
        restored = revert.undo_import(_open(args), args.import_id, who=args.who, confirmed=args.force)
    except EditRefused as exc:
        raise CliError(f"import {args.import_id} not undone: " + "; ".join(exc.reasons[:20])
                       + ("" if args.force else " (--force undoes it anyway)")) from None
    print(f"import {args.import_id} undone: {restored} row(s) restored")
    return 0


def _export_bundle(args: argparse.Namespace) -> int:
    from lib.ingest.bundle import export_bundle

    counts = export_bundle(_open(args), args.dir)
    print(", ".join(f"{table}: {n}" for table, n in counts.items()))
    return 0


def _export_chart(args: argparse.Namespace) -> int:
    from lib import export

    path = export.export_chart(_open(args), args.chart, _filters(args), args.format, args.out,
                                width=args.width or export.DEFAULT_WIDTH, scale=args.scale or export.DEFAULT_SCALE)
    print(path)
    return 0


def _export_table(args: argparse.Namespace) -> int:
    from lib import export

    path = export.export_table(_open(args), args.table, _filters(args), args.format, args.out)
    print(path)
    return 0


def _report_stances(args: argparse.Namespace) -> int:
    from lib.stances import stance

    write_json_array(stance.stance_report(_open(args), actor=args.actor, topic=args.topic, inherit=not args.no_children))
    return 0


def _report_sources(args: argparse.Namespace) -> int:
    from lib.sources import reliability

    write_json_array(reliability.source_report(_open(args)))
    return 0


def write_json_array(items: Iterable[Any], out: TextIO | None = None) -> None:
    """Write a JSON array one element at a time, as the report produces them, in the layout of ``json.dumps(indent=2)``.

    A report of a million objects starts arriving at once and is never held whole as text.
    """
    out = out or sys.stdout
    opened = False
    for item in items:
        out.write((",\n" if opened else "[\n") + textwrap.indent(json.dumps(item, indent=2, default=str, ensure_ascii=False), "  "))
        opened = True
    out.write("\n]\n" if opened else "[]\n")
    out.flush()

def _extract(args: argparse.Namespace) -> int:
    import datetime as dt

    from lib.capture import extract, text

    published = dt.date.fromisoformat(args.published) if args.published else None
    try:
        article = text.from_path_or_url(args.target)
    except text.InputError as exc:
        raise CliError(str(exc)) from None
    con = store.connect(store.db_path(args.db), read_only=True)
    proposals = extract.propose(con, article, source_id=args.source, topic_id=args.topic, published=published)
    print(json.dumps(proposals.as_json(with_text=args.text), indent=2, ensure_ascii=False))
    return 0


def _generate(args: argparse.Namespace) -> int:
    from lib import synthetic

    counts = synthetic.generate(
        _open(args), events=args.events, statements=args.statements, claims=args.claims, seed=args.seed, progress=_progress
    )
    print(", ".join(f"{table}: {n}" for table, n in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
