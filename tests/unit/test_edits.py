"""Editing records with history: validation shared with bundles, deletes that list what cites them, reverts and import undo."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from lib import store
from lib.edits import delete, records, revert
from lib.edits.records import EditRefused
from lib.ingest.bundle import import_bundle
from tests.conftest import ROOT

TEMPLATE = ROOT / "docs" / "template"


def checksums(con: duckdb.DuckDBPyConnection) -> dict[str, tuple]:
    """Every data table's row count and an order-independent hash of its rows (derived columns included)."""
    return {t: con.execute(f"select count(*), coalesce(sum(hash(t)), 0) from {t} t").fetchall()[0] for t in store.TABLES}


def position(con: duckdb.DuckDBPyConnection, statement: str) -> tuple:
    return con.execute("select position_code, own_continuity from statements where statement_id = ?", [statement]).fetchall()[0]


def test_editing_a_statements_position_is_audited_and_relabels_continuity(any_seeded: duckdb.DuckDBPyConnection) -> None:
    """An added and then edited statement: the field changes, the others stay, before and after are audited, own_continuity follows."""
    records.save(any_seeded, "statements", {"statement_id": "stmt-later", "stated_on": "2025-10", "actor_id": "TUR-MSB",
                                        "topic_id": "s400", "position_code": "retain", "quote": "We keep them."}, "analyst", new=True)
    assert position(any_seeded, "stmt-later") == ("retain", "reaffirmed")
    form = records.values(any_seeded, "statements", ("stmt-later",))
    assert form["stated_on"] == "2025-10"
    records.save(any_seeded, "statements", {**form, "position_code": "undecided"}, "analyst", new=False)
    assert position(any_seeded, "stmt-later") == ("undecided", "shifted")
    assert records.values(any_seeded, "statements", ("stmt-later",))["quote"] == "We keep them."
    newest = records.history(any_seeded, "statements", ("stmt-later",))[0]
    assert newest["action"] == "edit statements" and newest["who"] == "analyst"
    assert '"retain"' in newest["before"] and '"undecided"' in newest["after"]
    assert newest["change"] == "position_code: retain → undecided"


def test_an_edit_is_refused_by_the_bundle_rules_and_changes_nothing(seeded: duckdb.DuckDBPyConnection) -> None:
    """A position the topic does not define, a formula-like quote and an unknown actor are refused, naming the column."""
    form = records.values(seeded, "statements", ("stmt-msb-no-change",))
    before = checksums(seeded)
    with pytest.raises(EditRefused, match="position_code: position 'sell' is not defined"):
        records.save(seeded, "statements", {**form, "position_code": "sell"}, "analyst", new=False)
    with pytest.raises(EditRefused, match="actor_id: refers to actor 'NOBODY'"):
        records.save(seeded, "statements", {**form, "actor_id": "NOBODY"}, "analyst", new=False)
    with pytest.raises(EditRefused, match="already in use"):
        records.save(seeded, "statements", form, "analyst", new=True)
    assert checksums(seeded) == before


def test_a_quote_starting_with_a_dash_is_kept_as_text(seeded: duckdb.DuckDBPyConnection) -> None:
    """The form's text goes through the bundle's escape: '-' or '=' at the start is text, not a formula refusal."""
    form = records.values(seeded, "statements", ("stmt-msb-no-change",))
    records.save(seeded, "statements", {**form, "quote": "-no change, =none"}, "analyst", new=False)
    assert records.values(seeded, "statements", ("stmt-msb-no-change",))["quote"] == "-no change, =none"


def test_adding_an_actor_with_aliases_and_parent(seeded: duckdb.DuckDBPyConnection) -> None:
    """A new actor is inserted with its list of aliases and its parent; history shows the insert."""
    records.save(seeded, "actors", {"actor_id": "TUR-MFA", "name": "Ministry of Foreign Affairs", "kind": "ministry",
                                    "parent_actor_id": "TUR", "aliases": ["Dışişleri; Bakanlığı", "MFA"]}, "analyst", new=True)
    assert seeded.execute("select parent_actor_id, aliases from actors where actor_id = 'TUR-MFA'").fetchall() == [
        ("TUR", ["Dışişleri; Bakanlığı", "MFA"])]
    assert records.history(seeded, "actors", ("TUR-MFA",))[0]["before"] is None


