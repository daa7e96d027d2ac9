"""GDELT, ICEWS and ACLED imports on the real samples in shared/realdata and on hand-made ACLED files."""

from __future__ import annotations

import csv
import gzip
import zipfile
from pathlib import Path

import pytest

from lib import store
from lib.ingest import datasets
from lib.ingest.acled import import_acled
from lib.ingest.gdelt import MENTION_COLUMNS, columns, import_gdelt
from lib.ingest.icews import import_icews
from lib.ingest.report import ImportRefused
from tests.conftest import REALDATA, ROOT

GDELT2 = REALDATA / "gdelt" / "gdelt2_events_sample_2017.export.CSV"
GDELT1 = REALDATA / "gdelt" / "reed9999_gdelt1_sample_events.tsv"
MENTIONS = REALDATA / "gdelt" / "gdeltPyR_mentionssamp.csv"
ICEWS = REALDATA / "icews" / "events.2018.sample.tab"
ACLED_NOW = ROOT / "tests" / "data" / "acled_current.csv"
ACLED_OLD = ROOT / "tests" / "data" / "acled_legacy.csv"


def _state(con) -> tuple[dict[str, int], int]:
    return store.table_counts(con), con.execute("select count(*) from audit_log where action not like 'log%'").fetchall()[0][0]


def test_gdelt2_sample_imports_every_event(con) -> None:
    """All 6,090 events of the GDELT 2.0 sample land, with codes as text and dates from SQLDATE."""
    result = import_gdelt(con, GDELT2, who="test")
    assert result.counts["events"]["inserted"] == 6090
    row = con.execute(
        "select occurred_on, event_type, origin, origin_ref, goldstein from events where event_id = 'gdelt-669666350'"
    ).fetchall()[0]
    assert (str(row[0]), row[1], row[2], row[3]) == ("2007-07-04", "040", "gdelt", "669666350")
    assert row[4] == pytest.approx(1.0)
    assert con.execute("select label from event_types where vocabulary = 'cameo' and code = '040'").fetchall() == [("Consult",)]
    assert con.execute("select count(*) from events where event_type not similar to '[0-9]{2,4}'").fetchall() == [(0,)]


def test_gdelt2_links_actors_and_source_article(con) -> None:
    """Actor codes become actors with roles; the SOURCEURL becomes a document of the outlet's domain."""
    import_gdelt(con, GDELT2, who="test")
    roles = con.execute("select actor_id, role from event_actors where event_id = 'gdelt-669666350'").fetchall()
    assert roles == [("gdelt:CVL", "target")]
    doc = con.execute(
        """select d.source_id, d.url from event_documents ed join documents d using (document_id)
           where ed.event_id = 'gdelt-669666350'"""
    ).fetchall()[0]
    assert doc[0] == "web:cvilletomorrow.org" and doc[1].startswith("http://www.cvilletomorrow.org/")


def test_gdelt1_both_widths_in_one_file(con) -> None:
    """The GDELT 1.0 sample mixes 57- and 58-column rows; all 710 import, the 57-column ones without a URL."""
    result = import_gdelt(con, GDELT1, who="test")
    assert result.counts["events"]["inserted"] == 710
    assert result.counts["event_documents"]["inserted"] == 509


def _mentions_of_sample_events(tmp_path: Path, count: int = 50) -> Path:
    """The real mentions sample's first rows, re-pointed at events of the GDELT 2.0 sample (the two samples share no event)."""
    events = [line.split("\t", 1)[0] for line in GDELT2.read_text(encoding="utf-8").splitlines()[:count]]
    header, *rows = MENTIONS.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "mentions.csv"
    path.write_text("\n".join([header, *(f"{event},{row.split(',', 1)[1]}" for event, row in zip(events, rows, strict=False))]) + "\n",
                    encoding="utf-8")
    return path


def _links(con) -> set[tuple[str, str]]:
    return set(con.execute("select event_id, document_id from event_documents").fetchall())


