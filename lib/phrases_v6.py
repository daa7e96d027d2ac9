"""The continuity detector of schema 6 and before, frozen: only the upgrade to schema 7 uses it.

A stored ``statements.self_declared_continuity`` was either this detector's
verdict on the quote or an analyst's explicit ``self_declared`` value in a
bundle; the store does not say which. The upgrade re-flags a statement with
the current detector (lib/phrases.py) only where the stored flag equals this
detector's verdict, so an analyst's value that overrode the old detector
survives. Do not change these patterns: they must reproduce what was stored.
"""

from __future__ import annotations

import re

_TR_UPPER = str.maketrans({"İ": "i", "I": "ı"})
_PATTERNS: tuple[str, ...] = (
    r"\bno change (?:in|to|of) (?:our|its|the government'?s|the ministry'?s|turkey'?s|ankara'?s) (?:position|stance|policy)",
    r"\b(?:our|its|the) (?:position|stance|policy) (?:remains|is|has remained|stays) (?:the same|unchanged|firm)",
    r"\b(?:position|stance|policy) remains unchanged",
    r"\bwe (?:will|shall) not (?:step|take a step|back) ?(?:back|down)?\b",
    r"\bthere is no turning back\b",
    r"\b(?:reiterat(?:e|es|ed|ing)|reaffirm(?:s|ed|ing)?) (?:our|its) (?:position|stance|commitment)",
    r"\bnothing has changed in (?:our|its) (?:position|stance)",
    r"\b(?:tutumumuzda|pozisyonumuzda|politikamızda) (?:herhangi )?bir değişiklik (?:yok|bulunmamaktadır|söz konusu değil)",
    r"\b(?:tutumumuzda|pozisyonumuzda|politikamızda) (?:herhangi bir )?değişiklik (?:yok|bulunmamaktadır|söz konusu değil)",
    r"\b(?:tutumumuz|pozisyonumuz) (?:aynıdır|değişmedi|değişmemiştir|net)",
    r"\bgeri adım (?:atmayacağız|atmayız|atmayacaktır)",
    r"\bgeri dönüş (?:yok|yoktur|söz konusu değil)",
)
_COMPILED = tuple(re.compile(p) for p in _PATTERNS)
_NEGATION_BEFORE = re.compile(r"(?:\bnot true that|\bdenied that|\bno longer|\bif|\bwhether|\bdeğil ki)\s*[\w\s,']{0,20}$")


def declared_v6(text: str | None) -> bool:
    """What schema 6's detector said of the text."""
    if not text:
        return False
    lowered = re.sub(r"\s+", " ", text.translate(_TR_UPPER).lower()).strip()
    for sentence in re.split(r"(?<=[.!;])\s+", lowered):
        if sentence.rstrip().endswith("?"):
            continue
        for pattern in _COMPILED:
            match = pattern.search(sentence)
            if match and not _NEGATION_BEFORE.search(sentence[: match.start()]):
                return True
    return False