def test_revert_restores_an_edit_exactly_and_is_audited(any_seeded: duckdb.DuckDBPyConnection) -> None:
    """Reverting the edit puts the old position back (continuity too); the revert is its own audit row."""
    before = checksums(any_seeded)
    form = records.values(any_seeded, "statements", ("stmt-msb-no-change",))
    records.save(any_seeded, "statements", {**form, "position_code": "undecided"}, "analyst", new=False)
    edit = records.history(any_seeded, "statements", ("stmt-msb-no-change",))[0]["audit_id"]
    revert.revert_write(any_seeded, edit, "analyst")
    assert checksums(any_seeded) == before
    assert records.history(any_seeded, "statements", ("stmt-msb-no-change",))[0]["action"] == f"revert #{edit}"


def test_revert_refuses_when_a_later_write_changed_the_row_unless_confirmed(any_seeded: duckdb.DuckDBPyConnection) -> None:
    """A later edit of the same row is named in the refusal; confirming reverts anyway."""
    form = records.values(any_seeded, "statements", ("stmt-msb-no-change",))
    records.save(any_seeded, "statements", {**form, "position_code": "undecided"}, "analyst", new=False)
    first = records.history(any_seeded, "statements", ("stmt-msb-no-change",))[0]["audit_id"]
    records.save(any_seeded, "statements", {**form, "quote": "Changed later"}, "colleague", new=False)
    with pytest.raises(EditRefused, match=r"statements stmt-msb-no-change was changed since by 'edit statements'"):
        revert.revert_write(any_seeded, first, "analyst")
    revert.revert_write(any_seeded, first, "analyst", confirmed=True)
    assert position(any_seeded, "stmt-msb-no-change")[0] == "retain"


def test_delete_refuses_with_the_citing_list_then_cascades_and_reverts(any_seeded: duckdb.DuckDBPyConnection) -> None:
    """A cited statement lists its evidence; a confirmed cascade deletes both; one revert of the whole write restores all."""
    before = checksums(any_seeded)
    with pytest.raises(EditRefused) as refused:
        delete.delete(any_seeded, "statements", ("stmt-msb-no-change",), "analyst")
    assert any("cited by evidence claim-nefes-buyback contradicts statement stmt-msb-no-change" in r for r in refused.value.reasons)
    assert checksums(any_seeded) == before
    gone = delete.delete(any_seeded, "statements", ("stmt-msb-no-change",), "analyst", cascade=True)
    assert {i.table for i in gone} == {"evidence"} and len(gone) == 2
    assert any_seeded.execute("select count(*) from evidence where evidence_id = 'stmt-msb-no-change'").fetchall() == [(0,)]
    ids = [r[0] for r in any_seeded.execute("select audit_id from audit_log where action = 'delete statements'").fetchall()]
    revert.revert(any_seeded, revert.write_changes(any_seeded, ids), "analyst", "revert delete")
    assert checksums(any_seeded) == before


def test_a_source_with_documents_lists_them_recursively(seeded: duckdb.DuckDBPyConnection) -> None:
    """Deleting a source would orphan its documents and what cites them: all are in the preview."""
    found = delete.citing(seeded, "sources", ("nefes",))
    assert ("documents", ("nefes-2025-09-03",)) in [(i.table, i.key) for i in found]
    assert "claims" in {i.table for i in found}


def _changed_template(tmp_path: Path) -> Path:
    """The template bundle with the topic renamed: one changed field of an existing row."""
    folder = tmp_path / "bundle"
    shutil.copytree(TEMPLATE, folder)
    topics = folder / "topics.csv"
    topics.write_text(topics.read_text(encoding="utf-8").replace("Turkey's S-400 systems", "S-400 in Turkey"), encoding="utf-8")
    (folder / "actors.csv").open("a", encoding="utf-8").write("TURKIYE,TURKIYE,state,TR,,\n")
    return folder


