"""Nothing lost, nothing wrong, nothing unbounded: each failure the fault run found in bundle imports, as a test.

Refusals must name a file (and row and column where there is one), leave the
store exactly as it was and still log the attempt in `imports`.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import signal
import struct
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from lib import store
from lib.ingest import limits
from lib.ingest.bundle import check_bundle, export_bundle, import_bundle
from lib.ingest.report import ImportRefused, Problem
from tests.conftest import SEED
from tests.unit.bundle_checks import assert_refused_cleanly, fingerprint

EVENTS_HEADER = "event_id,occurred_on,event_type,title,description,topic_id,actor_ids,document_ids,location"


def _events(count: int = 20) -> list[str]:
    return [f"fzev{i},2010-01-{i % 28 + 1:02d},protest,Title {i},,s400,,,Ankara" for i in range(count)]


def _folder(tmp_path: Path, files: dict[str, str | bytes], name: str = "bundle") -> Path:
    folder = tmp_path / name
    folder.mkdir(parents=True, exist_ok=True)
    for file, body in files.items():
        (folder / file).write_bytes(body.encode("utf-8") if isinstance(body, str) else body)
    return folder


def _refuse(con: duckdb.DuckDBPyConnection, path: Path) -> list[Problem]:
    """Import ``path``, expect a clean refusal, return its problems."""
    before, version = fingerprint(con), store.data_version(con)
    with pytest.raises(ImportRefused) as refused:
        import_bundle(con, path, who="test")
    assert_refused_cleanly(con, refused.value, before, version)
    return refused.value.problems


def _has(problems: list[Problem], file: str, row: int | None, column: str | None, reason: str) -> bool:
    return any(p.file == file and (row is None or p.row == row) and (column is None or p.column == column) and reason in p.reason
               for p in problems)


@pytest.fixture
def guard() -> Iterator[None]:
    """Fail instead of hanging: a read that blocks (a FIFO opened for reading) is interrupted after 20 s."""
    def interrupt(signum, frame):
        raise TimeoutError("the import hung")

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


# -- strict CSV ---------------------------------------------------------------------------
def test_stray_quote_at_a_line_start_that_merges_two_rows_is_refused(seeded, tmp_path: Path) -> None:
    """The fault run's case: a stray quote before fzev0 closed on fzev1's line gave 19 of 20 events, one id holding a line break."""
    lines = _events()
    lines[0] = '"' + lines[0]
    lines[1] = lines[1].replace("fzev1,", 'fzev1",', 1)
    problems = _refuse(seeded, _folder(tmp_path, {"events.csv": "\n".join([EVENTS_HEADER, *lines]) + "\n"}))
    assert _has(problems, "events.csv", 2, "event_id", "holds a line break: a stray double quote"), problems


def test_stray_quote_that_never_closes_is_refused(seeded, tmp_path: Path) -> None:
    """A quote opened at a line start and never closed swallows the rest of the file: refused at the row where it opened."""
    lines = _events()
    lines[5] = '"' + lines[5]
    problems = _refuse(seeded, _folder(tmp_path, {"events.csv": "\n".join([EVENTS_HEADER, *lines]) + "\n"}))
    assert _has(problems, "events.csv", 7, "", "never closed"), problems


def test_text_after_a_closing_quote_is_refused(seeded, tmp_path: Path) -> None:
    """A quote that opens a cell and closes before more text (`"Big" protest`) is not CSV: refused with its line."""
    lines = _events()
    lines[3] = lines[3].replace("Title 3", '"Big" protest')
    problems = _refuse(seeded, _folder(tmp_path, {"events.csv": "\n".join([EVENTS_HEADER, *lines]) + "\n"}))
    assert _has(problems, "events.csv", 5, "", "not well-formed CSV"), problems


def test_a_line_break_in_a_quoted_free_text_cell_is_kept(con, tmp_path: Path) -> None:
    """A quoted description over two lines is prose, not a stray quote: it imports with its line break."""
    body = 'topic_id,name,description\nt1,One,"first line\nsecond line"\n'
    import_bundle(con, _folder(tmp_path, {"topics.csv": body}), who="test")
    assert con.execute("select description from topics").fetchall() == [("first line\nsecond line",)]


def test_duplicate_column_is_refused(seeded, tmp_path: Path) -> None:
    """A header naming a column twice is refused: the last one would silently win."""
    problems = _refuse(seeded, _folder(tmp_path, {"topics.csv": "topic_id,name,name\nt1,One,Two\n"}))
    assert _has(problems, "topics.csv", 1, "name", "column given twice"), problems


def test_json_repeated_key_is_refused(seeded, tmp_path: Path) -> None:
    """A JSON object repeating a key (a table or a column) is refused, for the same reason."""
    path = tmp_path / "b.json"
    path.write_text('{"topics": [{"topic_id": "t1", "name": "One", "name": "Two"}]}', encoding="utf-8")
    assert _has(_refuse(seeded, path), "b.json", 0, "", "key 'name' is given twice")


@pytest.mark.parametrize(("date", "reason"), [("0999-05-01", "is outside the years 1000–"), ("3000", "is outside the years 1000–")])
def test_dates_outside_year_1000_to_next_year_are_refused(seeded, tmp_path: Path, date: str, reason: str) -> None:
    """A date before 1000 or after next year is a typo, not history: refused with file, row and column."""
    body = f"{EVENTS_HEADER}\ne1,{date},protest,T,,,,,\n"
    assert _has(_refuse(seeded, _folder(tmp_path, {"events.csv": body})), "events.csv", 2, "occurred_on", reason)


@pytest.mark.parametrize("ordinal", ["3000000000", "-2147483649", "7" * 5000])
def test_ordinals_out_of_integer_range_are_refused(seeded, tmp_path: Path, ordinal: str) -> None:
    """An ordinal past the store's integer is refused as a problem of its cell, not a DuckDB error at commit."""
    body = f"topic_id,position_code,label,ordinal\ns400,far,Far,{ordinal}\n"
    assert _has(_refuse(seeded, _folder(tmp_path, {"positions.csv": body})), "positions.csv", 2, "ordinal", "")


