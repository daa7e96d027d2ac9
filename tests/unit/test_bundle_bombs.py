"""Bombs are refused within seconds and well under 1 GB: each import runs in a fresh process that reports its time and peak.

The bombs are built at test time (tests/unit/bundle_bombs.py: a 1.1 GB zip costs
about a second to build and 3 MB of disk); bench/RESULTS.md has the figures.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lib.ingest.bundle import check_bundle
from tests.unit.bundle_bombs import CASES, probe, zip_of_one_line

SECONDS = 15  # generous: the machine is shared; measured refusals take 0.02-1.2 s (bench/RESULTS.md)
PEAK_MB = 1024


@pytest.mark.parametrize("case", list(CASES))
def test_bomb_is_refused_quickly_in_little_memory(case: str, tmp_path: Path) -> None:
    """Each bomb is refused, naming the limit that stopped it, in under 15 s and 1 GB resident (Python and DuckDB included)."""
    build, env, phrase = CASES[case]
    outcome = probe(build(tmp_path), env=env, timeout=120)
    assert outcome["outcome"] == "refused", outcome
    assert any(phrase in p for p in outcome["problems"]), outcome["problems"]
    assert outcome["seconds"] < SECONDS and outcome["peak_mb"] < PEAK_MB, outcome


def test_data_page_check_of_a_one_line_bomb_is_a_problem_list(con, tmp_path: Path) -> None:
    """The Data page's preview of the 1 MB zip holding one 1.1 GB line gets a problem naming the file, not a traceback."""
    counts, problems = check_bundle(con, zip_of_one_line(tmp_path / "line.zip"))
    assert counts == {} and problems[0].file == "line.zip:events.csv" and "STANCEWATCH_IMPORT_MAX_FILE_BYTES" in problems[0].reason
