"""Known names in running text: actors by name and aliases, sources by name or web domain.

Only names the store already holds are recognised, so an ordinary word never
becomes an actor. Matching is on folded tokens, tolerant of the variants news
copy uses: diacritics (Türkiye/Turkiye), Turkish dotless i, British/American
spelling (Defence/Defense), adjective or possessive for the country
(Turkish/Turkey's/Türkiye), and Turkish case suffixes (MSB'nin, Bakanlığından).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

_TOKEN = re.compile(r"[^\W_]+(?:[-.][^\W_]+)*\.?", re.UNICODE)
_CANON = {
    "turkiye": "turkey", "turkish": "turkey", "turk": "turkey", "russian": "russia", "rusya": "russia", "rus": "russia",
    "defense": "defence", "american": "us", "u.s": "us", "u.s.": "us", "usa": "us", "abd": "us",
    "ministry's": "ministry", "turkey's": "turkey", "russia's": "russia",
}
_MAX_SUFFIX = 6
"""Letters a Turkish case or possessive suffix may add to a name's last word (Bakanlığı → Bakanlığından)."""


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """One word lower-cased without diacritics (Turkish İ/ı included), with spelling variants merged."""
    word = word.replace("İ", "i").replace("I", "ı").lower().replace("ı", "i").replace("’", "'")
    word = "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))
    word = word.rstrip(".") if not re.fullmatch(r"(?:\w\.)+", word) else word
    return _CANON.get(word, word)


@dataclass(frozen=True)
class Token:
    """A word of the text: its folded form and where it stands."""

    word: str
    start: int
    end: int


def tokens(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """The words of ``text[start:end]`` with their offsets in ``text``; an apostrophe suffix (Erdoğan'ın) is dropped."""
    out = []
    for match in _TOKEN.finditer(text, start, len(text) if end is None else end):
        if match.start() > 0 and text[match.start() - 1] in "'’":
            continue  # a suffix after an apostrophe: Turkey's, Erdoğan'ın
        raw = match.group(0)
        out.append(Token(fold(raw), match.start(), match.start() + len(raw)))
    return out


def key(name: str) -> tuple[str, ...]:
    """A name as the folded word sequence it is matched by."""
    return tuple(t.word for t in tokens(re.sub(r"^(?:the|a|an|bir)\s+", "", name.strip(), flags=re.IGNORECASE)))


@dataclass(frozen=True)
class Mention:
    """A known name found in the text: whose it is and its span."""

    ident: str
    start: int
    end: int


class NameIndex:
    """Names (and their aliases) of one kind of thing, to find in text by the longest folded match."""

    def __init__(self, names: Iterable[tuple[str, str]]) -> None:
        """``names``: (id, name or alias) pairs; a name shared by two ids is kept for the first."""
        self._keys: dict[tuple[str, ...], str] = {}
        for ident, name in names:
            words = key(name or "")
            if words and not (len(words) == 1 and len(words[0]) < 2):
                self._keys.setdefault(words, ident)
        sizes: dict[str, set[int]] = {}
        for words in self._keys:
            sizes.setdefault(words[0], set()).add(len(words))
        self._sizes = {first: sorted(n, reverse=True) for first, n in sizes.items()}

    def find(self, words: list[Token]) -> list[Mention]:
        """Every known name in the token list, longest first and not overlapping."""
        found: list[Mention] = []
        i = 0
        while i < len(words):
            for size in self._sizes.get(words[i].word, ()):
                ident = self._match(words[i:i + size]) if i + size <= len(words) else None
                if ident:
                    found.append(Mention(ident, words[i].start, words[i + size - 1].end))
                    i += size
                    break
            else:
                i += 1
        return found

    def _match(self, window: list[Token]) -> str | None:
        words = tuple(t.word for t in window)
        if words in self._keys:
            return self._keys[words]
        last = words[-1]
        for cut in range(1, min(_MAX_SUFFIX, len(last) - 3) + 1):  # Turkish suffixes on the last word
            ident = self._keys.get((*words[:-1], last[:-cut]))
            if ident and len(last[:-cut]) >= 4:
                return ident
        return None


def domain(url: str | None) -> str:
    """The web domain of a URL without 'www.' ('https://www.aa.com.tr/x' → 'aa.com.tr'), or ''."""
    match = re.match(r"^[a-z]+://([^/:?#]+)", (url or "").strip().lower())
    return match.group(1).removeprefix("www.") if match else ""


def slug(text: str, limit: int = 40) -> str:
    """A readable key part: folded words joined by '-', cut at a word boundary."""
    words = [re.sub(r"[^a-z0-9]+", "-", t.word).strip("-") for t in tokens(text)]
    out = ""
    for word in filter(None, words):
        if len(out) + len(word) + 1 > limit:
            out = out or word[:limit].strip("-")
            break
        out = f"{out}-{word}" if out else word
    return out or "item"
