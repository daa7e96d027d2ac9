"""What a bundle import would change: new rows, old and new values of changed fields, likely duplicate actors, and the CLI dry run."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from lib.cli import main
from lib.edits.diff import NEW_ROW, diff_bundle, fold
from tests.conftest import ROOT
from tests.unit.test_edits import checksums

TEMPLATE = ROOT / "docs" / "template"


def changed_template(tmp_path: Path) -> Path:
    """The template with the topic renamed, a position relabelled, an actor renamed and a new actor spelled like an alias."""
    folder = tmp_path / "bundle"
    shutil.copytree(TEMPLATE, folder)

    def edit(name: str, old: str, new: str) -> None:
        path = folder / name
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new), encoding="utf-8")

    edit("topics.csv", "Turkey's S-400 systems", "S-400 in Turkey")
    edit("positions.csv", "Retain the systems", "Keep the systems")
    edit("actors.csv", "RUS,Russia,", "RUS,Russian Federation,")
    with (folder / "actors.csv").open("a", encoding="utf-8") as handle:
        handle.write("TURKIYE,TÜRKIYE,state,TR,,\n")
    return folder


def test_the_diff_names_each_changed_field_with_old_and_new(seeded: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """Renamed topic, relabelled position, renamed actor: one line each with old and new; the new actor is one added row."""
    preview = diff_bundle(seeded, changed_template(tmp_path))
    lines = {(c.table, c.key, c.field, c.old, c.new) for c in preview.changes}
    assert lines == {
        ("topics", "s400", "name", "Turkey's S-400 systems", "S-400 in Turkey"),
        ("positions", "s400/retain", "label", "Retain the systems", "Keep the systems"),
        ("actors", "RUS", "name", "Russia", "Russian Federation"),
        ("actors", "TURKIYE", NEW_ROW, "", "TÜRKIYE"),
    }
    assert (preview.added, preview.changed_fields) == (1, 3)


def test_a_new_actor_matching_an_alias_without_diacritics_is_flagged(seeded: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """TÜRKIYE matches Turkey's alias Türkiye ignoring case and diacritics; an unrelated new actor is not flagged."""
    folder = changed_template(tmp_path)
    with (folder / "actors.csv").open("a", encoding="utf-8") as handle:
        handle.write("GRC,Greece,state,GR,,Hellas\n")
    [flag] = diff_bundle(seeded, folder).duplicates
    assert "TURKIYE" in flag and "Turkey (TUR)" in flag
    assert fold("Türkiye") == fold("TURKIYE") == "turkiye"


def test_the_unchanged_template_has_an_empty_diff(seeded: duckdb.DuckDBPyConnection) -> None:
    """The seed store already holds the template: nothing to add or change."""
    preview = diff_bundle(seeded, TEMPLATE)
    assert preview.changes == [] and preview.duplicates == [] and preview.problems == []


def test_cli_dry_run_prints_the_diff_and_writes_nothing(seeded_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--dry-run prints table, key, field, old, new tab-separated and leaves every table's checksum as it was."""
    import duckdb as db

    with db.connect(str(seeded_path)) as con:
        before = checksums(con)
    assert main(["--db", str(seeded_path), "import", "bundle", str(changed_template(tmp_path)), "--dry-run"]) == 0
    out = capsys.readouterr()
    assert "topics\ts400\tname\tTurkey's S-400 systems\tS-400 in Turkey" in out.out
    assert "likely duplicate: new actor TÜRKIYE (TURKIYE)" in out.out
    assert "nothing written" in out.err
    with db.connect(str(seeded_path)) as con:
        assert checksums(con) == before


def test_cli_undo_restores_and_a_second_undo_is_refused(seeded_path: Path, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """`undo ID` after an import gives the checksums before it; a second undo is one line of refusal, exit 2."""
    import duckdb as db

    with db.connect(str(seeded_path)) as con:
        before = checksums(con)
    assert main(["--db", str(seeded_path), "import", "bundle", str(changed_template(tmp_path))]) == 0
    with db.connect(str(seeded_path)) as con:
        import_id = con.execute("select max(import_id) from imports").fetchall()[0][0]
    assert main(["--db", str(seeded_path), "undo", str(import_id)]) == 0
    assert f"import {import_id} undone: 4 row(s) restored" in capsys.readouterr().out
    with db.connect(str(seeded_path)) as con:
        assert checksums(con) == before
    assert main(["--db", str(seeded_path), "undo", str(import_id)]) == 2
    assert "already undone" in capsys.readouterr().err
