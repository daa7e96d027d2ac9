"""The line of a group of voices: when has a state (with its ministries, officials and unnamed sources) shifted?

A state speaks through many voices. Comparing each statement with whoever
spoke last turns a foreign minister's one-off hedge into two "shifts" of the
state (out and back), and a line of twelve reaffirmations by the president
into "held since" the hedge. The rule below separates what one voice says from
what the group holds.

Terms. A *series* is what one Stances card shows: an actor's statements on a
topic, with its descendants' when sub-actors are folded in. A *voice* is the
actor who made a statement (every unnamed-source actor is one voice). A
statement's *period* is its day, month or year (``date_precision``); two
statements whose periods overlap are *concurrent*: the sources do not say which
came first. Uncoded statements (no position) are ``unclear`` and take no part.

The group's *line* is built in date order (period end, then start). What the
line held before a statement is, as in the single-actor rule (lib/stances/stance.py),
the positions of the latest line period that ends before the statement's
period starts, with every line period overlapping that one (several positions
there: the line was split).

Each coded statement, against the line held before it (H):

* **first** — the line holds nothing yet (``reaffirmed`` instead when the
  quote itself says "no change": the speaker tells us the position is older
  than our record). Joins the line.
* **reaffirmed** — H is exactly this position. Joins the line.
* Otherwise the statement proposes a position the line does not hold. The
  *answer* is what the other voices said next: the positions of statements by
  other voices that start on the first date after this statement's period on
  which another voice said something coded; when no other voice spoke after it,
  the other voices concurrent with it.

  * **shifted** — the answer holds this position and none of the others H held:
    the group took it up. Joins the line: the shift of the group is dated at
    this, its first statement.
  * **divergent** — the answer does not hold it, or also holds what the line
    held (the other voices are split): a one-off hedge, or a voice out of step.
    Does not join the line; the card names the voice and the date.
  * **pending** — no other voice has spoken at or after it, in a series that has
    other voices: the data cannot decide yet whether the group follows. Does not
    join the line; the card says so.
  * A series with a single voice has no one to answer: its statements are
    ``shifted`` as in the single-actor rule, so for one voice this rule and
    lib/stances/continuity.py's SQL give the same labels (a property test holds them to it).

The card figures of a series follow from the labels: current position (the
latest line period; split when it disagrees), held since (the latest first or
shifted line statement of that position, else its earliest), reaffirmations of
it since then and in all, shifts of the group, the divergent and pending voices.
Every statement also keeps its label against its own speaker's record
(``statements.own_continuity``): a statement is never *shifted* only because a
different voice said something else before it.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

_LONGEST_PERIOD = dt.timedelta(days=366)

LINE_LABELS = frozenset({"first", "reaffirmed", "shifted"})
"""The labels of statements that make up the group's line; divergent and pending statements stay outside it."""


@dataclass(frozen=True)
class Said:
    """One statement as the rule sees it."""

    statement_id: str
    voice: str
    start: dt.date
    end: dt.date
    precision: str
    position: str | None
    self_declared: bool = False


@dataclass
class Line:
    """A series judged as a group: each statement's label and the card figures."""

    labels: dict[str, str]
    before: dict[str, frozenset[str]] = field(default_factory=dict)  # what the line held before each statement
    current_positions: list[str] = field(default_factory=list)
    held_since: Said | None = None
    reaffirmations: int = 0
    reaffirmations_total: int = 0
    shifts: int = 0
    last_shift: Said | None = None
    position_runs: list[str] = field(default_factory=list)
    divergent: list[Said] = field(default_factory=list)
    pending: list[Said] = field(default_factory=list)
    last_said: Said | None = None  # the latest statement, coded or not
    voices: int = 0  # how many actors said something in the series

    @property
    def current_position(self) -> str | None:
        """The single position the line holds now, None when it holds none or is split."""
        return self.current_positions[0] if len(self.current_positions) == 1 else None


def _order(said: Said) -> tuple[dt.date, dt.date, str]:
    return said.end, said.start, said.statement_id


def _when(said: Said) -> tuple[dt.date, str]:
    """A statement's date as the card compares them: its start, then its precision (as SQL orders the struct)."""
    return said.start, said.precision


class _Answers:
    """What other voices said next after a statement: O(1) per statement after sorting.

    ``next_other[i]`` is the first index ``j >= i`` (in start order) whose voice
    differs from voice ``i``; from the first statement starting after a period,
    that index or the statement itself is the first other voice to speak.
    """

    def __init__(self, coded: list[Said]) -> None:
        self.by_start = sorted(coded, key=lambda s: (s.start, s.end, s.statement_id))
        self.starts = [s.start for s in self.by_start]
        n = len(self.by_start)
        self.next_other = [n] * n
        for i in range(n - 2, -1, -1):
            same = self.by_start[i + 1].voice == self.by_start[i].voice
            self.next_other[i] = self.next_other[i + 1] if same else i + 1
        # per start day, how often each position was said there, in all and per voice (a busy day holds thousands)
        self.on_day: dict[dt.date, Counter[str]] = defaultdict(Counter)
        self.by_voice: dict[tuple[dt.date, str], Counter[str]] = defaultdict(Counter)
        for s in self.by_start:
            self.on_day[s.start][s.position] += 1  # type: ignore[index]
            self.by_voice[s.start, s.voice][s.position] += 1  # type: ignore[index]

    def __call__(self, said: Said) -> set[str]:
        k = bisect.bisect_right(self.starts, said.end)
        if k < len(self.by_start):
            j = k if self.by_start[k].voice != said.voice else self.next_other[k]
            if j < len(self.by_start):
                day = self.starts[j]
                own = self.by_voice[day, said.voice]
                return {p for p, n in self.on_day[day].items() if n > own[p]}
        # no other voice spoke after it: those speaking at the same time, if any (a period is a year at most)
        lo = bisect.bisect_left(self.starts, said.start - _LONGEST_PERIOD)
        return {s.position for s in self.by_start[lo:k]
                if s.voice != said.voice and s.end >= said.start and s.position}


