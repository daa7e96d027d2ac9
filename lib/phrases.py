"""Recognise explicit continuity wording: "there is no change in our position".

Officials reaffirm a stance in set phrases. When a statement's own words say
so, it is a reaffirmation even if it is the first statement of that actor in
the store. The patterns are deliberately narrow (first-person or institutional
continuity, English and Turkish); a negation guard rejects "there has been a
change in our position" and questions put to an official.
"""

from __future__ import annotations

import re

# Turkish casefolding: 'İ' -> 'i' and 'I' -> 'ı' before lower(), so "DEĞİŞİKLİK" matches.
_TR_UPPER = str.maketrans({"İ": "i", "I": "ı"})

_PATTERNS: tuple[tuple[str, str], ...] = (
    ("en", r"\bno change (?:in|to|of) (?:our|its|the government'?s|the ministry'?s|turkey'?s|ankara'?s) (?:position|stance|policy)"),
    ("en", r"\b(?:our|its|the) (?:position|stance|policy) (?:remains|is|has remained|stays) (?:the same|unchanged|firm)"),
    ("en", r"\b(?:position|stance|policy) remains unchanged"),
    ("en", r"\bwe (?:will|shall) not (?:step|take a step|back) ?(?:back|down)?\b"),
    ("en", r"\bthere is no turning back\b"),
    ("en", r"\b(?:reiterat(?:e|es|ed|ing)|reaffirm(?:s|ed|ing)?) (?:our|its) (?:position|stance|commitment)"),
    ("en", r"\bnothing has changed in (?:our|its) (?:position|stance)"),
    ("tr", r"\b(?:tutumumuzda|pozisyonumuzda|politikamızda) (?:herhangi )?bir değişiklik (?:yok|bulunmamaktadır|söz konusu değil)"),
    ("tr", r"\b(?:tutumumuzda|pozisyonumuzda|politikamızda) (?:herhangi bir )?değişiklik (?:yok|bulunmamaktadır|söz konusu değil)"),
    ("tr", r"\b(?:tutumumuz|pozisyonumuz) (?:aynıdır|değişmedi|değişmemiştir|net)"),
    ("tr", r"\bgeri adım (?:atmayacağız|atmayız|atmayacaktır)"),
    ("tr", r"\bgeri dönüş (?:yok|yoktur|söz konusu değil)"),
)
_COMPILED = tuple((lang, re.compile(p)) for lang, p in _PATTERNS)

# A matched phrase does not count when the sentence asks, or when the words
# just before it negate or hedge it ("not true that there is no change").
_NEGATION_BEFORE = re.compile(r"(?:\bnot true that|\bdenied that|\bno longer|\bif|\bwhether|\bdeğil ki)\s*[\w\s,']{0,20}$")


def normalise(text: str) -> str:
    """Lower-case with Turkish dotted/dotless i handled and whitespace folded."""
    return re.sub(r"\s+", " ", text.translate(_TR_UPPER).lower()).strip()


def continuity_phrase(text: str | None) -> str | None:
    """The continuity phrase the text uses (as found), or None when it declares no continuity."""
    if not text:
        return None
    lowered = normalise(text)
    for sentence in re.split(r"(?<=[.!;])\s+", lowered):
        if sentence.rstrip().endswith("?"):
            continue
        for _lang, pattern in _COMPILED:
            match = pattern.search(sentence)
            if match and not _NEGATION_BEFORE.search(sentence[: match.start()]):
                return match.group(0)
    return None


def declares_continuity(text: str | None) -> bool:
    """True when the statement's own words say the position has not changed."""
    return continuity_phrase(text) is not None
