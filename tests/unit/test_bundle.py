"""Bundle import: the seed case, idempotence, updates, the other bundle forms, and refusals."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
import zipfile
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib import store
from lib.dates import day_range
from lib.ingest.bundle import SPECS, export_bundle, import_bundle
from lib.ingest.report import ImportRefused
from tests.conftest import ROOT, SEED


def _snapshot(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    """Every data table's rows, sorted, to compare stores."""
    return {t: sorted(map(repr, con.execute(f"select * from {t}").fetchall())) for t in store.TABLES}


def _copy_seed(tmp_path: Path) -> Path:
    target = tmp_path / "bundle"
    shutil.copytree(SEED, target)
    return target


def _edit(path: Path, row_id: str, column: str, value: str) -> None:
    """Change one cell of a CSV file, found by the row's first column."""
    rows = list(csv.DictReader(path.open(encoding="utf-8", newline="")))
    fields = list(rows[0].keys())
    for row in rows:
        if row[fields[0]] == row_id:
            row[column] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fields)
        writer.writeheader()
        writer.writerows(rows)


def test_seed_imports_with_expected_counts(con) -> None:
    """The seed bundle lands whole: 3 sources, 5 actors, 5 events, 2 statements, 2 claims, 3 evidence links."""
    result = import_bundle(con, SEED, who="test")
    counts = store.table_counts(con)
    assert result.status == "applied"
    assert (counts["sources"], counts["actors"], counts["events"]) == (3, 5, 5)
    assert (counts["statements"], counts["claims"], counts["evidence"]) == (2, 2, 3)
    assert con.execute("select date_precision from events where event_id = 's400-contract'").fetchall() == [("month",)]


def test_seed_marks_the_ministry_quote_as_self_declared(seeded) -> None:
    """The phrase detector flags "no change in our position" on import, and only that quote."""
    flagged = seeded.execute("select statement_id from statements where self_declared_continuity").fetchall()
    assert flagged == [("stmt-msb-no-change",)]


def test_reimport_changes_nothing(seeded) -> None:
    """Importing the same bundle again leaves rows and data version as they were and logs 'unchanged'."""
    before, version = _snapshot(seeded), store.data_version(seeded)
    audit_rows = seeded.execute("select count(*) from audit_log where table_name <> 'imports'").fetchall()
    result = import_bundle(seeded, SEED, who="test")
    assert result.status == "unchanged"
    assert _snapshot(seeded) == before
    assert seeded.execute("select count(*) from audit_log where table_name <> 'imports'").fetchall() == audit_rows
    assert store.data_version(seeded) == version + 1  # the import log line only
    assert seeded.execute("select status from imports order by import_id desc limit 1").fetchall() == [("unchanged",)]


def test_corrected_bundle_updates_one_row_and_audits_it(seeded, tmp_path: Path) -> None:
    """A corrected title updates that event only, with its before and after values in the audit log."""
    bundle = _copy_seed(tmp_path)
    _edit(bundle / "events.csv", "s400-test-sinop", "title", "S-400 radar test near Sinop")
    result = import_bundle(seeded, bundle, who="analyst")
    assert result.counts["events"] == {"inserted": 0, "updated": 1, "unchanged": 4}
    before, after = seeded.execute(
        "select before ->> 'title', after ->> 'title' from audit_log where table_name = 'events' and who = 'analyst'"
    ).fetchall()[0]
    assert (before, after) == ("S-400 test near Sinop", "S-400 radar test near Sinop")


def test_event_links_follow_the_bundle(seeded, tmp_path: Path) -> None:
    """Dropping an actor from an event's actor_ids removes that link and audits the deletion."""
    bundle = _copy_seed(tmp_path)
    _edit(bundle / "events.csv", "s400-contract", "actor_ids", "TUR:initiator")
    result = import_bundle(seeded, bundle, who="analyst")
    assert result.counts["event_actors"]["deleted"] == 1
    assert seeded.execute("select actor_id from event_actors where event_id = 's400-contract'").fetchall() == [("TUR",)]


def _as_json(folder: Path, target: Path) -> Path:
    document = {p.stem: list(csv.DictReader(p.open(encoding="utf-8", newline=""))) for p in folder.glob("*.csv")}
    target.write_text(json.dumps(document), encoding="utf-8")
    return target