def test_json_ordinal_3e9_is_refused(seeded, tmp_path: Path) -> None:
    """3e9 in JSON arrives as a float and is checked like the same number in a CSV."""
    path = tmp_path / "b.json"
    path.write_text('{"positions": [{"topic_id": "s400", "position_code": "far", "label": "Far", "ordinal": 3e9}]}', encoding="utf-8")
    assert _has(_refuse(seeded, path), "b.json:positions", 1, "ordinal", "out of range")


# -- one file per table, regular files only ---------------------------------------------------
def _zip(path: Path, members: list[tuple[str, str]]) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about a duplicate name: that is the point
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, body in members:
                archive.writestr(name, body)
    return path


def test_one_table_in_two_folders_of_a_zip_is_refused(seeded, tmp_path: Path) -> None:
    """a/topics.csv and b/topics.csv in one zip: refused rather than one silently winning."""
    path = _zip(tmp_path / "b.zip", [("a/topics.csv", "topic_id,name\nt1,One\n"), ("b/topics.csv", "topic_id,name\nt1,Two\n")])
    assert _has(_refuse(seeded, path), "topics.csv", 0, "", "given twice (also topics.csv)")


def test_duplicate_zip_member_is_refused(seeded, tmp_path: Path) -> None:
    """The same member name twice in a zip is refused."""
    path = _zip(tmp_path / "b.zip", [("topics.csv", "topic_id,name\nt1,One\n"), ("topics.csv", "topic_id,name\nt1,Two\n")])
    assert _has(_refuse(seeded, path), "topics.csv", 0, "", "given twice")


