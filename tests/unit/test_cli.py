"""The command line: exit codes, one-line errors, and the JSON reports' shape."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from lib import store
from tests.conftest import ROOT, SEED


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
