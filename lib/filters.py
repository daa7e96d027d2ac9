"""The analyst's filters as one value: read from and written to the URL, described in words.

One object serves three ends (after datasette's filters): the query layer reads
it to build WHERE clauses, the URL carries it between pages and colleagues, and
``describe()`` gives the words that subtitle every chart and name every export.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from lib.dates import day_range
from lib.vocab import ITEM_KINDS, ORIGINS

PRESETS: dict[str, str] = {
    "all": "all dates", "30d": "last 30 days", "1y": "last 12 months", "year": "a calendar year", "quarter": "a quarter",
    "span": "the data's full span", "shift": "since the last shift", "custom": "custom range",
}
"""Kinds of date preset, with the words shown in the sidebar. In the URL a year is 'range=2019' and a quarter
'range=2019-Q3'; the others are their key."""
MOVING = ("30d", "1y")
"""Presets that move with today: the URL keeps only the preset."""
DATA_PRESETS = ("span", "shift")
"""Presets that depend on the store (its first and last day, the latest shift): the URL keeps the preset and the
dates it stood for, so a link shows a colleague the same range; the app works them out again (``resolved``)."""
_YEAR = re.compile(r"\d{4}")
_QUARTER = re.compile(r"(\d{4})-Q([1-4])")


def preset_kind(preset: str) -> str:
    """The sidebar's kind of a preset: '2019' -> 'year', '2019-Q3' -> 'quarter', others as they are."""
    return "year" if _YEAR.fullmatch(preset) else "quarter" if _QUARTER.fullmatch(preset) else preset


def calendar_dates(preset: str) -> tuple[dt.date, dt.date] | None:
    """The first and last day of a year ('2019') or a quarter ('2019-Q3'); None for other presets."""
    if _YEAR.fullmatch(preset):
        return dt.date(int(preset), 1, 1), dt.date(int(preset), 12, 31)
    if match := _QUARTER.fullmatch(preset):
        year, quarter = int(match[1]), int(match[2])
        end = dt.date(year + (quarter == 4), quarter * 3 % 12 + 1, 1) - dt.timedelta(days=1)
        return dt.date(year, quarter * 3 - 2, 1), end
    return None


