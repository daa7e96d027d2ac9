"""Dates written in an article ("Thursday", "on September 3", "last month", "perşembe", "3 Eylül",
"in December 2017"), found by pattern and resolved by dateparser against the publication date.

A date is returned as a partial date string (`2025-09-04`, `2025-09`, `2017`)
no more precise than the words: "December 2017" is a month, "in 2019" a year.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

_EN_MONTHS = (r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
              r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?")
_TR_MONTHS = r"(?:Ocak|Şubat|Mart|Nisan|Mayıs|Haziran|Temmuz|Ağustos|Eylül|Ekim|Kasım|Aralık)"
_EN_DAYS = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_TR_DAYS = r"(?:[Pp]azartesi|[Ss]alı|[Çç]arşamba|[Pp]erşembe|[Cc]umartesi|[Cc]uma|[Pp]azar)"
_YEAR = r"(?:1[89]\d\d|20\d\d)"
_SUFFIX = r"(?:['’][a-zçğıöşü]+|\s+ay[ıi]nda|\s+günü|\s+yılında|\s+yılı)?"

# Most specific first: a day-month-year beats the month-year inside it.
_PATTERNS: tuple[tuple[str, str], ...] = (
    ("day", rf"\b(?:{_EN_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+{_YEAR}|\d{{1,2}}(?:st|nd|rd|th)?\s+{_EN_MONTHS},?\s+{_YEAR})\b"),
    ("day", rf"\b\d{{1,2}}\s+{_TR_MONTHS}\s+{_YEAR}{_SUFFIX}"),
    ("day", rf"\b(?:{_EN_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_EN_MONTHS})\b"),
    ("day", rf"\b\d{{1,2}}\s+{_TR_MONTHS}{_SUFFIX}"),
    ("month", rf"\b{_EN_MONTHS}\s+(?:of\s+)?{_YEAR}\b"),
    ("month", rf"\b(?:{_TR_MONTHS}\s+{_YEAR}|{_YEAR}\s+(?:yılının\s+)?{_TR_MONTHS}){_SUFFIX}"),
    ("year", rf"(?:\b(?:in|since|by|during|early|late|mid-)\s+{_YEAR}\b|\b{_YEAR}\s+yılında|\b{_YEAR}['’](?:de|da|te|ta)\b)"),
    ("day", rf"\b(?:on\s+)?{_EN_DAYS}\b|\b{_TR_DAYS}(?:\s+günü)?\b|\b(?:yesterday|today|dün|bugün)\b"),
    ("month", r"\b(?:last|earlier this|this)\s+month\b|\b(?:geçen|bu)\s+ay\b"),
    ("year", r"\blast\s+year\b|\bgeçen\s+yıl\b"),
)
_COMPILED = tuple((p, re.compile(rx, re.IGNORECASE)) for p, rx in _PATTERNS)
_STRIP = re.compile(r"(?:['’][a-zçğıöşü]+|\s+ay[ıi]nda|\s+günü|\s+yılının|\s+yılında|\s+yılı|^on\s+|^in\s+|^since\s+|^by\s+"
                    r"|^during\s+|^early\s+|^late\s+|^mid-|,)", re.IGNORECASE)


@dataclass(frozen=True)
class DateMention:
    """A date found in the text: its span and the partial date it stands for."""

    start: int
    end: int
    value: str  # YYYY, YYYY-MM or YYYY-MM-DD
    precision: str  # year | month | day


def find_dates(text: str, start: int, end: int, published: dt.date | None, language: str) -> list[DateMention]:
    """Dates written in ``text[start:end]``, resolved against the publication date; in text order, not overlapping."""
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for precision, pattern in _COMPILED:
        for match in pattern.finditer(text, start, end):
            if any(match.start() < e and s < match.end() for s, e in taken):
                continue
            value = resolve(match.group(0), precision, published, language)
            if value:
                taken.append((match.start(), match.end()))
                found.append(DateMention(match.start(), match.end(), value, precision))
    return sorted(found, key=lambda d: d.start)


def resolve(phrase: str, precision: str, published: dt.date | None, language: str) -> str | None:
    """One date phrase as a partial date; a relative one ("Thursday") needs the publication date."""
    cleaned = _STRIP.sub(" ", phrase).strip()
    has_year = re.search(_YEAR, cleaned) is not None
    if published is None and not has_year:
        return None
    parsed = _parse(cleaned, language, published)
    if parsed is None:
        return None
    if published and parsed == published - dt.timedelta(days=7):
        parsed = published  # "on Thursday" in a Thursday's paper is that day, not a week before
    if precision == "year":
        return f"{parsed.year:04d}"
    if precision == "month":
        return f"{parsed.year:04d}-{parsed.month:02d}"
    return parsed.isoformat()


@lru_cache(maxsize=4096)
def _parse(phrase: str, language: str, published: dt.date | None) -> dt.date | None:
    import dateparser

    base = dt.datetime.combine(published or dt.date(2000, 1, 1), dt.time(12))
    languages = ["tr", "en"] if language == "tr" else ["en", "tr"]
    parsed = dateparser.parse(phrase, languages=languages, settings={
        "RELATIVE_BASE": base, "PREFER_DATES_FROM": "past", "PREFER_DAY_OF_MONTH": "first",
        "REQUIRE_PARTS": [], "STRICT_PARSING": False,
    })
    return parsed.date() if parsed else None
