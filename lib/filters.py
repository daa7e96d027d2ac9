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

PRESETS: dict[str, str] = {"all": "all dates", "30d": "last 30 days", "1y": "last year", "custom": "custom range"}
"""Date presets by URL value, with the words shown in the sidebar."""

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
        if preset and preset not in PRESETS:
            notices.append(f"ignored range={preset[:40]!r}: use one of {', '.join(PRESETS)}")
            preset = ""
        if "date_from" in values or "date_to" in values:
            preset = "custom"
        values["preset"] = preset or "all"
        if values["preset"] in ("30d", "1y"):
            values["date_from"] = today - dt.timedelta(days=30 if values["preset"] == "30d" else 365)
            values["date_to"] = today

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
        if self.preset in ("30d", "1y"):
            params["range"] = self.preset
        else:
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
        """A file-name-safe summary: topics, actors, then the date range ('s400_TUR_2019-01-01_2025-09-30')."""
        parts = [*self.topics[:2], *self.actors[:3]]
        parts.append(self.date_from.isoformat() if self.date_from else "start")
        parts.append(self.date_to.isoformat() if self.date_to else "now")
        return "_".join(re.sub(r"[^A-Za-z0-9.-]+", "-", p).strip("-") or "x" for p in parts)


def _day_words(day: dt.date) -> str:
    return f"{day.day} {day.strftime('%b %Y')}"
