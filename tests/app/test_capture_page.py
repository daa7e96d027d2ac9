"""The Capture page end to end in AppTest: paste a seed-style article, accept the proposals, commit."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from lib import store

ARTICLE = """Turkey again says no change on S-400s

Nefes reported on October 7 that Russia had renewed its request to take back the S-400 systems.

"The S-400 air defense systems are in our inventory, and there is no change in our position," Turkish defence ministry sources said on Thursday.
"""


def _propose(app, article: str, published: dt.date):
    """Open Capture, paste the article as News About Turkey's of that date, and press Propose."""
    at = app("capture")
    at.text_area(key="capture_text").input(article)
    at.date_input(key="capture_published").set_value(published)
    at.selectbox(key="capture_source").set_value("News About Turkey · nat")
    at.button(key="capture_propose").click().run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_paste_accept_commit_records_a_reaffirmation(app, seeded_path: Path) -> None:
    """Pasting, proposing and committing stores the ministry's statement, labelled reaffirmed, with its evidence."""
    at = _propose(app, ARTICLE, dt.date(2025, 10, 10))
    assert any("Preview" in s.value for s in at.subheader)
    at.button(key="capture_commit").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert at.success, [e.value for e in at.error]

    con = store.connect(seeded_path)
    try:
        rows = con.execute(
            "select stated_on, date_precision, position_code, own_continuity from statements "
            "where actor_id = 'TUR-MSB' and stated_on = date '2025-10-09'"
        ).fetchall()
        evidence = con.execute(
            "select relation from evidence e join claims c using (claim_id) join documents d on d.document_id = c.document_id "
            "where d.source_id = 'nefes' and c.claimed_on = date '2025-10-07'"
        ).fetchall()
    finally:
        con.close()
    assert rows == [(dt.date(2025, 10, 9), "day", "retain", "reaffirmed")]
    assert evidence == [("contradicts",)]


def test_bad_url_is_explained_not_a_traceback(app) -> None:
    """A URL that is not http(s) gives a one-line reason."""
    at = app("capture")
    at.radio(key="capture_input").set_value("URL").run()
    at.text_input(key="capture_url").input("file:///etc/passwd")
    at.button(key="capture_propose").click().run()
    assert not at.exception
    assert any("not an http or https address" in e.value for e in at.error)


SEED_REPEAT = """Nefes reported on September 3 that Russia had approached Ankara about taking back the S-400 systems.

"The S-400 air defense systems are in our inventory, and there is no change in our position," Turkish defence ministry sources said on Thursday.
"""


def test_repeat_of_stored_statement_is_flagged_and_not_written(app, seeded_path: Path) -> None:
    """The seed's ministry statement and Nefes claim pasted again are flagged, start unaccepted, are not previewed."""
    at = _propose(app, SEED_REPEAT, dt.date(2025, 9, 5))
    assert any("statements repeat one already stored" in w.value for w in at.warning)
    assert any("claims repeat one already stored" in w.value for w in at.warning)
    captions = [c.value for c in at.caption]
    assert not any(c.startswith(("statements.csv", "claims.csv")) for c in captions), captions
