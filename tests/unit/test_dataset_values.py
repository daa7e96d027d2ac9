"""Event datasets are parsed strictly: impossible dates, negative counts and non-finite scores are refused by file, line
and column (or skipped with --skip-bad-rows), never stored."""

from __future__ import annotations

from pathlib import Path

import pytest

from lib import store
from lib.ingest import datasets
from lib.ingest.gdelt import columns
from lib.ingest.icews import COLUMNS as ICEWS_COLUMNS
from lib.ingest.report import ImportRefused
from tests.conftest import REALDATA, ROOT

GDELT2 = REALDATA / "gdelt" / "gdelt2_events_sample_2017.export.CSV"
ICEWS = REALDATA / "icews" / "events.2018.sample.tab"
ACLED = ROOT / "tests" / "data" / "acled_current.csv"
LINE = 3  # the file line whose field each case changes (for ICEWS and ACLED the header is line 1)


def _with_field(source: Path, target: Path, column: str, value: str) -> Path:
    """A copy of ``source`` whose ``column`` on line LINE holds ``value`` (that ACLED line quotes no comma)."""
    lines = source.read_text(encoding="utf-8").split("\n")
    if source == GDELT2:
        delimiter, names = "\t", columns(2)
    else:
        delimiter = "\t" if source == ICEWS else ","
        names = ICEWS_COLUMNS if source == ICEWS else lines[0].split(",")
    fields = lines[LINE - 1].split(delimiter)
    fields[names.index(column)] = value
    lines[LINE - 1] = delimiter.join(fields)
    target.write_text("\n".join(lines), encoding="utf-8")
    return target


CASES = {
    "gdelt year 1": (GDELT2, "gdelt", "SQLDATE", "00010101", "before the year 1000"),
    "gdelt year 999": (GDELT2, "gdelt", "SQLDATE", "09991231", "before the year 1000"),
    "gdelt year 9999": (GDELT2, "gdelt", "SQLDATE", "99991231", "after next year"),
    "gdelt goldstein word": (GDELT2, "gdelt", "GoldsteinScale", "very", "not a number from -10 to 10"),
    "gdelt goldstein infinite": (GDELT2, "gdelt", "GoldsteinScale", "1e400", "not a number from -10 to 10"),
    "gdelt goldstein nan": (GDELT2, "gdelt", "GoldsteinScale", "NaN", "not a number from -10 to 10"),
    "gdelt goldstein out of scale": (GDELT2, "gdelt", "GoldsteinScale", "11", "not a number from -10 to 10"),
    "gdelt tone infinite": (GDELT2, "gdelt", "AvgTone", "-inf", "not a number from -100 to 100"),
    "gdelt mentions negative": (GDELT2, "gdelt", "NumMentions", "-3", "not a whole number of 0 or more"),
    "gdelt mentions fraction": (GDELT2, "gdelt", "NumMentions", "1.5", "not a whole number of 0 or more"),
    "icews year 1": (ICEWS, "icews", "Event Date", "0001-01-01", "before the year 1000"),
    "icews intensity word": (ICEWS, "icews", "Intensity", "high", "not a number from -10 to 10"),
    "icews intensity infinite": (ICEWS, "icews", "Intensity", "Infinity", "not a number from -10 to 10"),
    "acled year 1": (ACLED, "acled", "event_date", "0001-01-01", "before the year 1000"),
    "acled negative fatalities": (ACLED, "acled", "fatalities", "-5", "not a whole number of 0 or more"),
    "acled fractional fatalities": (ACLED, "acled", "fatalities", "1.5", "not a whole number of 0 or more"),
}


def _state(con) -> tuple[dict[str, int], int]:
    return store.table_counts(con), con.execute("select count(*) from audit_log where action not like 'log%'").fetchall()[0][0]


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_value_is_refused_by_file_line_and_column(case: str, con, tmp_path: Path) -> None:
    """The one bad value refuses the file with its file, line, column and the rule; nothing is written."""
    source, fmt, column, value, reason = CASES[case]
    bad = _with_field(source, tmp_path / source.name, column, value)
    before = _state(con)
    with pytest.raises(ImportRefused) as refused:
        datasets.IMPORTERS[fmt](con, bad, who="test")
    assert [(p.file, p.row, p.column) for p in refused.value.problems] == [(source.name, LINE, column)], refused.value
    assert reason in refused.value.problems[0].reason
    assert _state(con) == before


@pytest.mark.parametrize("case", ["gdelt year 1", "gdelt goldstein infinite", "icews intensity word", "acled negative fatalities"])
def test_skip_bad_rows_leaves_the_bad_value_out(case: str, con, tmp_path: Path) -> None:
    """With skip_bad_rows the row with the bad value is skipped and listed; no stored date is outside the range, no score infinite."""
    source, fmt, column, value, _ = CASES[case]
    bad = _with_field(source, tmp_path / source.name, column, value)
    result = datasets.IMPORTERS[fmt](con, bad, who="test", skip_bad_rows=True)
    assert [(p.row, p.column) for p in result.skipped] == [(LINE, column)]
    assert con.execute("""select count(*) from events where year(occurred_on) < 1000 or not isfinite(coalesce(goldstein, 0))
                          or fatalities < 0""").fetchall() == [(0,)]


def test_the_real_samples_pass_the_strict_checks(con) -> None:
    """Every row of the real GDELT 2.0 and ICEWS samples passes: the checks refuse only what is wrong."""
    assert datasets.IMPORTERS["gdelt"](con, GDELT2, who="test").skipped == []
    assert datasets.IMPORTERS["icews"](con, ICEWS, who="test").skipped == []
    assert con.execute("select count(*) from events").fetchall() == [(6090 + 3705,)]
