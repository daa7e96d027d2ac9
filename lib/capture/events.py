"""Dated background events in an article: a clause with an event word ('signed', 'teslim edildi') and a
date that carries its year ('in December 2017', 'Temmuz 2019'da'), at the precision written."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lib.capture.speech import inside
from lib.capture.when import DateMention

EVENT_TYPES: tuple[tuple[str, re.Pattern[str]], ...] = tuple((code, re.compile(rx, re.IGNORECASE)) for code, rx in (
    ("sanctions", r"\b(?:sanction\w*|caatsa|yaptırım\w*)"),
    ("exclusion", r"\b(?:removed|expelled|excluded|suspended|kicked out|çıkarıl\w*|ihraç\w*)"),
    ("delivery", r"\b(?:deliver\w*|arrived|received|teslim\w*|ulaştı)"),
    ("military_test", r"\b(?:test\w*|fired|denedi|deneme\w*|atış\w*)"),
    ("agreement", r"\b(?:signed|signing|contract|deal|agreement|imzala\w*|anlaşma\w*|sözleşme\w*)"),
))
"""Event types by their words, the readable codes of the seed's curated vocabulary; first match nearest the date wins."""


@dataclass(frozen=True)
class DatedEvent:
    date: DateMention
    event_type: str
    title: str


def dated_events(text: str, start: int, end: int, dates: list[DateMention],
                 quotes: list[tuple[int, int]]) -> list[DatedEvent]:
    """The events of one sentence: each date with a year, the event word of its clause, and the clause as title."""
    dated = [d for d in dates if re.search(r"\d{4}", text[d.start:d.end]) and not inside((d.start, d.end), quotes)]
    out = []
    for i, date in enumerate(dated):
        left = dated[i - 1].end if i else start
        right = dated[i + 1].start if i + 1 < len(dated) else end
        found, bounds = None, (left, right)
        for window in ((left, date.end), (date.start, _clause_end(text, date.end, right))):
            hits = [(code, m) for code, rx in EVENT_TYPES for m in rx.finditer(text, *window)]
            if hits:
                found = min(hits, key=lambda hit: abs(hit[1].start() - date.start))
                bounds = (window[0], max(window[1], _clause_end(text, date.end, right)))
                break
        if not found:
            continue
        code, word = found
        out.append(DatedEvent(date, code, _clause_title(text, _clause_start(text, bounds[0], word.start()), bounds[1])))
    return out


_SEPARATOR = re.compile(r",\s+|;\s+|\s+and\s+|\s+ve\s+")


def _clause_start(text: str, start: int, word: int) -> int:
    """Where the clause holding the event word begins: after the last comma or 'and' before it."""
    ends = [m.end() for m in _SEPARATOR.finditer(text, start, word)]
    return ends[-1] if ends else start


def _clause_end(text: str, start: int, limit: int) -> int:
    """Where the clause that a date closes ends: the next comma, semicolon, full stop or 'and'."""
    match = re.compile(r"[,;.]|\s+and\s+|\s+ve\s+").search(text, start, limit)
    return match.start() if match else limit


def _clause_title(text: str, start: int, end: int) -> str:
    clause = text[start:end].strip(" ,;:.")
    clause = re.sub(r"^(?:and|while|but|ve|ile)\s+", "", clause, flags=re.IGNORECASE)
    return clause[:117] + "…" if len(clause) > 120 else clause
