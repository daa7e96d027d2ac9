"""Who says what in a sentence: sentences (never split inside a quotation), quotations, speech and report
verbs in English and Turkish, and which known name is the speaker.

The rules are deliberately plain word patterns, measured on the labelled set
in tests/data/capture (bench/capture.py prints precision and recall).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from lib.capture.names import Mention

_QUOTES = re.compile(r"“[^”]{2,}?”|\"[^\"\n]{2,}?\"|«[^»]{2,}?»|„[^“”]{2,}?[“”]")
_BOUNDARY = re.compile(r"(?<=[.!?…])[\"”»]?\s+(?=[\"“«(]?[A-ZÇĞİÖŞÜ0-9])|\n+")
_ABBREVIATION = re.compile(r"\b(?:Mr|Mrs|Ms|Dr|Gen|Lt|Col|Prof|St|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|U\.S|No|vs)\.$")

SPEECH_EN = re.compile(
    r"\b(?:said|says|saying|told|tells|stated|states|announced|declared|stressed|noted|added|adding|reiterated|"
    r"affirmed|reaffirmed|underlined|emphasi[sz]ed|insisted|denied|denies|denying|rejected|dismissed|confirmed|"
    r"confirms|explained|warned|quoted|as saying)\b")
ACCORDING_EN = re.compile(r"\b[Aa]ccording to\b")
REPORT_EN = re.compile(r"\b(?:reported|reports|wrote|claimed|claims|alleged|published|citing|cited|quoted|quoting|said|says)\b")
SPEECH_TR = re.compile(
    r"(?:\bdedi\b|\bdediler\b|\baçıkladı\b|\bifade etti\b|\bbelirtti\b|\bbildirdi\b|\bkaydetti\b|\bvurguladı\b|\bsöyledi\b|"
    r"\byalanladı\b|\breddetti\b|\bdoğruladı\b|\bduyurdu\b|\bdile getirdi\b|\baçıklamasında\b|\baçıklamada\b|"
    r"\bnot etti\b|\bhatırlattı\b|\bvurgulayarak\b|\bbelirterek\b|\bifadesini kullandı\b)", re.IGNORECASE)
ACCORDING_TR = re.compile(r"\bgöre\b", re.IGNORECASE)
REPORT_TR = re.compile(
    r"(?:\bhaberinde\b|\bhaberine\b|\byaz(?:dı|mıştı)\b|\biddia et(?:ti|mişti)\b|\b(?:öne|ileri) sür(?:dü|müştü)\b|"
    r"\baktar(?:dı|mıştı)\b|\bbildir(?:di|mişti)\b|"
    r"\bdayandırdığı\b|\byayımladığı\b|\byayınladığı\b|\bduyurdu\b|\bgöre\b)", re.IGNORECASE)
DENY = re.compile(
    r"\b(?:denied|denies|deny|denying|rejected|rejects|dismissed|dismisses|refuted|baseless|unfounded|not true|"
    r"yalanladı|yalanlayarak|reddetti|reddederek|asılsız|gerçeği yansıtmadığını|gerçeği yansıtmıyor|doğru olmadığını|"
    r"no such|no basis|fabricat\w*|fake news|did not reflect|böyle bir|uydurma\w*)",
    re.IGNORECASE)
CONFIRM = re.compile(r"\b(?:confirmed|confirms|confirming|doğruladı|doğrulayarak|teyit etti)\b", re.IGNORECASE)
ANONYMOUS = re.compile(r"\b(?:sources?|officials? who|official,? speaking|on condition of anonymity|kaynak\w*)\b", re.IGNORECASE)
SPOKESPERSON = re.compile(r"\b(?:spokes(?:man|woman|person)|sözcüsü)\b", re.IGNORECASE)
_PREPOSITION = re.compile(r"\b(?:about|on|to|with|from|against|for|in|at|into|toward|towards|over|by|of)\s+(?:the\s+)?$",
                          re.IGNORECASE)
_TR_OBLIQUE = re.compile(r"['’](?:y?[ae]|n?[dt][ae]n?|n?[ıiuü]n)$")  # Rusya'ya, Ankara'da, Moskova'dan, Rusya'nın
_THAT = re.compile(r"\b(?:as (?:saying|denying)(?:\s+that)?|that)\s+", re.IGNORECASE)


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int


def quotations(text: str) -> list[tuple[int, int]]:
    """Spans of quoted passages, the quotation marks excluded."""
    return [(m.start() + 1, m.end() - 1) for m in _QUOTES.finditer(text)]


def sentences(text: str, quotes: list[tuple[int, int]]) -> list[Sentence]:
    """Sentence spans; a boundary inside a quotation or after a title ('Gen.') is not one."""
    cuts = [0]
    for match in _BOUNDARY.finditer(text):
        at = match.start()
        if any(s <= at < e for s, e in quotes) and "\n" not in match.group(0):
            continue
        if _ABBREVIATION.search(text[max(0, at - 6):at]):
            continue
        cuts.append(match.end())
    cuts.append(len(text))
    out = []
    for start, end in itertools.pairwise(cuts):
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            out.append(Sentence(start, end))
    return out


def inside(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(s <= span[0] and span[1] <= e for s, e in spans)


@dataclass(frozen=True)
class Attribution:
    """A speaker found in a sentence: the mention, the verb span and whether it was 'according to'."""

    speaker: Mention
    verb_start: int
    verb_end: int


def speaker(text: str, sentence: Sentence, mentions: list[Mention], quotes: list[tuple[int, int]],
            language: str, verbs: re.Pattern[str] | None = None) -> Attribution | None:
    """The mention that speaks in the sentence: 'according to X', 'X said', '"…," said X', 'X … dedi', 'X'e göre'."""
    outside = [m for m in mentions if not inside((m.start, m.end), quotes)]
    if not outside:
        return None
    if language == "tr":
        return _speaker_tr(text, sentence, outside, quotes, verbs)
    return _speaker_en(text, sentence, outside, quotes, verbs or SPEECH_EN)


