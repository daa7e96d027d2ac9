"""The column-wise CSV reader (lib/ingest/bundle/csvcolumns.py) gives exactly what the strict reader gives, or declines.

Each case is read by both: the strict reader alone (``csvfile._read_strict``) and the column-wise one; whenever the
column-wise reader takes a file, its rows, problems and warnings must equal the strict reader's.
"""

from __future__ import annotations

import csv
import io
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.ingest.bundle import csvfile
from lib.ingest.bundle.csvcolumns import read_columns
from lib.ingest.bundle.read import read_bundle
from lib.ingest.bundle.streams import Reading, Stop
from lib.ingest.bundle.typed import pick_rows
from tests.conftest import SEED
from tests.unit.bundle_fuzz import MUTATIONS

NAME = "statements.csv"
HEADER = "statement_id,stated_on,actor_id,topic_id,quote"


def _outcome(reading: Reading) -> tuple:
    rows = {table: pick_rows(raw, list(range(len(raw)))) for table, raw in reading.rows.items()}
    return rows, reading.problems, reading.warnings


def strict(data: bytes, name: str = NAME) -> tuple:
    reading = Reading(name)
    try:
        csvfile._read_strict(io.BytesIO(data), name, reading)
    except Stop as stop:
        reading.problems.append(stop.problem)
    return _outcome(reading)


def columnar(data: bytes, name: str = NAME) -> tuple | None:
    reading = Reading(name)
    return _outcome(reading) if read_columns(data, name, reading) else None


def same_or_declined(data: bytes, name: str = NAME) -> bool:
    """Assert the column-wise reader agrees with the strict one on ``data``; whether it took the file."""
    got = columnar(data, name)
    if got is not None:
        assert got == strict(data, name), data[:300]
    return got is not None


def test_the_seed_bundle_is_read_column_wise_alike() -> None:
    """Every CSV of the seed bundle (quoted cells, lists, partial dates) is taken, with the strict reader's rows."""
    for path in sorted(SEED.glob("*.csv")):
        assert same_or_declined(path.read_bytes(), path.name), path.name


@pytest.mark.parametrize("data, taken", [
    (f"{HEADER}\r\ns1,2024-01-02,A,T,hi\r\n".encode(), True),  # CRLF
    (f"\ufeff{HEADER}\ns1,2024,A,T,hi".encode(), True),  # a BOM at the start, no final line break
    (f"{HEADER}\n\ns1,2024,A,T,hi\n,,,,\n \t, ,\u3000,,\n\n".encode(), True),  # empty and blank rows
    (f"{HEADER}\ns1,2024,A,T,\"a, \"\"b\"\"\"\n".encode(), True),  # a quoted cell with a comma and doubled quotes
    (b'"statement_id", stated_on ,actor_id,topic_id,quote,extra\ns1,2024,A,T,hi,x\n', True),  # header quoted, spaced, unknown column
    (f"{HEADER},quote\ns1,2024,A,T,hi,again\n".encode(), True),  # a column given twice: the header's problem, the last cell wins
    (f"{HEADER}\ns1,2024,A,T,5\" gun\n".encode(), False),  # a bare quote
    (f"{HEADER}\ns1,2024,A,T,\"two\nlines\"\n".encode(), False),  # a quoted cell across lines
    (f"{HEADER}\ns1,2024,A,T,\"x\"y\n".encode(), False),  # text after a closing quote
    (f"{HEADER}\ns1,2024,A,T\n".encode(), False),  # too few cells
    (f"{HEADER}\n   \n".encode(), False),  # a blank line of another width: the strict reader skips it
    (f"{HEADER}\ns1,2024,A,T,a\rb\n".encode(), False),  # a lone carriage return
    (f"{HEADER}\ns1,2024,A,T,caf\xe9\n".encode("latin-1"), False),  # not UTF-8
    (f"{HEADER}\ns1,2024,A,T,a\x00b\n".encode(), False),  # NUL
    (f"{HEADER}\ns1,2024,A,T,\ufeffx\n".encode(), False),  # a BOM inside
    (b"", False), (b"\n" + HEADER.encode(), False),  # empty file, empty header line
    (HEADER.encode(), True),  # a header alone
])
def test_cases_are_read_alike_or_declined(data: bytes, taken: bool) -> None:
    """Hand-picked cases: taken when clean (with the strict reader's outcome), declined when the strict reader has a problem to word."""
    assert same_or_declined(data) is taken


