"""The command line: exit codes, one-line errors, and the JSON reports' shape."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lib import store
from tests.conftest import REALDATA, ROOT, SEED


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    """Run `python -m lib.cli` in a subprocess, as a user would."""
    return subprocess.run([sys.executable, "-m", "lib.cli", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_init_creates_a_store(tmp_path: Path) -> None:
    """`init` creates the file and reports the schema version."""
    done = cli("--db", str(tmp_path / "s.duckdb"), "init")
    assert done.returncode == 0 and f"schema version {store.SCHEMA_VERSION}" in done.stdout
    assert (tmp_path / "s.duckdb").exists()


def test_import_bundle_then_report_stances(tmp_path: Path) -> None:
    """The seed imports from the CLI and the stance report shows the ministry reaffirming `retain`."""
    db = str(tmp_path / "s.duckdb")
    assert cli("--db", db, "import", "bundle", str(SEED)).returncode == 0
    done = cli("--db", db, "report", "stances", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    ministry = next(r for r in report if r["actor_id"] == "TUR-MSB")
    assert ministry["current_position"] == "retain"
    assert [s["continuity"] for s in ministry["statement_labels"] if s["statement_id"] == "stmt-msb-no-change"] == ["reaffirmed"]


def test_report_sources_shows_nefes_contradicted(tmp_path: Path) -> None:
    """`report sources --json` lists Nefes with one claim, contradicted."""
    db = str(tmp_path / "s.duckdb")
    cli("--db", db, "import", "bundle", str(SEED))
    done = cli("--db", db, "report", "sources", "--json")
    assert done.returncode == 0, done.stderr
    nefes = next(r for r in json.loads(done.stdout) if r["source_id"] == "nefes")
    assert (nefes["claims"], nefes["contradicted"]) == (1, 1)


def test_bad_bundle_exits_non_zero_with_one_line(tmp_path: Path) -> None:
    """A refused bundle exits 2 with a single line on stderr naming file, row and column."""
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "topics.csv").write_text("topic_id,name\nt1,\n", encoding="utf-8")
    done = cli("--db", str(tmp_path / "s.duckdb"), "import", "bundle", str(bad))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "topics.csv row 2, column name" in done.stderr


def test_missing_path_exits_non_zero(tmp_path: Path) -> None:
    """A path that does not exist is one line on stderr, not a traceback."""
    done = cli("--db", str(tmp_path / "s.duckdb"), "import", "bundle", str(tmp_path / "nope"))
    assert done.returncode == 2 and "Traceback" not in done.stderr and "no such bundle" in done.stderr


def test_export_bundle_writes_every_table(tmp_path: Path) -> None:
    """`export bundle` writes one CSV per bundle table with the seed's row counts."""
    db = str(tmp_path / "s.duckdb")
    cli("--db", db, "import", "bundle", str(SEED))
    done = cli("--db", db, "export", "bundle", str(tmp_path / "out"))
    assert done.returncode == 0
    assert "statements: 2" in done.stdout
    assert (tmp_path / "out" / "evidence.csv").read_text(encoding="utf-8").count("\n") == 4


def test_refused_dataset_is_one_line_and_exit_2(tmp_path: Path) -> None:
    """A GDELT file with a line of a million fields: exit 2, one line naming the limit's variable, no traceback."""
    lines = (REALDATA / "gdelt" / "gdelt2_events_sample_2017.export.CSV").read_text(encoding="utf-8").splitlines()[:5]
    bad = tmp_path / "export.CSV"
    bad.write_text("\n".join([*lines, "\t".join(["x"] * 1_000_000), *lines]) + "\n", encoding="utf-8")
    done = cli("--db", str(tmp_path / "s.duckdb"), "import", "gdelt", str(bad))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("import refused, nothing changed: 1 problem(s); first: export.CSV row 6")
    assert "STANCEWATCH_MAX_FIELDS" in done.stderr


def test_corrupt_archive_and_bad_setting_are_plain_errors(tmp_path: Path) -> None:
    """A zip that is not a zip is a refusal; a limit variable set to words is `error: ...` naming it; both exit 2."""
    bad = tmp_path / "update.zip"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    done = cli("--db", str(tmp_path / "s.duckdb"), "import", "gdelt", str(bad))
    assert done.returncode == 2 and "Traceback" not in done.stderr and "update.zip" in done.stderr
    env = {**os.environ, "STANCEWATCH_MAX_FIELDS": "lots"}
    done = subprocess.run([sys.executable, "-m", "lib.cli", "--db", str(tmp_path / "s.duckdb"), "import", "icews",
                           str(REALDATA / "icews" / "events.2018.sample.tab")], cwd=ROOT, capture_output=True, text=True, env=env,
                          timeout=120)
    assert done.returncode == 2 and "\nerror: STANCEWATCH_MAX_FIELDS='lots'" in done.stderr


def test_an_internal_error_is_one_line_naming_the_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    """A fault of the program exits 3 with one line 'internal error: ... (details in LOG)'; the log holds the traceback."""
    from lib import cli as cli_module
    from lib.sources import reliability

    def broken(con):
        raise KeyError("no such column")

    monkeypatch.setattr(reliability, "source_report", broken)
    db = tmp_path / "store" / "s.duckdb"
    assert cli_module.main(["--db", str(db), "report", "sources", "--json"]) == 3
    err = capsys.readouterr().err
    log = db.parent / "stancewatch.log"
    assert err == f"internal error: KeyError: 'no such column' (details in {log})\n"
    assert "Traceback" in log.read_text(encoding="utf-8") and "report sources" in log.read_text(encoding="utf-8")
    monkeypatch.setenv("STANCEWATCH_LOG", str(tmp_path / "elsewhere.log"))
    assert cli_module.main(["--db", str(db), "report", "sources", "--json"]) == 3
    assert (tmp_path / "elsewhere.log").exists()
    assert cli_module.main(["--db", str(db), "--log", str(tmp_path / "flag.log"), "report", "sources", "--json"]) == 3
    assert "details in " + str(tmp_path / "flag.log") in capsys.readouterr().err


@pytest.mark.parametrize("items", [[], [{"a": 1}], [{"a": 1, "b": [1, 2]}, {"c": "Türkiye", "d": None}]])
def test_json_arrays_are_written_as_produced_in_the_usual_layout(items: list) -> None:
    """The streamed array is byte for byte json.dumps(indent=2), and the first object is out before the second is made."""
    from lib.cli import write_json_array

    out = io.StringIO()

    def produce():
        for number, item in enumerate(items):
            assert number == 0 or out.getvalue().count("{") >= number  # the earlier objects are already written
            yield item

    write_json_array(produce(), out)
    assert out.getvalue() == json.dumps(items, indent=2, ensure_ascii=False) + "\n"