def test_gdelt_gzip_and_mentions(con, tmp_path: Path) -> None:
    """A gzipped export imports the same; the mentions file adds one document per web mention of a known event."""
    packed = tmp_path / "export.CSV.gz"
    packed.write_bytes(gzip.compress(GDELT2.read_bytes()))
    result = import_gdelt(con, packed, who="test", mentions=_mentions_of_sample_events(tmp_path))
    assert result.counts["events"]["inserted"] == 6090
    first_event = "gdelt-" + GDELT2.read_text(encoding="utf-8").split("\t", 1)[0]
    mentioned = con.execute(
        """select ed.event_id from event_documents ed join documents d using (document_id)
           where d.url = 'http://arabic.china.org.cn/txt/2017-07/02/content_41135804.htm'"""
    ).fetchall()
    assert (first_event,) in mentioned
    assert result.counts["event_documents"]["inserted"] > 6081  # the export's own article links, plus the mentions


def _packed(tmp_path: Path, pack: str, *members: Path) -> Path:
    target = tmp_path / f"{members[0].name}.{pack}"
    if pack == "gz":
        target.write_bytes(gzip.compress(members[0].read_bytes()))
    else:
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            for member in members:
                archive.write(member, member.name)
    return target


@pytest.mark.parametrize("pack", ["zip", "gz"])
def test_packed_export_imports_as_the_plain_file(con, tmp_path: Path, pack: str) -> None:
    """GDELT ships each update as a zip of one CSV: zipped or gzipped, the export is recognised and gives the same rows."""
    packed = _packed(tmp_path, pack, GDELT2)
    assert datasets.sniff(packed) == "gdelt"
    assert import_gdelt(con, packed, who="test").counts["events"]["inserted"] == 6090
    plain = store.connect(tmp_path / "plain.duckdb")
    import_gdelt(plain, GDELT2, who="test")
    for table in ("events", "event_actors", "event_documents", "documents"):
        query = f"select * from {table} order by all"
        assert con.execute(query).fetchall() == plain.execute(query).fetchall(), table


def test_a_zip_of_several_files_is_not_an_events_file(con, tmp_path: Path) -> None:
    """A zip of two files is refused by the importer with the reason, and the Data page takes it for a bundle."""
    packed = _packed(tmp_path, "zip", GDELT2, ICEWS)
    assert datasets.sniff(packed) is None
    with pytest.raises(ImportRefused, match="the zip holds 2 files"):
        import_gdelt(con, packed, who="test")