def _verbs(pattern: re.Pattern[str], text: str, sentence: Sentence, quotes: list[tuple[int, int]]) -> list[re.Match[str]]:
    return [m for m in pattern.finditer(text, sentence.start, sentence.end) if not inside((m.start(), m.end()), quotes)]


def _speaker_en(text: str, sentence: Sentence, mentions: list[Mention], quotes: list[tuple[int, int]],
                verbs: re.Pattern[str]) -> Attribution | None:
    for match in _verbs(ACCORDING_EN, text, sentence, quotes):
        after = [m for m in mentions if 0 <= m.start - match.end() <= 16]
        if after:
            return Attribution(after[0], match.start(), match.end())
    for match in _verbs(verbs, text, sentence, quotes):
        before = [m for m in mentions if m.end <= match.start() and _gap_words(text, m.end, match.start()) <= 6
                  and not _PREPOSITION.search(text[sentence.start:m.start])]
        if before:
            return Attribution(before[-1], match.start(), match.end())
        after = [m for m in mentions if m.start >= match.end() and _gap_words(text, match.end(), m.start) <= 4]
        if after:
            return Attribution(after[0], match.start(), match.end())
    return None


def _speaker_tr(text: str, sentence: Sentence, mentions: list[Mention], quotes: list[tuple[int, int]],
                verbs: re.Pattern[str] | None) -> Attribution | None:
    for match in _verbs(ACCORDING_TR, text, sentence, quotes):
        before = [m for m in mentions if m.end <= match.start() and _gap_words(text, m.end, match.start()) <= 3]
        if before:
            return Attribution(before[-1], match.start(), match.end())
    found = _verbs(verbs or SPEECH_TR, text, sentence, quotes)
    if not found:
        return None
    subjects = [m for m in mentions if m.end <= found[-1].start() and not _TR_OBLIQUE.search(_word_at(text, m.end))]
    if subjects:
        # "Rusya Dışişleri Bakanlığı Sözcüsü Mariya Zaharova, …": the subject's head is the name before its comma
        comma = text.find(",", sentence.start, found[-1].start())
        heads = [m for m in subjects if comma >= 0 and m.end <= comma]
        return Attribution(heads[-1] if heads else subjects[0], found[-1].start(), found[-1].end())
    return None


def _word_at(text: str, end: int) -> str:
    """The name's last word with the suffix that follows it (Rusya → Rusya'ya)."""
    match = re.compile(r"['’][^\W\d_]+").match(text, end)
    return text[max(0, end - 1):match.end()] if match else ""


def _gap_words(text: str, start: int, end: int) -> int:
    return len(re.findall(r"[^\W_]+", text[start:end]))


def reported_clause(text: str, sentence: Sentence, attribution: Attribution) -> tuple[int, int]:
    """The span of what was said: after 'that' / 'as saying', else after the verb, else before the attribution."""
    verb = text[attribution.verb_start:attribution.verb_end]
    if attribution.speaker.end <= attribution.verb_start and verb.lower() != "göre" and (
            SPEECH_TR.fullmatch(verb) or REPORT_TR.fullmatch(verb)):  # Turkish: "X, … dedi" — the clause sits between
        return attribution.speaker.end + _lead(text, attribution.speaker.end, attribution.verb_start), attribution.verb_end
    that = _THAT.search(text, attribution.verb_end, sentence.end)
    if that and that.start() - attribution.verb_end < 60:
        return that.end(), _trim_end(text, that.end(), sentence.end)
    if attribution.speaker.start > attribution.verb_end or attribution.verb_start < attribution.speaker.start:
        # "…, said X" / "according to X, …": the clause is the rest of the sentence around the attribution
        left = (sentence.start, attribution.verb_start)
        right = (max(attribution.speaker.end, attribution.verb_end), sentence.end)
        start, end = max((left, right), key=lambda s: len(text[s[0]:s[1]].strip(" ,;:")))
    else:
        start, end = attribution.verb_end, sentence.end
    while start < end and text[start] in " ,;:":
        start += 1
    return start, _trim_end(text, start, end)


def _lead(text: str, start: int, end: int) -> int:
    """How many characters of a clause's start are a suffix, comma or space (Fidan, … → …)."""
    match = re.compile(r"(?:['’][^\W\d_]+)?[\s,]*").match(text, start, end)
    return match.end() - start if match else 0


def _trim_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1] in " ,;:.":
        end -= 1
    return end
