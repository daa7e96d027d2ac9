"""Editing with history under AppTest: a statement's position edited and reverted from Stances, an import's diff declined
and an import undone from Data (table checksums), and a delete refused with the list of what cites the record."""

from __future__ import annotations

import shutil
from pathlib import Path

from lib import store
from tests.app.conftest import shown
from tests.unit.test_edits import checksums
from tests.unit.test_edits_diff import changed_template

STATEMENT = "stmt-msb-no-change"
SLOT = f"stance_edit_statements_{STATEMENT}"


def _sums(path: Path) -> dict[str, tuple]:
    con = store.connect(path)
    try:
        return checksums(con)
    finally:
        con.close()


def _card(at) -> str:
    """The first card's name, summary and current position (the page shows one card: the ministry's)."""
    texts = [t.value for t in at.text]
    assert texts[0] == "Ministry of National Defence"
    return "\n".join(texts[1:3])


def _frame(at, column: str):
    """The first dataframe on the page with this column (AppTest does not expose a dataframe's key)."""
    return next(df.value for df in at.dataframe if column in df.value.columns)


def _said(at) -> list[str]:
    return [shown(s.value) for s in at.success]


def _ok(at):
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_edit_a_statements_position_and_revert_it_the_card_follows(app) -> None:
    """Stances: the picked statement's position set to Undecided shows on its actor's card; reverting it shows Retain again."""
    at = app("stances", actor=["TUR-MSB"])
    assert "Retain the systems" in _card(at)
    assert "stance_edit_pick" not in [b.key for b in at.selectbox]  # the editor is drawn only once opened
    at.session_state["stance_edit_open"] = True  # the expander opened
    at.run()
    at.selectbox(key="stance_edit_pick").set_value(STATEMENT).run()
    at.selectbox(key=f"{SLOT}_position_code_s400").set_value("undecided").run()
    _ok(at.button(key=f"{SLOT}_save").click().run())
    assert _said(at) == [f"Saved statements {STATEMENT}."]
    assert "Undecided" in _card(at) and "Retain the systems" not in _card(at)
    [edit] = [o for o in next(b for b in at.selectbox if b.key.startswith(f"{SLOT}_revert_pick")).options if "edit statements" in o]
    audit_id = int(edit.split()[0][1:])
    assert next(b for b in at.selectbox if b.key.startswith(f"{SLOT}_revert_pick")).value == audit_id  # the newest change by default
    _ok(at.button(key=f"{SLOT}_revert_{audit_id}").click().run())
    assert any(f"Reverted change #{audit_id}: 1 row(s) restored." in s for s in _said(at))
    assert "Retain the systems" in _card(at)


def _zip(folder: Path, tmp_path: Path) -> bytes:
    return Path(shutil.make_archive(str(tmp_path / "changed"), "zip", folder)).read_bytes()


def test_import_diff_declined_leaves_the_store_then_import_and_undo_restores_it(app, seeded_path: Path, tmp_path: Path) -> None:
    """The diff lists the renamed topic; Import stays disabled until the box is ticked (store unchanged); Undo restores the checksums."""
    before = _sums(seeded_path)
    at = app("data")
    at.file_uploader(key="data_upload").set_value(("changed.zip", _zip(changed_template(tmp_path), tmp_path), "application/zip"))
    _ok(at.run())
    diff = _frame(at, "field")
    assert {"table": "topics", "key": "s400", "field": "name", "old": "Turkey's S-400 systems", "new": "S-400 in Turkey"} in diff.to_dict("records")
    assert any("likely the same actor" in w.value for w in at.warning)
    assert at.button(key="data_import").disabled
    _ok(at.run())
    assert _sums(seeded_path) == before  # declined (box not ticked): nothing written
    at.checkbox(key="data_confirm_changes").check().run()
    _ok(at.button(key="data_import").click().run())
    assert _sums(seeded_path) != before
    import_id = int(_said(at)[0].split()[1].rstrip(".:"))
    assert next(b for b in at.selectbox if b.key.startswith("undo_pick")).value == import_id  # the newest import by default
    _ok(at.button(key=f"undo_{import_id}").click().run())
    assert any(f"Import {import_id} undone: 4 row(s) restored." in s for s in _said(at))
    assert _sums(seeded_path) == before


def test_delete_refuses_with_the_citing_list_until_confirmed(app, seeded_path: Path) -> None:
    """Data > Edit a record: deleting a statement used as evidence lists that evidence; ticking the box deletes both."""
    at = app("data")
    at.selectbox(key="edit_table").set_value("statements").run()
    at.selectbox(key="edit_key_statements").set_value(STATEMENT).run()
    slot = f"data_edit_statements_{STATEMENT}"
    _ok(at.button(key=f"{slot}_delete").click().run())
    reasons = list(_frame(at, "reason").reason)
    assert reasons == [f"cited by evidence claim-nefes-buyback contradicts statement {STATEMENT}",
                       f"cited by evidence claim-ria-no-return corroborates statement {STATEMENT}"]
    with store.connect(seeded_path) as con:
        assert con.execute("select count(*) from statements where statement_id = ?", [STATEMENT]).fetchall() == [(1,)]
    at.checkbox(key=f"{slot}_delete_force").check().run()
    _ok(at.button(key=f"{slot}_delete").click().run())
    assert any("and 2 item(s) citing it" in s for s in _said(at))