def quarter_of(day: dt.date) -> str:
    """The quarter preset a day falls in: 2019-07-12 -> '2019-Q3'."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"

# URL key -> Filters field, for the list-valued filters.
LIST_KEYS: dict[str, str] = {
    "actor": "actors",
    "topic": "topics",
    "source": "sources",
    "kind": "kinds",
    "type": "event_types",
    "origin": "origins",
}
_ID = re.compile(r"[\w.:\-/ ]{1,120}")
MAX_TEXT = 200


@dataclass(frozen=True)
class Filters:
    """What the analyst is looking at. Empty tuples mean 'no restriction'."""

    preset: str = "all"
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    actors: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    event_types: tuple[str, ...] = ()
    origins: tuple[str, ...] = ()
    text: str = ""
    include_children: bool = True
    notices: tuple[str, ...] = field(default=(), compare=False)

    # -- URL -----------------------------------------------------------------
    @classmethod
    def from_query_params(cls, params: Mapping[str, str | Iterable[str]], today: dt.date | None = None) -> Filters:
        """Read filters from URL parameters; bad values are dropped and explained in ``notices``.

        A preset ('30d', '1y') becomes concrete dates relative to ``today``, so a
        bookmarked "last 30 days" moves with time while from/to stay fixed.
        """
        today = today or dt.date.today()
        notices: list[str] = []
        values: dict[str, object] = {}

        def items(key: str) -> list[str]:
            raw = params.get(key)
            if raw is None:
                return []
            seq = [raw] if isinstance(raw, str) else list(raw)
            return [part.strip() for value in seq for part in str(value).split(",") if part.strip()]

        for key, name in LIST_KEYS.items():
            kept = []
            for value in items(key):
                allowed = (key != "kind" or value in ITEM_KINDS) and (key != "origin" or value in ORIGINS)
                if _ID.fullmatch(value) and allowed:
                    kept.append(value)
                else:
                    notices.append(f"ignored {key}={value[:40]!r}: not a valid {key}")
            values[name] = tuple(dict.fromkeys(kept))

        earliest, latest = day_range(today)
        for key in ("from", "to"):
            for value in items(key)[:1]:
                try:
                    day = dt.date.fromisoformat(value)
                except ValueError:
                    notices.append(f"ignored {key}={value[:40]!r}: use a date like 2025-09-30")
                    continue
                if earliest <= day <= latest:
                    values[f"date_{key}"] = day
                else:  # also out of the date widget's range, which would fail to draw
                    notices.append(f"ignored {key}={value[:40]!r}: dates run from {earliest} to {latest}")

        preset = (items("range") or [""])[0]
        if preset and (preset not in PRESETS or preset in ("year", "quarter")) and not calendar_dates(preset):
            notices.append(f"ignored range={preset[:40]!r}: use one of all, 30d, 1y, span, shift, custom, "
                           "a year (2019) or a quarter (2019-Q3)")
            preset = ""
        if ("date_from" in values or "date_to" in values) and preset not in DATA_PRESETS:
            preset = "custom"
        values["preset"] = preset or "all"
        if values["preset"] in MOVING:
            values["date_from"] = today - dt.timedelta(days=30 if values["preset"] == "30d" else 365)
            values["date_to"] = today
        elif fixed := calendar_dates(values["preset"]):  # type: ignore[arg-type]
            values["date_from"], values["date_to"] = fixed

        start, end = values.get("date_from"), values.get("date_to")
        if isinstance(start, dt.date) and isinstance(end, dt.date) and start > end:
            notices.append(f"swapped from and to: {start} is after {end}")
            values["date_from"], values["date_to"] = end, start

        raw_q = params.get("q") or ""
        text = raw_q if isinstance(raw_q, str) else next(iter(raw_q), "")
        if len(text) > MAX_TEXT:
            notices.append(f"shortened the search text to {MAX_TEXT} characters")
            text = text[:MAX_TEXT]
        values["text"] = text.strip()

        children = (items("children") or ["1"])[0]
        if children not in ("0", "1"):
            notices.append(f"ignored children={children[:10]!r}: use 0 or 1")
            children = "1"
        values["include_children"] = children == "1"
        return cls(notices=tuple(notices), **values)  # type: ignore[arg-type]

    def to_query_params(self) -> dict[str, str | list[str]]:
        """The URL parameters that reopen this view; defaults are left out to keep links short."""
        params: dict[str, str | list[str]] = {}
        if self.preset in MOVING or calendar_dates(self.preset):
            params["range"] = self.preset
        else:
            if self.preset in DATA_PRESETS:
                params["range"] = self.preset
            if self.date_from:
                params["from"] = self.date_from.isoformat()
            if self.date_to:
                params["to"] = self.date_to.isoformat()
        for key, name in LIST_KEYS.items():
            values = getattr(self, name)
            if values:
                params[key] = list(values)
        if self.text:
            params["q"] = self.text
        if not self.include_children:
            params["children"] = "0"
        return params

    # -- changes -----------------------------------------------------------------
    def with_dates(self, start: dt.date | None, end: dt.date | None) -> Filters:
        """The same filters over another date range (zooming a chart, picking a custom range)."""
        return replace(self, preset="custom" if (start or end) else "all", date_from=start, date_to=end, notices=())

    def resolved(self, first: dt.date | None, last: dt.date | None, last_shift: dt.date | None) -> Filters:
        """A data preset made concrete: 'span' is the store's first to last day, 'shift' runs from the latest shift.

        ``last_shift`` is the day of the newest statement that shifted its actor's position among the chosen
        actors and topics; without one, 'since the last shift' says so and shows all dates.
        """
        if self.preset == "span":
            return replace(self, date_from=first, date_to=last)
        if self.preset == "shift":
            if last_shift is None:
                return replace(self, date_from=None, date_to=None,
                               notices=(*self.notices, "no shift among the chosen actors and topics: showing all dates"))
            return replace(self, date_from=last_shift, date_to=None)
        return self

    def restricted_to(self, known: Mapping[str, Iterable[str]]) -> Filters:
        """Drop ids the store does not know (``known`` maps a field name to its valid ids), with a notice each."""
        notices = list(self.notices)
        changes: dict[str, tuple[str, ...]] = {}
        for key, name in LIST_KEYS.items():
            if name not in known:
                continue
            valid = set(known[name])
            kept = tuple(v for v in getattr(self, name) if v in valid)
            for dropped in set(getattr(self, name)) - set(kept):
                notices.append(f"ignored {key}={dropped[:40]!r}: no such {key} in the store")
            changes[name] = kept
        return replace(self, notices=tuple(notices), **changes)

    # -- words -------------------------------------------------------------------
    def describe(self, names: Mapping[str, str] | None = None) -> str:
        """The filters in plain words, e.g. '1 Jan 2019 – 30 Sep 2025 · Turkey, Russia · topic S-400'."""
        names = names or {}
        parts = [self.date_words()]
        if self.actors:
            parts.append(", ".join(names.get(a, a) for a in self.actors) + ("" if self.include_children else " (not their parts)"))
        if self.topics:
            parts.append("topic " + ", ".join(names.get(t, t) for t in self.topics))
        if self.sources:
            parts.append("source " + ", ".join(names.get(s, s) for s in self.sources))
        if self.kinds:
            parts.append(", ".join(f"{k}s" for k in self.kinds))
        if self.event_types:
            parts.append("type " + ", ".join(names.get(f"type:{t}", t) for t in self.event_types))
        if self.origins:
            parts.append("from " + ", ".join(self.origins))
        if self.text:
            parts.append(f'matching "{self.text}"')
        return " · ".join(parts)

    def date_words(self) -> str:
        """The date range in words: 'all dates', 'since 1 Jan 2019', '1 Jan 2019 – 30 Sep 2025'."""
        fmt = _day_words
        if self.date_from and self.date_to:
            return f"{fmt(self.date_from)} – {fmt(self.date_to)}"
        if self.date_from:
            return f"since {fmt(self.date_from)}"
        if self.date_to:
            return f"until {fmt(self.date_to)}"
        return "all dates"

    def slug(self) -> str:
        """A summary for file names: every chosen filter, then the dates ('s400_TUR_2019-01-01_2025-09-30').

        Sources, kinds, types and origins get a prefix ('src-nefes', 'type-190'), search text 'q-…',
        and actors without their parts 'only'; lib.export shortens a long one with a hash.
        """
        parts = [*self.topics, *self.actors, *("only",)[: not self.include_children and bool(self.actors)],
                 *(f"src-{s}" for s in self.sources), *self.kinds, *(f"type-{t}" for t in self.event_types),
                 *(f"from-{o}" for o in self.origins), *([f"q-{self.text[:30]}"] if self.text else [])]
        parts.append(self.date_from.isoformat() if self.date_from else "start")
        parts.append(self.date_to.isoformat() if self.date_to else "now")
        return "_".join(re.sub(r"[^A-Za-z0-9.-]+", "-", p).strip("-") or "x" for p in parts)


def _day_words(day: dt.date) -> str:
    return f"{day.day} {day.strftime('%b %Y')}"


# -- the Timeline's own view -----------------------------------------------------------------
LANE_KINDS = ("actor", "topic", "source", "kind")
"""What the Timeline's lanes can be by (lib.timeline.timeline.LANES gives their words)."""
LANE_COUNTS = (5, 10, 15, 20, 30, 50)
"""How many lanes the Timeline may name before it gathers the rest as '(other)'."""
VIEW_KEYS = ("lanes", "nlanes", "open")
"""URL keys of :class:`TimelineView`: the other pages leave them alone."""