def test_a_table_twice_in_a_folder_is_refused(seeded, tmp_path: Path) -> None:
    """topics.csv and TOPICS.CSV in one folder name the same table: refused."""
    folder = _folder(tmp_path, {"topics.csv": "topic_id,name\nt1,One\n", "TOPICS.CSV": "topic_id,name\nt1,Two\n"})
    assert _has(_refuse(seeded, folder), "topics.csv", 0, "", "given twice")


def test_member_climbing_out_of_the_zip_is_refused(seeded, tmp_path: Path) -> None:
    """A member named ../topics.csv is refused by name."""
    path = _zip(tmp_path / "b.zip", [("../topics.csv", "topic_id,name\nt1,One\n")])
    assert _has(_refuse(seeded, path), "b.zip:../topics.csv", 0, "", "leaves the zip's folder")


@pytest.mark.parametrize("kind", ["dangling symlink", "symlink to a file", "directory", "fifo"])
def test_events_csv_that_is_not_a_regular_file_refuses_the_whole_bundle(kind: str, seeded, tmp_path: Path, guard) -> None:
    """The seed bundle with events.csv replaced by a non-file: nothing of the other tables is committed, and no hang."""
    folder = tmp_path / "bundle"
    shutil.copytree(SEED, folder)
    (folder / "events.csv").unlink()
    target = folder / "events.csv"
    if kind == "dangling symlink":
        target.symlink_to(tmp_path / "nowhere.csv")
    elif kind == "symlink to a file":
        target.symlink_to(SEED / "events.csv")
    elif kind == "directory":
        target.mkdir()
    else:
        os.mkfifo(target)
    fresh = store.connect(tmp_path / "fresh.duckdb")
    problems = _refuse(fresh, folder)
    assert _has(problems, "events.csv", 0, "", "not a file"), problems
    assert store.table_counts(fresh)["sources"] == 0
    fresh.close()


# -- limits: refused within the limit, naming it and its variable --------------------------------
def _names_a_limit(problems: list[Problem], limit: limits.Limit) -> bool:
    return any(limit.env in p.reason and f"{limit.value:,}" in p.reason for p in problems)


def test_a_10_mb_cell_is_refused_at_the_field_limit(con, tmp_path: Path) -> None:
    """A quoted 10 MB description (in short lines) is refused at the cell limit, not after reading it all."""
    cell = '"' + ("y" * 999 + "\n") * 10_000 + '"'
    folder = _folder(tmp_path, {"events.csv": f"event_id,occurred_on,event_type,title,description\ne1,2010,protest,T,{cell}\n"})
    problems = _refuse(con, folder)
    assert _names_a_limit(problems, limits.FIELD_CHARS) and problems[0].row == 2, problems


def test_a_5_mb_line_is_refused_at_the_line_limit(con, tmp_path: Path) -> None:
    """One 5 MB line is refused once the line limit is read, naming the line."""
    folder = _folder(tmp_path, {"events.csv": "event_id,occurred_on,event_type,title\ne1,2010,protest," + "x" * 5_000_000 + "\n"})
    problems = _refuse(con, folder)
    assert _names_a_limit(problems, limits.LINE_BYTES) and problems[0].file == "events.csv" and problems[0].row == 2, problems


@pytest.mark.parametrize("size", [1_000, 1_000_000])
def test_a_long_id_is_refused(con, tmp_path: Path, size: int) -> None:
    """An id of 1,000 characters is over the key limit; one of 1 MB is over the line limit first: both refused by name."""
    folder = _folder(tmp_path, {"topics.csv": "topic_id,name\n" + "k" * size + ",One\n"})
    problems = _refuse(con, folder)
    assert _names_a_limit(problems, limits.KEY_CHARS if size < 100_000 else limits.LINE_BYTES), problems