def _as_xlsx(folder: Path, target: Path) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for path in sorted(folder.glob("*.csv")):
        sheet = book.create_sheet(path.stem)
        for row in csv.reader(path.open(encoding="utf-8", newline="")):
            sheet.append(row)
    book.save(target)
    return target


def _as_zip(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for path in folder.glob("*.csv"):
            archive.write(path, f"seed/{path.name}")
    return target


@pytest.mark.parametrize("form", [_as_json, _as_xlsx, _as_zip], ids=["json", "xlsx", "zip"])
def test_other_forms_give_the_same_store(form, seeded, tmp_path: Path) -> None:
    """A JSON, XLSX or zip bundle of the seed gives exactly the rows of the CSV folder."""
    suffix = {"_as_json": ".json", "_as_xlsx": ".xlsx", "_as_zip": ".zip"}[form.__name__]
    other = store.connect(tmp_path / "other.duckdb")
    import_bundle(other, form(SEED, tmp_path / f"seed{suffix}"), who="test")
    assert _snapshot(other) == _snapshot(seeded)


def test_export_then_import_round_trips(seeded, tmp_path: Path) -> None:
    """Exporting the seed store and importing the export into an empty store gives the same rows."""
    export_bundle(seeded, tmp_path / "out")
    fresh = store.connect(tmp_path / "fresh.duckdb")
    import_bundle(fresh, tmp_path / "out", who="test")
    assert _snapshot(fresh) == _snapshot(seeded)


def test_template_bundle_imports() -> None:
    """The documented template in docs/template imports into an empty store without a problem."""
    fresh = store.connect(":memory:")
    assert import_bundle(fresh, ROOT / "docs" / "template", who="test").status == "applied"


# -- refusals -------------------------------------------------------------------------
def _write(folder: Path, name: str, text: str | bytes) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8") if isinstance(text, str) else text
    (folder / name).write_bytes(data)


BAD_BUNDLES = {
    "wrong type": ("positions.csv", "topic_id,position_code,label,ordinal\ns400,hold,Hold,high\n", ("positions.csv", 2, "ordinal", "not a whole number")),
    "unknown reference": ("statements.csv", "statement_id,stated_on,actor_id,topic_id\nst1,2025-09,NOBODY,s400\n", ("statements.csv", 2, "actor_id", "refers to actor 'NOBODY'")),
    "duplicate key": ("topics.csv", "topic_id,name\nt1,One\nt1,Again\n", ("topics.csv", 3, "topic_id", "duplicate key t1")),
    "bad date": ("claims.csv", "claim_id,claimed_on,document_id,text\nc1,2025-13-01,nefes-2025-09-03,x\n", ("claims.csv", 2, "claimed_on", "not a real date")),
    "wrong encoding": ("actors.csv", "actor_id,name,kind\nA1,Bakanl\xfdk,state\n".encode("latin-1"), ("actors.csv", 2, "", "not UTF-8")),
    "empty file": ("sources.csv", "", ("sources.csv", 0, "", "empty")),
    "formula cell": ("sources.csv", "source_id,name,kind\ns9,\"=HYPERLINK(\"\"x\"\")\",wire\n", ("sources.csv", 2, "name", "spreadsheet formula")),
    "missing column": ("sources.csv", "source_id,name\ns9,Nine\n", ("sources.csv", 1, "kind", "required column is missing")),
    "bad vocabulary": ("sources.csv", "source_id,name,kind\ns9,Nine,blog\n", ("sources.csv", 2, "kind", "not one of official")),
    "bad position": ("statements.csv", "statement_id,stated_on,actor_id,topic_id,position_code\nst1,2025,TUR,s400,leave\n", ("statements.csv", 2, "position_code", "not defined for topic 's400'")),
    "unknown file": ("statement.csv", "statement_id\nx\n", ("statement.csv", 0, "", "not a table of the bundle format")),
}


@pytest.mark.parametrize("case", sorted(BAD_BUNDLES))
def test_bad_bundle_is_refused_and_store_unchanged(case: str, seeded, tmp_path: Path) -> None:
    """Each kind of bad input is refused whole with file, row, column and reason; no data row changes."""
    name, body, (file, row, column, reason) = BAD_BUNDLES[case]
    _write(tmp_path / "bad", name, body)
    before, version = _snapshot(seeded), store.data_version(seeded)
    with pytest.raises(ImportRefused) as refused:
        import_bundle(seeded, tmp_path / "bad", who="test")
    assert any(p.file == file and p.row == row and p.column == column and reason in p.reason for p in refused.value.problems), refused.value
    assert _snapshot(seeded) == before
    assert store.data_version(seeded) == version + 1  # the refused attempt is logged in `imports`, nothing else
    assert seeded.execute("select status from imports order by import_id desc limit 1").fetchall() == [("refused",)]


def test_every_problem_is_reported_not_just_the_first(con, tmp_path: Path) -> None:
    """A bundle with three bad rows gets three problems in one report."""
    _write(tmp_path / "bad", "sources.csv", "source_id,name,kind\na,,wire\nb,B,blog\nc,C,=1+1\n")
    with pytest.raises(ImportRefused) as refused:
        import_bundle(con, tmp_path / "bad", who="test")
    assert [p.row for p in refused.value.problems] == [2, 3, 4]


def test_unknown_column_is_reported_and_ignored(con, tmp_path: Path) -> None:
    """An extra column is a warning in the result, and the rest of the row imports."""
    _write(tmp_path / "b", "topics.csv", "topic_id,name,colour\nt1,One,red\n")
    result = import_bundle(con, tmp_path / "b", who="test")
    assert result.counts["topics"]["inserted"] == 1
    assert [(w.column, w.reason) for w in result.warnings] == [("colour", "unknown column, ignored")]


def test_negative_ordinal_is_not_a_formula(con, tmp_path: Path) -> None:
    """'-1' is a number, not a formula: the formula guard lets signed numbers through."""
    _write(tmp_path / "b", "topics.csv", "topic_id,name\nt1,One\n")
    _write(tmp_path / "b", "positions.csv", "topic_id,position_code,label,ordinal\nt1,against,Against,-1\n")
    import_bundle(con, tmp_path / "b", who="test")
    assert con.execute("select ordinal from positions").fetchall() == [(-1,)]


# -- property: any valid bundle round-trips ------------------------------------------------
_slug = st.from_regex(r"[a-z][a-z0-9-]{0,11}", fullmatch=True)
_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=40).map(str.strip).filter(
    lambda s: not s or s[0] not in "=+-@"
)
_partial = st.dates(min_value=dt.date(1990, 1, 1), max_value=day_range()[1]).flatmap(
    lambda d: st.sampled_from([d.isoformat(), d.isoformat()[:7], d.isoformat()[:4]])
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actors=st.dictionaries(_slug, _text.filter(bool), min_size=1, max_size=6),
       dates=st.lists(_partial, min_size=1, max_size=6), quotes=st.lists(_text, min_size=6, max_size=6))
