"""Fuzzed bundles (tests/unit/bundle_fuzz.py): each is refused with problems naming a file, or applied; never a traceback,
and a refusal leaves the store as it was."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from lib import store
from lib.ingest.bundle import import_bundle
from lib.ingest.report import ImportRefused
from tests.unit.bundle_checks import assert_refused_cleanly, fingerprint
from tests.unit.bundle_fuzz import MUTATIONS, mutated_bundle

SEEDS = range(120)
SECONDS = 10  # per case; the measured slowest is in bench/RESULTS.md


def run_case(con, seed: int, folder: Path) -> tuple[str, float]:
    """Import fuzz case ``seed``: 'applied' or 'refused' (checked clean) and the seconds it took; anything else fails."""
    path, mutations = mutated_bundle(seed, folder)
    before, version = fingerprint(con), store.data_version(con)
    start = time.perf_counter()
    try:
        import_bundle(con, path, who="fuzz")
        outcome = "applied"
    except ImportRefused as refused:
        assert_refused_cleanly(con, refused, before, version)
        outcome = "refused"
    except Exception as exc:  # the point of the test: name the case that escaped
        raise AssertionError(f"seed {seed} ({', '.join(mutations)}) raised {type(exc).__name__}: {exc}") from exc
    return outcome, time.perf_counter() - start


def test_fuzzed_bundles_are_refused_cleanly_or_applied(seeded, tmp_path: Path) -> None:
    """120 seeded mutations of the seed bundle (stray quotes, BOMs, NULs, delimiters, dates, ids, keys, names, encodings):
    no traceback, no change on refusal, each under 10 s; both outcomes occur."""
    outcomes = [run_case(seeded, seed, tmp_path / str(seed)) for seed in SEEDS]
    assert {o for o, _ in outcomes} == {"applied", "refused"}
    assert max(s for _, s in outcomes) < SECONDS


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_every_mutation_runs(name: str, seeded, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each mutation alone, on a few seeds: the generator's parts are each exercised, not only by chance."""
    import tests.unit.bundle_fuzz as fuzz

    monkeypatch.setattr(fuzz.random.Random, "choice", lambda self, seq: name if seq == sorted(MUTATIONS) else seq[self.randrange(len(seq))])
    for seed in range(2):
        run_case(seeded, seed, tmp_path / str(seed))
