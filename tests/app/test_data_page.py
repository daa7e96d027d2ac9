"""The Data page under AppTest: upload an event dataset (with GDELT mentions), preview, refuse, skip, import."""

from __future__ import annotations

from pathlib import Path

from tests.app.conftest import shown
from tests.test_paths import GDELT2_SAMPLE
from tests.unit.test_datasets import ICEWS, _mentions_of_sample_events


def _upload(at, key: str, path: Path, data: bytes | None = None, name: str | None = None):
    at.file_uploader(key=key).set_value((name or path.name, path.read_bytes() if data is None else data, "text/plain"))
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def _with_column(at, column: str):
    """The first dataframe on the page with this column (AppTest does not expose a dataframe's key)."""
    return next(df.value for df in at.dataframe if column in df.value.columns)


def _texts(at) -> str:
    return "\n".join(t.value for t in at.text)


def test_gdelt_file_with_mentions_previews_and_imports(app, tmp_path: Path) -> None:
    """A GDELT export shows its first mapped events and a mentions uploader; Import adds the events and the mentions' documents."""
    at = _upload(app("data"), "data_upload", GDELT2_SAMPLE)
    assert "a GDELT events file" in _texts(at)
    preview = at.dataframe[0].value
    assert list(preview.columns[:4]) == ["event_id", "occurred_on", "date_precision", "event_type"] and len(preview) == 20
    assert preview.event_type.str.fullmatch(r"\d{2,4}").all()  # codes as text, leading zeros kept
    at = _upload(at, "data_mentions", _mentions_of_sample_events(tmp_path))
    at.button(key="data_import").click().run()
    assert not at.exception and [s.value for s in at.success] == [at.success[0].value] and at.success[0].value.endswith("applied.")
    summary = _texts(at)
    assert "events: 6090 inserted" in summary
    linked = int(summary.split("event_documents: ")[1].split(" inserted")[0])
    assert linked > 6081  # the export's own article links, plus the mentions


def test_a_bad_row_refuses_the_file_until_the_analyst_skips_it(app, tmp_path: Path) -> None:
    """A bad date is listed by line, column and reason with no Import button; 'skip these' imports the other rows."""
    text = ICEWS.read_text(encoding="utf-8").replace("2018-06-01", "2018-13-45", 1)
    at = _upload(app("data"), "data_upload", ICEWS, text.encode("utf-8"))
    assert [e.value for e in at.error] == ["1 problem(s). The file is refused as it is."]
    problems = at.dataframe[1].value
    assert problems.iloc[0].to_dict() == {"file": ICEWS.name, "row": 2, "column": "Event Date", "reason": "not a date in YYYY-MM-DD form"}
    assert not [b for b in at.button if b.key == "data_import"]
    at.checkbox(key="data_skip").check().run()
    at.button(key="data_import").click().run()
    assert "events: 3704 inserted" in _texts(at) and "skipped 1 bad row(s)" in _texts(at)


def test_a_file_that_is_not_mentions_is_refused_whole(app) -> None:
    """Giving an ICEWS file as the mentions file refuses the import with one clear reason."""
    at = _upload(app("data"), "data_upload", GDELT2_SAMPLE)
    at = _upload(at, "data_mentions", ICEWS, name="20180601.mentions.csv")
    at.button(key="data_import").click().run()
    assert not at.exception
    assert any("not a GDELT 2.0 mentions file" in shown(e.value) for e in at.error)
    assert "events: 6090 inserted" not in _texts(at)


def test_a_zipped_gdelt_update_is_taken_as_events_and_a_bundle_zip_as_a_bundle(app, tmp_path: Path) -> None:
    """GDELT's own packaging (a zip of one CSV) previews as events; the seed bundle zipped is checked as a bundle."""
    from tests.conftest import SEED
    from tests.unit.test_datasets import _packed

    at = _upload(app("data"), "data_upload", _packed(tmp_path, "zip", GDELT2_SAMPLE))
    assert "a GDELT events file" in _texts(at)
    at = _upload(app("data"), "data_upload", _packed(tmp_path, "zip", *sorted(SEED.glob("*.csv"))))
    assert "a bundle (" in _texts(at) and "events: 5 row(s)" in _texts(at)