def test_limits_decline_where_the_strict_reader_refuses(monkeypatch: pytest.MonkeyPatch) -> None:
    """Over the line, cell or row limit the file goes to the strict reader, which words the refusal."""
    data = f"{HEADER}\ns1,2024,A,T,{'x' * 50}\ns2,2024,A,T,y\n".encode()
    assert same_or_declined(data)
    for variable, value in (("STANCEWATCH_IMPORT_MAX_LINE_BYTES", "60"), ("STANCEWATCH_IMPORT_MAX_FIELD_CHARS", "49"),
                            ("STANCEWATCH_IMPORT_MAX_ROWS", "1")):
        with monkeypatch.context() as patched:
            patched.setenv(variable, value)
            assert columnar(data) is None, variable
            assert strict(data)[1], variable


def test_every_fuzz_mutation_is_read_alike_or_declined() -> None:
    """The fuzz suite's mutations of the seed bundle, 300 seeds: every file the column-wise reader takes, it reads alike."""
    taken = declined = 0
    for seed in range(300):
        rng = random.Random(seed)
        files = {p.name: p.read_bytes() for p in sorted(SEED.glob("*.csv"))}
        for name in [rng.choice(sorted(MUTATIONS)) for _ in range(rng.randint(1, 3))]:
            files = MUTATIONS[name](rng, files)
        for name, body in files.items():
            if name in {p.name for p in SEED.glob("*.csv")}:
                if same_or_declined(body, name):
                    taken += 1
                else:
                    declined += 1
    assert taken and declined


_CELL_TEXT = st.text(st.sampled_from(list('ab ,"\';=\t\r\n\u3000\u2028\xa0ş\ufeff\x00')), max_size=6)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.lists(_CELL_TEXT, min_size=4, max_size=6), max_size=5),
       quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, None]), ending=st.sampled_from(["\n", "\r\n"]))
def test_generated_files_are_read_alike_or_declined(rows: list[list[str]], quoting: int | None, ending: str) -> None:
    """Cells of quotes, commas, line breaks, odd white space, NUL and BOM, written properly or naively joined."""
    if quoting is None:
        text = ending.join([HEADER] + [",".join(row) for row in rows]) + ending
    else:
        out = io.StringIO()
        writer = csv.writer(out, quoting=quoting, lineterminator=ending)
        writer.writerow(HEADER.split(","))
        writer.writerows(rows)
        text = out.getvalue()
    same_or_declined(text.encode("utf-8"))


def test_a_limit_met_while_reading_whole_keeps_the_strict_order(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Read whole first, a file over the size limit with a NUL byte on its third line is still refused for the NUL
    (where the line-by-line read stopped) and not for its size."""
    folder = tmp_path / "b"
    folder.mkdir()
    body = f"{HEADER}\ns1,2024,A,T,x\ns2,2024,A,T,\x00\n".encode() + b"s3,2024,A,T,y\n" * 20_000
    (folder / NAME).write_bytes(body)
    monkeypatch.setenv("STANCEWATCH_IMPORT_MAX_FILE_BYTES", str(len(body) - 1000))
    problems = read_bundle(folder).problems
    assert [(p.file, p.row) for p in problems] == [(NAME, 3)] and "NUL" in problems[0].reason
    monkeypatch.setenv("STANCEWATCH_IMPORT_MAX_FILE_BYTES", "100")
    assert "over the limit of 100 bytes" in read_bundle(folder).problems[0].reason


def test_a_file_over_the_whole_read_size_streams_on_after_its_head(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file larger than what is read whole goes to the strict reader: the head already read, then the rest of the
    stream (a folder's file and a zip's member alike), giving the rows the column-wise reader gives."""
    import shutil
    import zipfile

    folder = tmp_path / "seed"
    shutil.copytree(SEED, folder)
    archive = tmp_path / "seed.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as packed:
        for path in sorted(folder.glob("*.csv")):
            packed.write(path, path.name)
    for bundle in (folder, archive):
        whole = read_bundle(bundle)
        with monkeypatch.context() as patched:
            patched.setattr(csvfile, "COLUMNAR_BYTES", 100)
            patched.setattr(csvfile, "read_columns", lambda *args: pytest.fail("read whole"))
            streamed = read_bundle(bundle)
        assert not whole.problems and not streamed.problems
        assert {t: pick_rows(r, list(range(len(r)))) for t, r in whole.rows.items()} == streamed.rows
        assert whole.sha256 == streamed.sha256