def test_limits_follow_their_environment_variables(con, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Lowering STANCEWATCH_IMPORT_MAX_ROWS to 2 refuses a 3-row table, naming the variable."""
    monkeypatch.setenv(limits.ROWS.env, "2")
    folder = _folder(tmp_path, {"topics.csv": "topic_id,name\na,A\nb,B\nc,C\n"})
    assert _names_a_limit(_refuse(con, folder), limits.ROWS)


def test_a_bad_limit_setting_is_refused_in_words(con, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A limit variable that is not a positive whole number becomes one refusal naming it, not a traceback."""
    monkeypatch.setenv(limits.ROWS.env, "lots")
    problems = _refuse(con, _folder(tmp_path, {"topics.csv": "topic_id,name\na,A\n"}))
    assert any(limits.ROWS.env in p.reason for p in problems), problems


def test_json_nested_100k_deep_is_refused(con, tmp_path: Path) -> None:
    """100,000 nested arrays: refused at the depth limit, not a RecursionError."""
    path = tmp_path / "deep.json"
    path.write_text('{"topics": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    assert _names_a_limit(_refuse(con, path), limits.JSON_DEPTH)


def test_json_5000_digit_integer_is_refused(con, tmp_path: Path) -> None:
    """A 5,000-digit integer is refused by its digit count before Python's int conversion limit is reached."""
    path = tmp_path / "long.json"
    path.write_text('{"positions": [{"topic_id": "t", "position_code": "p", "label": "P", "ordinal": ' + "7" * 5000 + "}]}")
    assert _names_a_limit(_refuse(con, path), limits.NUMBER_DIGITS)


# -- damaged containers -----------------------------------------------------------------------
def _seed_zip(tmp_path: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(SEED.glob("*.csv")):
            archive.write(path, path.name)
    return buffer.getvalue()


def _encrypted(data: bytes) -> bytes:
    """The zip with every entry's 'encrypted' flag set, as a password-protected zip has it."""
    out = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (at := out.find(signature, start)) >= 0:
            flags = struct.unpack_from("<H", out, at + offset)[0]
            struct.pack_into("<H", out, at + offset, flags | 0x1)
            start = at + 4
    return bytes(out)


@pytest.mark.parametrize(("case", "reason"), [
    ("corrupt", "not a readable zip"), ("truncated", "not a readable zip"), ("encrypted", "is encrypted"),
    ("bit flip", "cannot be read"), ("empty", "not a readable zip"),
])
def test_damaged_zip_is_refused(case: str, reason: str, seeded, tmp_path: Path) -> None:
    """Corrupt, truncated, encrypted, bit-flipped or empty zips are refused with the file named, not a BadZipFile traceback."""
    data = _seed_zip(tmp_path)
    body = {"corrupt": os.urandom(4000), "truncated": data[: len(data) // 2], "encrypted": _encrypted(data),
            "bit flip": data[:200] + bytes([data[200] ^ 0xFF]) + data[201:], "empty": b""}[case]
    path = tmp_path / "b.zip"
    path.write_bytes(body)
    problems = _refuse(seeded, path)
    assert any(p.file.startswith("b.zip") and reason in p.reason for p in problems), problems


def test_damaged_xlsx_is_refused(seeded, tmp_path: Path) -> None:
    """An XLSX that is not a workbook is refused by name."""
    path = tmp_path / "b.xlsx"
    path.write_bytes(b"PK\x03\x04 not really")
    assert any(p.file == "b.xlsx" for p in _refuse(seeded, path))


def test_check_bundle_reports_instead_of_raising(seeded, tmp_path: Path) -> None:
    """The Data page's preview gets the same problems as a list, for a bomb as for a typo."""
    path = tmp_path / "b.zip"
    path.write_bytes(os.urandom(100))
    counts, problems = check_bundle(seeded, path)
    assert counts == {} and problems and problems[0].file == "b.zip"


# -- the store's own export restores it --------------------------------------------------------
HOSTILE = [
    "=HYPERLINK(\"http://evil.example\",\"click\")", "+1+1", "-2+3", "@SUM(A1)", "\t=tab first", "\r=cr first",
    "'apostrophe first", "''two apostrophes", "'=escaped already", "text with \"quotes\", commas, and\nnew lines",
    "semi;colons;in text", "ünïcødé 🙂 Türkçe ğüşıöç", " leading space", "trailing space ", "line\r\nbreaks\rall kinds",
    "back\\slash", "-", "=", "'",
]


def _hostile_store(con: duckdb.DuckDBPyConnection) -> None:
    """One row per table for each hostile text, in every text column a bundle carries, written straight into the store."""
    for i, text in enumerate(HOSTILE):
        key = f"k{i}"
        con.execute("insert into sources values (?, ?, 'wire', ?, ?, null, ?)", [key, text, text, text, text])
        con.execute("insert into documents values (?, ?, ?, ?, date '2020-01-01', 'month', ?, ?)",
                    [key, key, text, text, text, [f"k{(i + 1) % len(HOSTILE)}"]])
        con.execute("insert into actors values (?, ?, 'state', ?, null, ?)", [key, text, text, [text.strip() or "x", "a;b", "c\\;d", "=x"]])
        con.execute("insert into topics values (?, ?, ?)", [key, text, text])
        con.execute("insert into positions values (?, 'p', ?, ?)", [key, text, -i])
        code = text.replace("\r", " ").replace("\n", " ")  # a key never holds a line break (that is a stray quote's mark)
        con.execute("insert into event_types values ('curated', ?, ?)", [code, text])
        con.execute("insert into events (event_id, occurred_on, date_precision, event_type, title, description, topic_id, location) "
                    "values (?, date '2019-06-01', 'day', ?, ?, ?, ?, ?)", [key, text, text, text, key, text])
        con.execute("insert into event_actors values (?, ?, 'initiator')", [key, key])
        con.execute("insert into event_documents values (?, ?)", [key, key])
        con.execute("insert into statements (statement_id, stated_on, date_precision, actor_id, topic_id, position_code, quote, "
                    "document_id, language, self_declared_continuity) values (?, date '2020-01-01', 'year', ?, ?, 'p', ?, ?, ?, ?)",
                    [key, key, key, text, key, text, i % 2 == 0])
        con.execute("insert into claims values (?, date '2020-02-02', 'day', ?, ?, ?, ?, 'p')", [key, key, key, key, text])
        con.execute("insert into evidence values (?, 'contradicts', 'statement', ?, date '2021-01-01', ?)", [key, key, text])
    con.execute("insert into actors values ('gdelt:TUR', 'Turkey', 'state', null, null, [])")
    con.execute("insert into event_actors values ('k0', 'gdelt:TUR', 'target')")
    with store.transaction(con, "test", "hostile") as audit:  # derived columns as any write leaves them
        audit.wrote("statements")
        audit.wrote("events")


def test_export_then_import_restores_hostile_text(con, tmp_path: Path) -> None:
    """Formula starts, quotes, line breaks, `;` in list values, unicode and apostrophes: the export imports back identical."""
    _hostile_store(con)
    export_bundle(con, tmp_path / "out")
    for path in (tmp_path / "out").glob("*.csv"):
        with path.open(encoding="utf-8", newline="") as handle:
            cells = [cell for row in csv.reader(handle) for cell in row]
        assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r") and not c.lstrip("+-").isdigit()], path.name
    fresh = store.connect(tmp_path / "fresh.duckdb")
    assert import_bundle(fresh, tmp_path / "out", who="test").status == "applied"
    assert {t: v for t, v in fingerprint(fresh).items() if t != "audit_log"} == {t: v for t, v in fingerprint(con).items() if t != "audit_log"}
    fresh.close()


def test_a_hand_written_apostrophe_word_is_kept(con, tmp_path: Path) -> None:
    """'Twas and 's-Hertogenbosch keep their apostrophe: only an apostrophe before a formula start, another apostrophe or
    white space is an escape."""
    import_bundle(con, _folder(tmp_path, {"topics.csv": "topic_id,name\nt1,'Twas\nt2,'=1+1\nt3,''x\n"}), who="test")
    assert con.execute("select name from topics order by topic_id").fetchall() == [("'Twas",), ("=1+1",), ("'x",)]


def test_every_limit_is_documented_with_its_default() -> None:
    """docs/IMPORT.md's table lists each limit of lib/ingest/limits.py with its variable and default."""
    doc = (Path(limits.__file__).resolve().parents[2] / "docs" / "IMPORT.md").read_text(encoding="utf-8")
    for limit in limits.BUNDLE_LIMITS:
        assert f"| `{limit.env}` | {limit.default:,} | {limit.meaning} |" in doc, limit.env


def test_a_bare_quote_inside_an_unquoted_cell_is_refused(seeded, tmp_path: Path) -> None:
    """`5" gun` unquoted is refused with its column (RFC 4180); the same text quoted with the quote doubled imports."""
    problems = _refuse(seeded, _folder(tmp_path, {"topics.csv": 'topic_id,name\nt1,5" gun\n'}))
    assert _has(problems, "topics.csv", 2, "name", "double quote in a cell that is not quoted"), problems
    import_bundle(seeded, _folder(tmp_path, {"topics.csv": 'topic_id,name\nt1,"5"" gun"\n'}, name="good"), who="test")
    assert seeded.execute("select name from topics where topic_id = 't1'").fetchall() == [('5" gun',)]


@pytest.mark.parametrize(("insert", "reason"), [(b"\x00", "NUL byte"), (b"\xef\xbb\xbf", "byte-order mark inside the file")])
def test_nul_bytes_and_inner_byte_order_marks_are_refused(seeded, tmp_path: Path, insert: bytes, reason: str) -> None:
    """Python's csv reader takes a NUL byte or a BOM mid-file as text: a source name would silently hold one. Refused by line."""
    body = b"source_id,name,kind\ns1,One,wire\ns2,T" + insert + b"wo,wire\n"
    assert _has(_refuse(seeded, _folder(tmp_path, {"sources.csv": body})), "sources.csv", 3, "", reason)


def test_a_byte_order_mark_at_the_start_is_fine(con, tmp_path: Path) -> None:
    """Excel's UTF-8 CSVs start with a BOM: that one is taken off."""
    import_bundle(con, _folder(tmp_path, {"topics.csv": b"\xef\xbb\xbftopic_id,name\nt1,One\n"}), who="test")
    assert con.execute("select topic_id, name from topics").fetchall() == [("t1", "One")]


def test_json_nul_character_is_refused(seeded, tmp_path: Path) -> None:
    """A JSON string with \\u0000 is refused by cell, like a CSV's NUL byte."""
    path = tmp_path / "b.json"
    path.write_text('{"topics": [{"topic_id": "t1", "name": "O\\u0000ne"}]}', encoding="utf-8")
    assert _has(_refuse(seeded, path), "b.json:topics", 1, "name", "NUL character")


def test_xlsx_cell_of_5000_digits_is_refused_by_sheet(seeded, tmp_path: Path) -> None:
    """A sheet cell holding a 5,000-digit number (past Python's int conversion limit) is refused naming the sheet."""
    from tests.unit.bundle_bombs import xlsx_with_far_cell

    book = xlsx_with_far_cell(tmp_path / "small.xlsx")
    path = tmp_path / "b.xlsx"
    with zipfile.ZipFile(book) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            body = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = body.replace(b'<dimension ref="A1:XFD1048576"/>', b'<dimension ref="A1:B2"/>')
                body = body[: body.index(b'<row r="1048576"')] + b"</sheetData></worksheet>"
                body = body.replace(b'<c r="A2" t="inlineStr"><is><t>t1</t></is></c>', b'<c r="A2"><v>' + b"9" * 5000 + b"</v></c>")
            out.writestr(info.filename, body)
    problems = _refuse(seeded, path)
    assert any(p.file == "b.xlsx:topics" and "cannot be read" in p.reason for p in problems), problems