def test_a_million_field_line_is_a_refusal_on_the_page(app) -> None:
    """An uploaded GDELT file with a line of a million fields previews as one problem naming the limit's variable, at once."""
    lines = GDELT2_SAMPLE.read_bytes().split(b"\n")[:5]
    data = b"\n".join([*lines, b"\t".join([b"x"] * 1_000_000), b""])
    at = _upload(app("data"), "data_upload", GDELT2_SAMPLE, data=data, name="wide.export.CSV")
    problems = next(d.value for d in at.dataframe if "reason" in d.value.columns)
    assert list(problems.row) == [6] and "STANCEWATCH_MAX_FIELDS" in problems.reason[0]
    assert not [b for b in at.button if b.key == "data_import"]


def test_an_unexpected_error_while_importing_is_a_plain_message_naming_the_log(app, tmp_path: Path, monkeypatch) -> None:
    """A fault inside the importer shows 'internal error: ... (details in LOG)', the trace goes to the log, the page goes on."""
    from lib.ingest import datasets

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(datasets.IMPORTERS, "icews", broken)
    monkeypatch.setenv("STANCEWATCH_LOG", str(tmp_path / "dash.log"))
    at = _upload(app("data"), "data_upload", ICEWS)
    at.button(key="data_import").click().run()
    assert not at.exception
    assert [shown(e.value) for e in at.error] == [f"internal error: RuntimeError: disk on fire (details in {tmp_path / 'dash.log'})"]
    assert "Traceback" in (tmp_path / "dash.log").read_text(encoding="utf-8")
    assert any(s.value == "Import history" for s in at.subheader)  # the rest of the page still drew


def test_a_bundle_bomb_is_a_problem_list_on_the_page(app, tmp_path: Path) -> None:
    """The 1 MB zip holding one 1.1 GB line is refused in the preview with the limit named: no traceback, no Import button."""
    from tests.unit.bundle_bombs import zip_of_one_line

    at = _upload(app("data"), "data_upload", zip_of_one_line(tmp_path / "line.zip"))
    assert [e.value for e in at.error] == ["1 problem(s). The file is refused as it is."]
    assert "STANCEWATCH_IMPORT_MAX_FILE_BYTES" in at.dataframe[0].value.iloc[0]["reason"]
    assert not [b for b in at.button if b.key == "data_import"]


def test_an_import_while_another_write_runs_says_it_will_queue(app, seeded_path: Path) -> None:
    """While another session writes, the page says an import would queue behind it; once free, the import applies."""
    from lib import store
    from tests.conftest import SEED, holding_write
    from tests.unit.test_datasets import _packed

    at = app("data")
    holder = store.connect(seeded_path).cursor()  # the same database instance as the page's connection
    with holding_write(holder, "another-session", "import bundle"):
        at = _upload(at, "data_upload", _packed(seeded_path.parent, "zip", *sorted(SEED.glob("*.csv"))))
        assert any("busy with import bundle by another-session" in i.value for i in at.info)
    at.button(key="data_import").click().run()
    assert not at.exception and at.success[0].value.endswith("unchanged.")


def test_the_import_queue_shows_waiting_applied_and_failed_jobs_as_plain_text(app, seeded_path: Path, tmp_path: Path,
                                                                               monkeypatch) -> None:
    """The Data page lists queued CLI imports newest first: applied with its import id, failed with its refusal, waiting;
    a file name written as markup is shown as typed."""
    from lib import store
    from lib.ingest import inbox

    good = tmp_path / "good.CSV"
    good.write_text("".join(GDELT2_SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)[:20]), encoding="utf-8")
    bad = tmp_path / "bad.CSV"
    bad.write_text("not a GDELT line\n", encoding="utf-8")
    con = store.connect(seeded_path)
    for path in (good, bad):
        inbox.queue(seeded_path, "gdelt", path, "cron")
    inbox.drain(con, seeded_path)
    con.close()
    marked = tmp_path / "**bold** <b>x<b> [a](javascript:x).CSV"
    marked.write_bytes(good.read_bytes())
    inbox.queue(seeded_path, "gdelt", marked, "cron")
    monkeypatch.setattr(inbox, "start_worker", lambda con, path: None)  # keep the waiting job waiting while the page is read
    at = app("data")
    queue = _with_column(at, "job")
    assert list(queue.state) == ["waiting", "failed", "applied"]
    assert list(queue.file) == [marked.name, "bad.CSV", "good.CSV"]
    applied_id = int(queue.import_id.iloc[2])
    assert queue.outcome.iloc[1].startswith("import refused, nothing changed: 1 problem(s)") and "bad.CSV: not a GDELT file" in queue.outcome.iloc[1]
    assert queue.outcome.iloc[2].startswith("events: 20 inserted")
    history = _with_column(at, "imported_at")
    assert history.set_index("import_id").loc[applied_id, "who"] == "cron (queued from CLI)"