@dataclass(frozen=True)
class TimelineView:
    """How the Timeline shows the filtered items: lanes by what, how many lanes, which item is open.

    Not part of :class:`Filters`: these do not change which items are in range (so no query runs again
    when an item is opened), but a link carries them like the filters ('lanes=topic&nlanes=30&open=claim:x').
    """

    lanes: str = "actor"
    lane_count: int = 15
    opened: tuple[str, str] | None = None
    notices: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def from_query_params(cls, params: Mapping[str, str | Iterable[str]]) -> TimelineView:
        """Read the view from URL parameters; bad values fall back to the defaults with a notice each."""
        def first(key: str) -> str:
            raw = params.get(key)
            values = [raw] if isinstance(raw, str) else list(raw or [])
            return str(values[0]).strip() if values else ""

        notices, values = [], {}
        if lanes := first("lanes"):
            if lanes in LANE_KINDS:
                values["lanes"] = lanes
            else:
                notices.append(f"ignored lanes={lanes[:40]!r}: use one of {', '.join(LANE_KINDS)}")
        if count := first("nlanes"):
            if count.isdigit() and int(count) in LANE_COUNTS:
                values["lane_count"] = int(count)
            else:
                notices.append(f"ignored nlanes={count[:10]!r}: use one of {', '.join(map(str, LANE_COUNTS))}")
        if opened := first("open"):
            kind, _, item_id = opened.partition(":")
            if kind in ITEM_KINDS and _ID.fullmatch(item_id):
                values["opened"] = (kind, item_id)
            else:
                notices.append(f"ignored open={opened[:40]!r}: use kind:id, e.g. claim:claim-nefes-buyback")
        return cls(notices=tuple(notices), **values)  # type: ignore[arg-type]

    def to_query_params(self) -> dict[str, str]:
        """The URL parameters that reopen this view; defaults are left out."""
        params = {}
        if self.lanes != "actor":
            params["lanes"] = self.lanes
        if self.lane_count != TimelineView.lane_count:
            params["nlanes"] = str(self.lane_count)
        if self.opened:
            params["open"] = ":".join(self.opened)
        return params
