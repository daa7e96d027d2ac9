"""Editing with history in a real browser: a statement's position edited and reverted (the card follows), an import's diff
shown and held back until confirmed, the import undone, and a delete refused with what cites the record."""

from __future__ import annotations

import shutil
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import choose_option, screenshot, wait_for_app
from tests.unit.test_edits_diff import changed_template

SLOT = ".st-key-stance_edit_statements_stmt-msb-no-change"


def test_edit_a_position_and_revert_it_the_card_follows(server: str, page: Page) -> None:
    """Undecided set from the Stances table's editor shows on the ministry's card; Revert this change shows Retain again."""
    page.goto(f"{server}/stances?actor=TUR-MSB")
    wait_for_app(page)
    main = page.locator('[data-testid="stMain"]')
    card = main.locator(".st-key-stance_card_TUR-MSB")
    expect(card).to_contain_text("Retain the systems", timeout=30_000)
    main.get_by_text("Edit a statement", exact=False).click()
    choose_option(page, main.locator(f"{SLOT}_position_code_s400"), "Undecided")
    main.locator(f"{SLOT}_save button").click()
    expect(card).to_contain_text("Undecided", timeout=30_000)
    wait_for_app(page)
    main.get_by_role("button", name="Revert this change").click()
    expect(main.get_by_text("row(s) restored", exact=False)).to_be_visible(timeout=30_000)
    expect(card).to_contain_text("Retain the systems", timeout=30_000)
    wait_for_app(page)
    screenshot(page, "edit_history_revert")


def test_import_diff_confirm_then_undo(server: str, page: Page, tmp_path: Path) -> None:
    """The diff lists the renamed topic and a likely duplicate; Import waits for the box; Undo import restores the rows."""
    bundle = Path(shutil.make_archive(str(tmp_path / "changed"), "zip", changed_template(tmp_path)))
    page.goto(f"{server}/data")
    wait_for_app(page)
    main = page.locator('[data-testid="stMain"]')
    main.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(bundle))
    expect(main.get_by_text("What it changes: 1 row(s) added, 3 field(s)", exact=False)).to_be_visible(timeout=30_000)
    expect(main.get_by_text("likely the same actor", exact=False)).to_be_visible()
    wait_for_app(page)
    screenshot(page, "import_diff")
    button = main.get_by_role("button", name="Import", exact=True)
    expect(button).to_be_disabled()
    main.locator(".st-key-data_confirm_changes label").click()
    wait_for_app(page)
    expect(button).to_be_enabled()
    button.click()
    expect(main.get_by_text("applied.", exact=False)).to_be_visible(timeout=60_000)
    wait_for_app(page)
    main.get_by_role("button", name="Undo import").click()
    expect(main.get_by_text("undone: 4 row(s) restored", exact=False)).to_be_visible(timeout=30_000)
    wait_for_app(page)
    screenshot(page, "import_undone")


def test_delete_refuses_with_the_citing_list(server: str, page: Page) -> None:
    """Deleting the ministry's statement lists the two evidence rows that cite it and deletes nothing."""
    page.goto(f"{server}/data")
    wait_for_app(page)
    main = page.locator('[data-testid="stMain"]')
    choose_option(page, main.locator(".st-key-edit_table"), "statements")
    choose_option(page, main.locator(".st-key-edit_key_statements"), "Ministry of National Defence")
    main.locator(".st-key-data_edit_statements_stmt-msb-no-change_delete button").click()
    expect(main.get_by_text("2 item(s) stand in the way", exact=False)).to_be_visible(timeout=30_000)
    expect(main.locator(".st-key-data_edit_statements_stmt-msb-no-change_delete_force")).to_be_visible()
    wait_for_app(page)
    screenshot(page, "delete_refused")
