"""Precision and recall of the extractor on a labelled set of articles (tests/data/capture/articles).

Each article is a .txt with a .json beside it: its language, publication
date, source, split (dev or holdout) and the expected statements (speaker,
date, a quote substring), claims (claimant source, date), evidence (claimant,
relation, speaker) and events (date, type). A proposal counts as right when it
matches an expected item that no other proposal has matched.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from lib.capture import extract, text
from lib.capture.known import quote_key
from lib.capture.proposals import Proposals


@dataclass(frozen=True)
class Case:
    name: str
    text: str
    expected: dict[str, Any]


def load_cases(folder: Path, split: str | None = None) -> list[Case]:
    """The labelled articles of a folder, optionally only one split ('dev' or 'holdout')."""
    cases = []
    for path in sorted(Path(folder).glob("*.txt")):
        expected = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        if split is None or expected["split"] == split:
            cases.append(Case(path.stem, path.read_text(encoding="utf-8"), expected))
    return cases


def run_case(con: duckdb.DuckDBPyConnection, case: Case) -> Proposals:
    """Extract one labelled article with its own publication date and source, as an analyst would give them."""
    article = text.from_paste(case.text)
    return extract.propose(con, article.with_defaults(language=case.expected["language"]),
                           source_id=case.expected["source"], published=dt.date.fromisoformat(case.expected["published"]))


@dataclass
class Tally:
    """Right, proposed and expected counts for one item kind (and language)."""

    right: int = 0
    proposed: int = 0
    expected: int = 0

    @property
    def precision(self) -> float:
        return self.right / self.proposed if self.proposed else 1.0

    @property
    def recall(self) -> float:
        return self.right / self.expected if self.expected else 1.0


@dataclass
class Scores:
    """Tallies per (kind, language), with 'all' as the language of the totals; misses kept for reading."""

    tallies: dict[tuple[str, str], Tally] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)

    def add(self, kind: str, language: str, right: int, proposed: int, expected: int) -> None:
        for lang in (language, "all"):
            tally = self.tallies.setdefault((kind, lang), Tally())
            tally.right += right
            tally.proposed += proposed
            tally.expected += expected

    def get(self, kind: str, language: str = "all") -> Tally:
        return self.tallies.get((kind, language), Tally())


KINDS = ("statements", "claims", "evidence", "events")


def score(con: duckdb.DuckDBPyConnection, cases: list[Case]) -> Scores:
    """Run every case and count matches per kind and language."""
    scores = Scores()
    for case in cases:
        proposals = run_case(con, case)
        speaker = {s.statement_id: s.actor_id for s in proposals.statements}
        claimant = {c.claim_id: c.source_id for c in proposals.claims}
        got = {
            "statements": [(s.actor_id, s.stated_on, quote_key(s.quote)) for s in proposals.statements],
            "claims": [(c.source_id, c.claimed_on) for c in proposals.claims],
            "evidence": [(claimant.get(e.claim_id), e.relation, speaker.get(e.evidence_id)) for e in proposals.evidence],
            "events": [(e.occurred_on, e.event_type) for e in proposals.events],
        }
        want = {
            "statements": [(s["actor"], s["date"], quote_key(s["quote"])) for s in case.expected["statements"]],
            "claims": [(c["source"], c["date"]) for c in case.expected["claims"]],
            "evidence": [(e["claim_source"], e["relation"], e["actor"]) for e in case.expected["evidence"]],
            "events": [(e["date"], e["type"]) for e in case.expected["events"]],
        }
        for kind in KINDS:
            same = _statement_match if kind == "statements" else _equal
            right, missed, extra = _match(got[kind], want[kind], same)
            scores.add(kind, case.expected["language"], right, len(got[kind]), len(want[kind]))
            scores.misses += [f"{case.name} {kind} missed {m}" for m in missed]
            scores.misses += [f"{case.name} {kind} extra {x}" for x in extra]
    return scores


def _equal(got: tuple, want: tuple) -> bool:
    return got == want


def _statement_match(got: tuple, want: tuple) -> bool:
    """Same speaker and date, and the expected words inside the proposed quote."""
    return got[0] == want[0] and got[1] == want[1] and want[2] in got[2]


def _match(got: list[tuple], want: list[tuple], same: Callable[[tuple, tuple], bool]) -> tuple[int, list[tuple], list[tuple]]:
    """One-to-one greedy matching: (number right, expected items missed, proposals that matched nothing)."""
    left = list(want)
    extra = []
    for item in got:
        hit = next((w for w in left if same(item, w)), None)
        if hit is None:
            extra.append(item)
        else:
            left.remove(hit)
    return len(got) - len(extra), left, extra