class _Held:
    """The line so far, in end order, and what it held before a given day.

    Per position, how many line statements there are up to each index (prefix
    counts), so that "which positions does this stretch of the line hold" is a
    subtraction per position instead of a walk over a year of statements.
    """

    def __init__(self) -> None:
        self.members: list[Said] = []
        self.ends: list[dt.date] = []
        self.first_start: dict[dt.date, dt.date] = {}  # per line period end: the earliest start ending there
        self.counts: dict[str, list[int]] = {}
        self._asked = 0  # the stretch last asked about (how many line statements end before it), and its answer
        self._answer: frozenset[str] = frozenset()

    def add(self, said: Said) -> None:
        n = len(self.members)
        self.members.append(said)
        self.ends.append(said.end)
        self.first_start[said.end] = min(self.first_start.get(said.end, said.start), said.start)
        self.counts.setdefault(said.position, [0] * (n + 1))  # type: ignore[arg-type]
        for position, prefix in self.counts.items():
            prefix.append(prefix[-1] + (position == said.position))

    def before(self, day: dt.date) -> frozenset[str]:
        """The positions of the latest line period ending before ``day``, with every line period overlapping it.

        Statements come in end order, so most ask about the same stretch of the line as the one before them.
        """
        m = bisect.bisect_left(self.ends, day)
        if m != self._asked:
            self._asked = m
            lo = bisect.bisect_left(self.ends, self.first_start[self.ends[m - 1]]) if m else 0
            self._answer = frozenset(p for p, prefix in self.counts.items() if prefix[m] > prefix[lo])
        return self._answer


def judge(statements: Sequence[Said], known: Mapping[str, tuple[str, frozenset[str]]] | None = None) -> Line:
    """Label every statement of one series and work out its card figures (the rule in the module docstring).

    ``known``: each statement's label and what the record held before it, already
    worked out, for a series of one voice, where the rule is the single-actor
    rule that lib/stances/continuity.py computes in SQL for a million statements at once:
    the figures then follow from those labels without labelling again.
    """
    ordered = sorted(statements, key=_order)
    line = Line(labels={}, last_said=max(ordered, key=_when, default=None), voices=len({s.voice for s in ordered}))
    members = _label(ordered, line) if known is None else _take(ordered, line, known)
    _figures(line, members)
    return line


def _take(ordered: list[Said], line: Line, known: Mapping[str, tuple[str, frozenset[str]]]) -> list[Said]:
    """Fill ``line`` from known labels; returns the line's statements in end order."""
    members = []
    for said in ordered:
        label, before = line.labels[said.statement_id], line.before[said.statement_id] = known[said.statement_id]
        if label in LINE_LABELS:
            if label != "reaffirmed" or not before:
                line.position_runs.append(said.position)  # type: ignore[arg-type]
            members.append(said)
    return members


def _label(ordered: list[Said], line: Line) -> list[Said]:
    """Label each statement by the group rule into ``line``; returns the line's statements in end order."""
    coded = [s for s in ordered if s.position]
    answers: _Answers | None = None  # built when a second voice first proposes a change: most series never need it
    several_voices = len({s.voice for s in coded}) > 1
    held = _Held()
    for said in ordered:
        before = line.before[said.statement_id] = held.before(said.start)
        if not said.position:
            line.labels[said.statement_id] = "unclear"
            continue
        if not before:
            label = "reaffirmed" if said.self_declared else "first"
        elif before == {said.position}:
            label = "reaffirmed"
        elif not several_voices:
            label = "shifted"
        else:
            answers = answers or _Answers(coded)
            answer = answers(said)
            if not answer:
                label = "pending"
            elif said.position in answer and not (answer & (before - {said.position})):
                label = "shifted"
            else:
                label = "divergent"
        line.labels[said.statement_id] = label
        if label in LINE_LABELS:
            if label != "reaffirmed" or not before:
                line.position_runs.append(said.position)  # type: ignore[arg-type]
            held.add(said)
        elif label == "divergent":
            line.divergent.append(said)
        else:
            line.pending.append(said)
    return held.members


def _figures(line: Line, members: list[Said]) -> None:
    """Card figures from the labelled line (the same definitions as lib/stances/continuity.py's SQL for one voice)."""
    if not members:
        return
    latest = max(s.end for s in members)
    window_start = min(s.start for s in members if s.end == latest)
    line.current_positions = sorted({s.position for s in members if s.end >= window_start and s.position})
    shifted = [s for s in members if line.labels[s.statement_id] == "shifted"]
    line.shifts = len(shifted)
    line.last_shift = max(shifted, key=_when, default=None)
    line.reaffirmations_total = sum(line.labels[s.statement_id] == "reaffirmed" for s in members)
    position = line.current_position
    if position is None:
        return
    holding = [s for s in members if s.position == position]
    taken = [s for s in holding if line.labels[s.statement_id] in ("first", "shifted")]
    line.held_since = max(taken, key=_when) if taken else min(holding, key=_when)
    since = line.held_since.start
    line.reaffirmations = sum(line.labels[s.statement_id] == "reaffirmed" and s.start >= since for s in holding)