@pytest.mark.parametrize("name", ["export.CSV.zip", "export.CSV.gz"])
def test_a_corrupt_archive_is_one_clear_refusal(con, tmp_path: Path, name: str) -> None:
    """A zip that is not a zip, or a gzip cut short, is refused as unreadable and nothing changes; as mentions too."""
    good = _packed(tmp_path, name.rsplit(".", 1)[1], GDELT2).read_bytes()
    broken = tmp_path / name
    broken.write_bytes(good[: len(good) // 2] if name.endswith("gz") else b"PK" + good[100:5000])
    before = _state(con)
    for attempt in (lambda: import_gdelt(con, broken, who="test"), lambda: import_gdelt(con, GDELT2, who="test", mentions=broken)):
        with pytest.raises(ImportRefused) as refused:
            attempt()
        assert len(refused.value.problems) == 1 and refused.value.problems[0].reason.startswith(("not a GDELT", "not a GDELT 2.0 mentions"))
    assert _state(con) == before and datasets.sniff(broken) in (None, "gdelt")


def test_gdelts_own_tab_separated_mentions_link_as_the_csv_does(con, tmp_path: Path) -> None:
    """GDELT's raw mentions export (16 tab-separated fields, no header) links the same documents as the CSV with a header."""
    with_header = _mentions_of_sample_events(tmp_path)
    with with_header.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    raw = tmp_path / "20170701234500.mentions.CSV"
    raw.write_text("".join("\t".join(row) + "\n" for row in rows), encoding="utf-8")
    import_gdelt(con, GDELT2, who="test", mentions=raw)
    other = store.connect(tmp_path / "csv.duckdb")
    import_gdelt(other, GDELT2, who="test", mentions=with_header)
    assert _links(con) == _links(other) and len(_links(con)) > 6081


def test_a_file_that_is_not_mentions_is_refused(con) -> None:
    """An ICEWS file given as the mentions file is one clear refusal, and nothing changes."""
    before = _state(con)
    with pytest.raises(ImportRefused) as refused:
        import_gdelt(con, GDELT2, who="test", mentions=ICEWS)
    assert [p.reason.split(":")[0] for p in refused.value.problems] == ["not a GDELT 2.0 mentions file"]
    assert _state(con) == before


def test_mentions_of_events_stored_earlier_are_linked_once(con, tmp_path: Path) -> None:
    """Mentions imported after their events link to the stored events, the same links as one import of both; again adds none."""
    mentions = _mentions_of_sample_events(tmp_path)
    import_gdelt(con, GDELT2, who="test")
    later = import_gdelt(con, GDELT2, who="test", mentions=mentions)
    assert later.counts["events"]["inserted"] == 0 and later.counts["event_documents"]["inserted"] > 0
    together = store.connect(tmp_path / "together.duckdb")
    import_gdelt(together, GDELT2, who="test", mentions=mentions)
    assert _links(con) == _links(together)
    assert con.execute("select count(*) from event_documents").fetchall()[0][0] == len(_links(con))
    assert import_gdelt(con, GDELT2, who="test", mentions=mentions).counts["event_documents"]["inserted"] == 0


def test_reimport_is_a_no_op(con) -> None:
    """Importing the same GDELT file twice changes no data row the second time."""
    import_gdelt(con, GDELT2, who="test")
    before = store.table_counts(con)
    result = import_gdelt(con, GDELT2, who="test")
    assert result.status == "unchanged" and store.table_counts(con) == before


def test_newer_update_adds_only_new_events(con, tmp_path: Path) -> None:
    """An update whose first half repeats older events adds only its new second half."""
    lines = GDELT2.read_text(encoding="utf-8").splitlines(keepends=True)
    (tmp_path / "a.CSV").write_text("".join(lines[:4000]), encoding="utf-8")
    (tmp_path / "b.CSV").write_text("".join(lines[2000:]), encoding="utf-8")
    import_gdelt(con, tmp_path / "a.CSV", who="test")
    result = import_gdelt(con, tmp_path / "b.CSV", who="test")
    assert result.counts["events"] == {"inserted": 2090, "updated": 0, "unchanged": 2000}


def test_icews_sample_with_na(con) -> None:
    """All 3,705 ICEWS events import; NA fields are missing values, not text; codes stay text."""
    result = import_icews(con, ICEWS, who="test")
    assert result.counts["events"]["inserted"] == 3705
    row = con.execute("select occurred_on, event_type, location, title from events where event_id = 'icews-32889836'").fetchall()[0]
    assert (str(row[0]), row[1]) == ("2018-06-01", "040")
    assert row[2] == "Hanoi, Thanh Pho Ha Noi, Vietnam"  # District was NA
    assert row[3].startswith("Consult: Foreign Affairs (Bangladesh) → High Ranking Military Personnel (Vietnam)")
    assert con.execute("select count(*) from actors where name = 'NA'").fetchall() == [(0,)]


def test_acled_both_layouts(con) -> None:
    """Current and legacy ACLED layouts parse their own date forms; week/month precision is stored as month."""
    import_acled(con, ACLED_NOW, who="test")
    import_acled(con, ACLED_OLD, who="test")
    rows = dict(con.execute("select event_id, occurred_on::varchar || '/' || date_precision from events").fetchall())
    assert rows["acled-TUR12345"] == "2020-05-09/day"
    assert rows["acled-TUR12346"] == "2020-05-01/month"
    assert rows["acled-ALG1"] == "2015-01-01/day"
    assert rows["acled-ALG2"] == "2015-02-01/month"
    outlets = con.execute("select count(*) from event_documents where event_id = 'acled-TUR12345'").fetchall()
    assert outlets == [(2,)]
    assert con.execute("select fatalities from events where event_id = 'acled-TUR12345'").fetchall() == [(3,)]


def _on_line(text: str, number: int, change) -> str:
    lines = text.split("\n")
    lines[number - 1] = change(lines[number - 1])
    return "\n".join(lines)


BAD = {
    "truncated row": (GDELT2, lambda text: _on_line(text, 3, lambda line: line.rsplit("\t", 5)[0]), "gdelt", "Expected Number of Columns"),
    "wrong column count": (GDELT2, lambda text: _on_line(text, 3, lambda line: line + "\textra"), "gdelt", "Expected Number of Columns"),
    "bad date": (ICEWS, lambda text: text.replace("2018-06-01", "2018-13-45", 1), "icews", "not a date"),
    "duplicate id": (ACLED_NOW, lambda text: text.replace("SYR9", "TUR12345"), "acled", "duplicate event id"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_rows_refuse_the_whole_file(case: str, con, tmp_path: Path) -> None:
    """A file with a bad row is refused with its line number and reason; the store does not change."""
    source, damage, fmt, reason = BAD[case]
    bad = tmp_path / source.name
    bad.write_text(damage(source.read_text(encoding="utf-8")), encoding="utf-8")
    before = _state(con)
    with pytest.raises(ImportRefused) as refused:
        datasets.IMPORTERS[fmt](con, bad, who="test")
    assert any(reason.lower() in p.reason.lower() and p.row > 0 for p in refused.value.problems), refused.value
    assert _state(con) == before
    if case == "wrong column count":  # a field too many: the line as a whole is wrong, no column to blame
        assert [p.column for p in refused.value.problems] == [""]
    if case == "truncated row":  # the first field missing is named
        assert [p.column for p in refused.value.problems] == ["ActionGeo_Lat"]


def test_line_numbers_count_the_header_and_rejected_lines(con, tmp_path: Path) -> None:
    """A bad date after a malformed line is reported at its real line in the file."""
    lines = ACLED_NOW.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1] = "broken,line\n"
    lines[3] = lines[3].replace("1-Jun-20", "31-Jun-20")
    (tmp_path / "a.csv").write_text("".join(lines), encoding="utf-8")
    with pytest.raises(ImportRefused) as refused:
        import_acled(con, tmp_path / "a.csv", who="test")
    assert sorted(p.row for p in refused.value.problems) == [2, 4]


def test_skip_bad_rows_imports_the_rest(con, tmp_path: Path) -> None:
    """With skip_bad_rows the good rows land and the skipped ones are listed by line."""
    text = ICEWS.read_text(encoding="utf-8").replace("2018-06-01", "2018-13-45", 1)
    (tmp_path / "e.tab").write_text(text, encoding="utf-8")
    result = import_icews(con, tmp_path / "e.tab", who="test", skip_bad_rows=True)
    assert result.counts["events"]["inserted"] == 3704
    assert [p.row for p in result.skipped] == [2]


def test_non_utf8_bytes_are_reported(con, tmp_path: Path) -> None:
    """Latin-1 bytes in a row are a refusal naming that line."""
    data = GDELT2.read_bytes().replace(b"NEIGHBORHOOD", b"NEIGHB\xd6RHOOD", 1)
    (tmp_path / "x.CSV").write_bytes(data)
    with pytest.raises(ImportRefused) as refused:
        import_gdelt(con, tmp_path / "x.CSV", who="test")
    assert refused.value.problems[0].row == 1 and "unicode" in refused.value.problems[0].reason.lower()


@pytest.mark.parametrize(("fmt", "other"), [("gdelt", ICEWS), ("icews", GDELT2), ("acled", GDELT1)])
def test_a_file_of_another_format_is_refused(fmt: str, other: Path, con) -> None:
    """Giving one importer another dataset's file is one clear refusal, and nothing changes."""
    before = _state(con)
    with pytest.raises(ImportRefused) as refused:
        datasets.IMPORTERS[fmt](con, other, who="test")
    article = "an" if fmt in ("icews", "acled") else "a"
    assert len(refused.value.problems) == 1 and f"not {article} {fmt.upper()} file" in refused.value.problems[0].reason
    assert _state(con) == before


def test_empty_file_is_refused(con, tmp_path: Path) -> None:
    """An empty file is refused as empty."""
    (tmp_path / "empty.CSV").write_bytes(b"")
    with pytest.raises(ImportRefused, match="empty"):
        import_gdelt(con, tmp_path / "empty.CSV", who="test")


@pytest.mark.parametrize(("path", "fmt"), [(GDELT2, "gdelt"), (GDELT1, "gdelt"), (ICEWS, "icews"), (ACLED_NOW, "acled"),
                                           (ACLED_OLD, "acled"), (ROOT / "data" / "seed" / "events.csv", None)])
def test_sniff_recognises_each_format(path: Path, fmt: str | None) -> None:
    """The Data page can tell the formats apart from the first line."""
    assert datasets.sniff(path) == fmt


def test_cameo_labels_keep_leading_zeros() -> None:
    """The shipped CAMEO table keeps codes as text: '010' and '01' both exist."""
    text = (ROOT / "data" / "cameo_codes.csv").read_text(encoding="utf-8")
    assert "\n010,Make statement," in text and "\n01,MAKE PUBLIC STATEMENT," in text



SCHEMA = REALDATA / "gdelt" / "schema"


def _first_fields(path: Path, delimiter: str, column: int = 0) -> list[str]:
    """The given field of every line after the header of one of GDELT's published column-label files."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [row[column] for row in csv.reader(handle, delimiter=delimiter)][1:]


def test_gdelt_column_lists_are_gdelts_published_headers() -> None:
    """The events layouts (2.0: 61 columns, 1.0: 58) and the mentions layout are GDELT's own labels, in order."""
    assert columns(2) == _first_fields(SCHEMA / "GDELT_2.0_Events_Column_Labels_Header_Row_Sep2016.csv", ",")
    assert columns(1) == _first_fields(SCHEMA / "GDELT_1.0_event_Column_Labels_Header_Row_Sep2016.tsv", "\t")
    mentions = _first_fields(SCHEMA / "GDELT_2.0_eventMentions_Column_Labels_Header_Row_Sep2016.tsv", "\t", column=1)
    assert [name.lower() for name in mentions] == MENTION_COLUMNS
    assert MENTIONS.read_text(encoding="utf-8").splitlines()[0].split(",") == MENTION_COLUMNS


def test_shipped_cameo_table_is_the_cp1252_codebook_as_utf8() -> None:
    """data/cameo_codes.csv holds every code of the non-UTF-8 ICEWS codebook with its label and Goldstein score."""
    with (REALDATA / "icews" / "cameo-codes.csv").open(encoding="cp1252", newline="") as handle:
        book = {row["code"]: (row["name"], float(row["goldstein"])) for row in csv.DictReader(handle)}
    with (ROOT / "data" / "cameo_codes.csv").open(encoding="utf-8", newline="") as handle:
        shipped = {row["code"]: (row["label"], float(row["goldstein"])) for row in csv.DictReader(handle)}
    assert shipped == book and len(book) == 312


def test_every_code_in_the_real_samples_reads_as_words(con) -> None:
    """No event of the real GDELT 2.0, GDELT 1.0 or ICEWS samples falls back to a bare code for want of a label."""
    for path, reader in ((GDELT2, import_gdelt), (GDELT1, import_gdelt), (ICEWS, import_icews)):
        reader(con, path, who="test")
    assert con.execute("select count(*) from events e anti join event_types t on t.code = e.event_type").fetchall() == [(0,)]
    assert con.execute("select count(*) from events where title like 'CAMEO %'").fetchall() == [(0,)]