def test_generated_bundles_round_trip(actors: dict[str, str], dates: list[str], quotes: list[str], tmp_path_factory) -> None:
    """Any valid generated bundle, imported, exported and imported again, gives the same rows."""
    folder = tmp_path_factory.mktemp("gen")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["actor_id", "name", "kind"])
    writer.writerows([a, n, "state"] for a, n in actors.items())
    _write(folder, "actors.csv", buffer.getvalue())
    _write(folder, "topics.csv", "topic_id,name\nt,T\n")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["statement_id", "stated_on", "actor_id", "topic_id", "quote"])
    ids = list(actors)
    writer.writerows([f"s{i}", d, ids[i % len(ids)], "t", quotes[i]] for i, d in enumerate(dates))
    _write(folder, "statements.csv", buffer.getvalue())
    first = store.connect(":memory:")
    import_bundle(first, folder, who="test")
    export_bundle(first, folder / "out")
    second = store.connect(":memory:")
    import_bundle(second, folder / "out", who="test")
    assert _snapshot(second) == _snapshot(first)


def test_specs_cover_every_data_table_but_links() -> None:
    """Every data table except the event link tables has a bundle file (links ride on events.csv)."""
    assert {s.table for s in SPECS} == set(store.TABLES) - {"event_actors", "event_documents"}
