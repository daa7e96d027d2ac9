"""What an article's words say about a topic's positions, and how a statement bears on a claim.

A claim's wording is matched against the topic's position labels and a few
synonyms ('take back' for return, 'satış' for sell); a negation before the
match ('no plans to return') names the opposite position.
"""

from __future__ import annotations

import re

from lib.capture.known import Known
from lib.capture.names import key, tokens

NEGATION = re.compile(
    r"\b(?:no|not|never|denied|denies|deny|without|rejected|değil|yok|yoktur|olmadığını|olmayacağını|"
    r"yalanladı|reddetti|bulunmadığını)\b|\w+m[ae]yacağını\b|\w+m[ae]diğini\b", re.IGNORECASE)
_POSITION_WORDS = {
    "return": ("return", "take back", "taking back", "give back", "hand back", "iade", "geri al", "geri ver"),
    "sell": ("sell", "sale", "selling", "satış", "satma", "sat"),
    "retain": ("retain", "keep", "keeping", "envanter", "elde tut", "koru"),
}
"""Synonyms of position-label words in news copy, English and Turkish."""


def asserted_position(known: Known, topic_id: str, claim_text: str) -> str:
    """The topic position a claim's wording names ('take back' → return_or_sell); negated, its opposite."""
    positions = known.topic_positions(topic_id)
    folded = " ".join(t.word for t in tokens(claim_text))
    name, description = known.topics.get(topic_id, ("", ""))
    shared = set(key(name)) | set(key(description))  # "systems" in "Retain the systems" names the topic, not a side
    for position in positions:
        label_words = (set(key(position.label)) | set(key(position.code.replace("_", " ")))) - shared
        phrases = [p for w in label_words for p in _POSITION_WORDS.get(w, (w,)) if len(w) >= 4]
        phrases = [" ".join(key(p)) for p in phrases if p]
        hit = next((p for p in phrases if re.search(rf"\b{re.escape(p)}", folded)), None)
        if hit is None:
            continue
        before = folded[:folded.find(hit)]
        if NEGATION.search(before[-60:]):
            opposite = [p for p in positions if p.ordinal == -position.ordinal and p.ordinal != 0]
            return opposite[0].code if opposite else ""
        return position.code
    return ""


def relation(stance: str | None, reading: str, claim_polarity: str, claim_position: str) -> str:
    """How a statement bears on a claim: 'contradicts', 'corroborates' or '' (no bearing found).

    Where both name a position, agreement decides. An explicit denial
    contradicts a report (and backs a reported denial); a confirmation backs
    it. A "no change" whose position is not on record answers only reports
    that name a position: it contradicts a reported move and backs a reported
    refusal to move; a report on something else (maintenance, talks) is left alone.
    """
    if reading and claim_position:
        return "corroborates" if reading == claim_position else "contradicts"
    if stance == "denies":
        return "contradicts" if claim_polarity == "asserts" else "corroborates"
    if stance == "confirms" and claim_polarity == "asserts":
        return "corroborates"
    if stance == "no change" and claim_position:
        return "contradicts" if claim_polarity == "asserts" else "corroborates"
    return ""
