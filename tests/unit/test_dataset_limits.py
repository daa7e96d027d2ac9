"""Dataset files are read within limits: a huge line, field or field count, a zip bomb, or a broken archive is refused
within seconds, naming the limit and the variable that raises it, and the store does not change."""

from __future__ import annotations

import gzip
import time
import zipfile
from pathlib import Path

import pytest

from lib import store
from lib.ingest import datasets, limits
from lib.ingest.gdelt import import_gdelt
from lib.ingest.report import ImportRefused
from tests.conftest import REALDATA, ROOT

GDELT2 = REALDATA / "gdelt" / "gdelt2_events_sample_2017.export.CSV"
MENTIONS = REALDATA / "gdelt" / "gdeltPyR_mentionssamp.csv"
ICEWS = REALDATA / "icews" / "events.2018.sample.tab"
ACLED = ROOT / "tests" / "data" / "acled_current.csv"
DELIMITER = {"gdelt": "\t", "icews": "\t", "acled": ","}
SOURCE = {"gdelt": GDELT2, "icews": ICEWS, "acled": ACLED}


def _status_mb(field: str) -> float:
    status = Path("/proc/self/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith(field)).split()[1]) / 1024


def peak_rss_mb() -> float:
    """This process's peak resident memory since the last `reset_peak_rss` (VmHWM), in MB."""
    return _status_mb("VmHWM")


def reset_peak_rss() -> float:
    """Start measuring the peak anew (Linux: writing 5 to clear_refs resets VmHWM); return the resident MB it starts from."""
    Path("/proc/self/clear_refs").write_text("5")
    return _status_mb("VmRSS")


def _state(con) -> dict[str, int]:
    return store.table_counts(con)


def _with_line(source: Path, target: Path, line: int, text: str) -> Path:
    """A copy of ``source`` whose line ``line`` (1-based) is replaced by ``text``."""
    lines = source.read_bytes().split(b"\n")
    lines[line - 1] = text.encode()
    target.write_bytes(b"\n".join(lines))
    return target


def _refused(con, fmt: str, path: Path, **kwargs) -> ImportRefused:
    before = _state(con)
    with pytest.raises(ImportRefused) as refused:
        datasets.IMPORTERS[fmt](con, path, who="test", **kwargs)
    assert _state(con) == before
    return refused.value


@pytest.mark.parametrize("fmt", ["gdelt", "icews", "acled"])
def test_a_line_of_a_million_fields_is_refused_in_seconds(fmt: str, con, tmp_path: Path) -> None:
    """One line of 1,000,000 fields: refused at its line within 10 s and under 1 GB, naming STANCEWATCH_MAX_FIELDS."""
    bad = _with_line(SOURCE[fmt], tmp_path / SOURCE[fmt].name, 4, DELIMITER[fmt].join(["x"] * 1_000_000))
    before = reset_peak_rss()
    started = time.perf_counter()
    refusal = _refused(con, fmt, bad)
    assert time.perf_counter() - started < 10
    assert peak_rss_mb() - before < 256  # the process's own size depends on the tests run before (the app tests: ~1 GB)
    assert [(p.row, p.column) for p in refusal.problems] == [(4, "")]
    assert "fields on a line is 1,000,000, over the limit of 1,000 fields" in refusal.problems[0].reason and "STANCEWATCH_MAX_FIELDS" in refusal.problems[0].reason


@pytest.mark.parametrize("fmt", ["gdelt", "icews", "mentions"])
def test_a_ten_megabyte_field_is_refused(fmt: str, con, tmp_path: Path) -> None:
    """A 10 MB field is a refusal naming the field-length limit and its line, not a traceback; as a mentions file too."""
    source = MENTIONS if fmt == "mentions" else SOURCE[fmt]
    delimiter = "," if fmt == "mentions" else "\t"
    fields = source.read_text(encoding="utf-8").split("\n")[2].split(delimiter)
    fields[5] = "A" * 10_000_000
    bad = _with_line(source, tmp_path / source.name, 3, delimiter.join(fields))
    refusal = _refused(con, "gdelt", GDELT2, mentions=bad) if fmt == "mentions" else _refused(con, fmt, bad)
    assert [(p.file, p.row) for p in refusal.problems] == [(bad.name, 3)]
    assert "STANCEWATCH_MAX_LINE_BYTES" in refusal.problems[0].reason  # 10 MB is past the line limit before the field limit


def test_field_and_line_limits_name_their_variables_and_can_be_raised(con, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 300 KB note is past the field limit (256 KB) with its variable named; raising the variable lets the file in."""
    lines = ACLED.read_text(encoding="utf-8").split("\n")
    lines[2] = lines[2].replace("a formula-looking note stays text", "n" * 300_000)
    bad = tmp_path / "acled.csv"
    bad.write_text("\n".join(lines), encoding="utf-8")
    refusal = _refused(con, "acled", bad)
    assert [p.row for p in refusal.problems] == [3] and "STANCEWATCH_MAX_FIELD_BYTES" in refusal.problems[0].reason
    monkeypatch.setenv("STANCEWATCH_MAX_LINE_BYTES", "200")
    assert "line length" in _refused(con, "acled", ACLED).problems[0].reason
    monkeypatch.setenv("STANCEWATCH_MAX_LINE_BYTES", "2000000")
    monkeypatch.setenv("STANCEWATCH_MAX_FIELD_BYTES", "1000000")
    assert datasets.IMPORTERS["acled"](con, bad, who="test").status == "applied"


def test_a_bad_limit_setting_is_an_error_naming_the_variable(con, monkeypatch: pytest.MonkeyPatch) -> None:
    """STANCEWATCH_MAX_FIELDS=lots is a ValueError naming the variable (the CLI prints it as one line)."""
    monkeypatch.setenv("STANCEWATCH_MAX_FIELDS", "lots")
    with pytest.raises(ValueError, match="STANCEWATCH_MAX_FIELDS"):
        import_gdelt(con, GDELT2, who="test")


def test_a_zip_bomb_stops_at_the_packing_ratio(con, tmp_path: Path) -> None:
    """64 MB of empty lines packed into a small zip is refused by its packing ratio after a few MB, in seconds."""
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive, archive.open("export.CSV", "w") as member:
        member.write(GDELT2.read_bytes()[:5000])
        for _ in range(64):
            member.write(b"\n" * (1 << 20))
    started = time.perf_counter()
    refusal = _refused(con, "gdelt", bomb)
    assert time.perf_counter() - started < 10
    assert "packing ratio" in refusal.problems[0].reason and "STANCEWATCH_MAX_PACK_RATIO" in refusal.problems[0].reason


def test_unpacked_size_is_counted_as_it_streams(con, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A gzip whose text is past STANCEWATCH_MAX_UNPACKED_BYTES is refused naming it (the real export fits under 8 GB)."""
    packed = tmp_path / "export.CSV.gz"
    packed.write_bytes(gzip.compress(GDELT2.read_bytes()))
    monkeypatch.setenv("STANCEWATCH_MAX_UNPACKED_BYTES", "1000000")
    assert "STANCEWATCH_MAX_UNPACKED_BYTES" in _refused(con, "gdelt", packed).problems[0].reason
    monkeypatch.delenv("STANCEWATCH_MAX_UNPACKED_BYTES")
    assert import_gdelt(con, packed, who="test").counts["events"]["inserted"] == 6090


def _zip(path: Path, name: str, data: bytes, encrypted: bool = False) -> Path:
    """A zip of one member; ``encrypted`` sets the member's encryption flag in both headers (Python cannot write real encryption)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    if encrypted:
        raw = bytearray(path.read_bytes())
        for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
            at = raw.index(signature) + offset
            raw[at] |= 0x1
        path.write_bytes(bytes(raw))
    return path


@pytest.mark.parametrize("case", ["encrypted", "truncated zip", "corrupt member", "truncated gzip", "not gzip"])
def test_broken_archives_are_refused_in_words(case: str, con, tmp_path: Path) -> None:
    """Encrypted, truncated or corrupt zips and gzips are one refusal in words, with no traceback and nothing written."""
    data = GDELT2.read_bytes()
    if case == "encrypted":
        bad = _zip(tmp_path / "e.zip", "export.CSV", data, encrypted=True)
        expected = "encrypted"
    elif case == "truncated zip":
        whole = _zip(tmp_path / "w.zip", "export.CSV", data).read_bytes()
        bad = tmp_path / "t.zip"
        bad.write_bytes(whole[: len(whole) // 2])
        expected = "not a GDELT file"
    elif case == "corrupt member":
        whole = bytearray(_zip(tmp_path / "w.zip", "export.CSV", data).read_bytes())
        whole[200:400] = bytes(200)
        bad = tmp_path / "c.zip"
        bad.write_bytes(bytes(whole))
        expected = "corrupt or cut short"
    elif case == "truncated gzip":
        bad = tmp_path / "t.CSV.gz"
        bad.write_bytes(gzip.compress(data)[:100_000])
        expected = "corrupt or cut short"
    else:
        bad = tmp_path / "n.CSV.gz"
        bad.write_bytes(data)
        expected = "not a GDELT file"
    refusal = _refused(con, "gdelt", bad)
    assert len(refusal.problems) == 1 and expected in refusal.problems[0].reason, refusal.problems


def test_a_zip_member_named_outside_the_folder_writes_nothing_there(con, tmp_path: Path) -> None:
    """A zip whose one member is called ../../escaped.CSV imports as the export it holds and writes no file outside."""
    inner = tmp_path / "a" / "b"
    inner.mkdir(parents=True)
    archive = _zip(inner / "update.zip", "../../escaped.CSV", GDELT2.read_bytes())
    assert import_gdelt(con, archive, who="test").counts["events"]["inserted"] == 6090
    assert not list(tmp_path.rglob("escaped.CSV"))


def test_limits_default_far_above_the_real_samples() -> None:
    """Every real sample is far inside the limits: the longest line and field, the most fields."""
    for path, delimiter in ((GDELT2, b"\t"), (ICEWS, b"\t"), (MENTIONS, b",")):
        lines = path.read_bytes().split(b"\n")
        assert max(map(len, lines)) * 100 < limits.DATASET_LINE_BYTES.value
        assert max(line.count(delimiter) for line in lines) * 10 < limits.DATASET_FIELDS.value


def test_every_limit_is_documented() -> None:
    """Each limit's variable is in README's configuration table and docs/IMPORT.md's limits table, with its default."""
    readme, guide = (ROOT / "README.md").read_text(encoding="utf-8"), (ROOT / "docs" / "IMPORT.md").read_text(encoding="utf-8")
    for limit in limits.DATASET_LIMITS:
        assert limit.env in readme and f"`{limit.env}`" in guide, limit.env