def test_undo_import_restores_the_store_exactly(any_seeded: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """An import that renames a topic and adds an actor is undone to the same table checksums, as an audited write."""
    before = checksums(any_seeded)
    result = import_bundle(any_seeded, _changed_template(tmp_path), "analyst")
    assert checksums(any_seeded) != before
    assert revert.undo_import(any_seeded, result.import_id, "analyst") == 2
    assert checksums(any_seeded) == before
    assert any_seeded.execute("select count(*) from audit_log where action = ?", [f"undo import #{result.import_id}"]).fetchall() == [(2,)]


def test_undo_refuses_unchanged_and_unknown_imports(seeded: duckdb.DuckDBPyConnection) -> None:
    """An import that changed nothing, or that never was, is refused in words."""
    result = import_bundle(seeded, TEMPLATE, "analyst")
    assert result.status == "unchanged"
    with pytest.raises(EditRefused, match="changed nothing"):
        revert.undo_import(seeded, result.import_id, "analyst")
    with pytest.raises(EditRefused, match="there is no import 999"):
        revert.undo_import(seeded, 999, "analyst")


def test_an_import_is_undone_once(seeded: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """A second undo of the same import is refused: it says when the first happened."""
    result = import_bundle(seeded, _changed_template(tmp_path), "analyst")
    revert.undo_import(seeded, result.import_id, "analyst")
    with pytest.raises(EditRefused, match="already undone"):
        revert.undo_import(seeded, result.import_id, "analyst")


def test_a_dataset_import_cannot_be_undone_and_says_why(seeded: duckdb.DuckDBPyConnection) -> None:
    """An ACLED import is audited per table, its rows carry no import id: undo is refused naming that reason."""
    from lib.ingest import datasets

    result = datasets.IMPORTERS["acled"](seeded, ROOT / "tests" / "data" / "acled_current.csv", who="analyst")
    before = checksums(seeded)
    with pytest.raises(EditRefused, match=r"ACLED dataset import.*carry no import id"):
        revert.undo_import(seeded, result.import_id, "analyst")
    assert checksums(seeded) == before


def test_an_analyst_grade_is_reverted_and_a_brief_is_not(any_seeded: duckdb.DuckDBPyConnection) -> None:
    """A grade's audit row (keyed by row_key, values without the key) reverts; an acknowledgement is refused in words."""
    from lib.sources import reliability
    from lib.stances import stance

    reliability.set_analyst_grade(any_seeded, "nefes", "D", "one bad call", who="analyst")
    [(grade_write,)] = any_seeded.execute("select audit_id from audit_log where action = 'set analyst grade'").fetchall()
    revert.revert_write(any_seeded, grade_write, "analyst")
    assert any_seeded.execute("select analyst_grade, grade_note from sources where source_id = 'nefes'").fetchall() == [(None, None)]
    stance.acknowledge_shifts(any_seeded, ["stmt-msb-no-change"], who="analyst")
    [(ack,)] = any_seeded.execute("select audit_id from audit_log where table_name = 'acknowledgements'").fetchall()
    with pytest.raises(EditRefused, match="writes of acknowledgements are not data rows"):
        revert.revert_write(any_seeded, ack, "analyst")


def test_roles_are_enforced_by_the_edit_functions(seeded: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """A viewer's edit, delete and revert are refused by lib/edits itself; an analyst undoes their own import, not another's;
    an admin undoes anyone's. Refusals change nothing."""
    from lib.access import AccessDenied, User

    viewer, ana, other, admin = (User("v@x.org", "viewer"), User("ana@x.org", "analyst"), User("bo@x.org", "analyst"),
                                 User("root@x.org", "admin"))
    before = checksums(seeded)
    form = records.values(seeded, "statements", ("stmt-msb-no-change",))
    with pytest.raises(AccessDenied):
        records.save(seeded, "statements", {**form, "position_code": "undecided"}, viewer, new=False)
    with pytest.raises(AccessDenied):
        delete.delete(seeded, "statements", ("stmt-msb-no-change",), viewer, cascade=True)
    assert checksums(seeded) == before
    result = import_bundle(seeded, _changed_template(tmp_path), ana)
    with pytest.raises(AccessDenied):
        revert.undo_import(seeded, result.import_id, other)
    assert revert.undo_import(seeded, result.import_id, admin) == 2
    assert checksums(seeded) == before
    assert seeded.execute("select distinct who from audit_log where action = ?",
                          [f"undo import #{result.import_id}"]).fetchall() == [("root@x.org",)]
