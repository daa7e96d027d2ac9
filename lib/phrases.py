"""Recognise continuity wording: "there is no change in our position", "geri adım atmayacağız".

Officials reaffirm a stance in set phrases. When a statement's own words say
so, it is a reaffirmation even if it is the first statement of that actor in
the store (``statements.self_declared_continuity``).

How a sentence is read
----------------------
1. **Normalise** (:func:`normalise`): Turkish-aware lower-casing (``İ``→``i``;
   ``I`` and ``ı`` both end as ``i``), Turkish letters folded to ASCII
   (``değişiklik`` → ``degisiklik``, so quotes typed without diacritics match
   too), curly apostrophes made straight and quotation marks made spaces.
   Every step maps one character to one character, so a match's offsets point
   into the original text and :func:`explain` can quote the speaker's own
   words.
2. **Rules** (``_RULES``): each is one continuity predicate tied to a stance
   noun or to the speaker, and runs only when the sentence holds one of its
   stems (``needs``):

   * ``no_change`` — "no change / no shift / nothing has changed in <…> position,
     stance, policy, approach, line…"; "tutumumuzda (herhangi) bir değişiklik
     yok / yoktur / bulunmamaktadır / söz konusu değildir / olmadı(ğını)".
     Bare "there is no change" / "nothing has changed" counts only at the end
     of its clause (not "no change in the schedule", "nothing has changed on
     the ground"); Turkish "değişen bir şey yok" only when no other locative
     subject precedes it ("fiyatlarında değişen bir şey yok" is not a stance).
   * ``stance_unchanged`` — a stance noun, up to ten words, then "remains
     unchanged / the same / as it was / as before", "has not changed", "will
     not change"; "tutumumuz aynıdır / değişmedi / değişmemiştir / eskisi gibi /
     aynen devam ediyor / sürüyor". "The same as" must compare with the past
     ("as before", "as it was"), not with someone else ("as the EU's",
     "AB'nin politikasıyla aynı").
   * ``maintain`` — "maintain / reaffirm / reiterate / stand by / keep … our
     position", "continue on the same path"; "tutumumuzu koruyoruz /
     sürdürüyoruz / teyit ediyoruz / yineledi", "aynı kararlılıkla devam".
   * ``refuse_backtrack`` — "we will not backtrack / step back / back down /
     retreat / make a U-turn", "there will be no stepping back", "no question
     of backtracking", "no intention of …", "has not changed its position";
     "geri adım atmayacağız / atmamız söz konusu değil", "geri dönüş yok",
     "vazgeçmeyeceğiz", "taviz vermeyeceğiz", "değiştirmeyi düşünmüyoruz".
   * ``nothing_new`` — "nothing new on this issue"; "bu konuda yeni bir şey yok".
3. **Guards** (word lists ``_BEFORE``, ``_AFTER``, ``_AROUND``, and a rule's own
   ``unless``) reject a rule's match when the words around it, within the
   same clause, negate it ("not true that", "denied that",
   "… olmadığı doğru değil", "söylemek yanlış olur"), ask ("?", "whether",
   "… yok mu", "değişip değişmediğini"), make it conditional or hedged ("if", "unless", "may",
   "belki", "artık"), or put it in another side's mouth as a demand, hope,
   expectation or claim ("urged", "hopes there will be no change",
   "expects … to keep", "iddia etti", "endişesini"), or when the stance noun
   is used in its physical or ranking sense ("position in the polls", "the
   position of the vessel", "anketlerde").

Libraries considered and measured (bench/RESULTS.md, 2026-12-01):
snowballstemmer's Turkish stemmer reduced 30 of 37 inflected stance nouns to
their lemma (tutumu→tut, politikası→politikas, pozisyonu→pozisyo, tavrı→tavrı)
at about 225 µs a word, while a prefix over the noun stem ("tutum…",
"tav(ı)r…", "desteğ…") matches 37 of 37 at about 4 µs; ``unidecode`` folds
diacritics but changes string lengths ("…" → "..."), which would lose the
offsets used to quote the matched words. Neither is a dependency.

Bulk use: :func:`flags` runs a vectorised prefilter (Arrow's RE2
``match_substring_regex`` over the union of the rules' stems, written for the
raw text) over all texts, then each rule's stems over the distinct
candidates, and the full rules only where their stems are.

Measured (bench/phrases.py on tests/data/continuity_corpus.csv, 487
hand-written sentences): the splits dev and holdout (347 sentences, written
before the rules) are all correct, but the rules were designed with every one
of them in view. The honest figures come from sentences written after the
rules, scored once before any fix: ``fresh`` (80) en P 0.90 R 0.95, tr P 0.88
R 0.70; after fixing what they showed, ``fresh2`` (60) en P 1.00 R 0.93, tr
P 0.88 R 1.00. Its three errors were then fixed too, so every split now
scores 1.00 — expect about 0.9 on wording not yet seen. The schema-6 detector
(lib/phrases_v6.py): en P 0.84 R 0.17, tr P 0.91 R 0.16.

Speed (bench/RESULTS.md; a 2-vCPU host busy with other work, 2.5-3x slower
than quiet): ``flags`` on 100,000 distinct wire-style quotes (5 % about a
position) 0.28-0.58 s wall, 0.16-0.27 s CPU; on 100,000 quotes nearly all
about a position 3.4-7 s wall, 2.5-3 s CPU.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# One character to one character, so offsets in the normalised text are offsets in the original.
# (str.replace per character is several times faster than str.translate on short texts.)
_ASCII_FOLD = (('"', " "), ("`", "'"), ("\t", " "), ("\n", " "), ("\r", " "))
_FOLD = (
    *_ASCII_FOLD,
    ("ı", "i"), ("ş", "s"), ("ğ", "g"), ("ç", "c"), ("ö", "o"), ("ü", "u"), ("â", "a"), ("î", "i"), ("û", "u"),
    ("’", "'"), ("‘", "'"), ("´", "'"), ("“", " "), ("”", " "), ("«", " "), ("»", " "), ("\u00a0", " "),
    ("\u0307", ""),  # the combining dot a non-Turkish lower() leaves after "İ": the only change of length
)


@dataclass(frozen=True)
class Match:
    """What the detector recognised: the rule's name, its language and the words as the text has them."""

    rule: str
    lang: str
    words: str


def normalise(text: str) -> str:
    """Lower-case with Turkish dotted/dotless i handled, Turkish letters folded to ASCII, quotes unified.

    The result has the same length as ``text`` (when lower-casing keeps the
    length, which it does for Latin scripts, and no combining dot is dropped),
    so match offsets point into it.
    """
    # "İ".lower() is two characters (i + combining dot); Turkish "I" lowers to "i", which is where "ı" folds anyway.
    text = text.replace("İ", "i").lower()
    for old, new in _ASCII_FOLD if text.isascii() else _FOLD:
        text = text.replace(old, new)
    return text


# ---------------------------------------------------------------- vocabulary
_EN_STANCE = (r"(?:position|positions|stance|stances|policy|policies|approach|line|view|views|posture|"
              r"conditions|determination|commitment|commitments|support)\b")
# Turkish stance nouns as stems: any suffix may follow (tutumumuzda, duruşunu, tavrımızdan…).
_TR_STANCE = (r"\b(?:tutum|durus(?!m[ae])|politika|yaklasim|pozisyon|tavir|tavr|siyaset|gorus(?!m[ae])|"
              r"sart|vizyon|karar|destek|desteg|baglilik|baglilig)\w*")
# Filler between a stance noun and its predicate: words, but never a negation or a modal ("is not the same", "may remain").
_FILL = r"(?:[\s,]+(?!(?:not|no|never|longer|n't|may|might|could|would|should|must|artik|belki)\b|degil)[\w'\-]+){0,%d}?"
_NOT = r"(?:will not|won't|shall not|will never|are not going to|aren't going to|is not going to|isn't going to|" \
       r"do not|don't|does not|doesn't|are not|aren't|is not|isn't|have not|haven't|has not|hasn't|never|cannot|can't)"
_BACK = (r"(?:backtrack\w*|step(?:ping|ped)? back|back(?:ing)? down|retreat\w*|make a u-turn|making a u-turn|"
         r"give up|giving up|budg\w*|waver\w*|go(?:ing)? back|turn(?:ing)? back)")
_BACK_NOUNS = ("stepping back", "backtracking", "retreat", "turning back", "going back", "u-turn", "reversal",
               "backing down")
_BACK_NOUN = "(?:" + "|".join(_BACK_NOUNS) + ")"
_SAME_AS_PAST = (r"(?!\s+as\b(?!\s+(?:before|ever|always|it\b|on the first day|the first day|yesterday|in the past|"
                 r"previously|(?:our|its|their) (?:position|stance|policy|approach))))")
_EN_PRED = (r"(?:(?:remains?|remained|stays?|stayed|is|are|was|were|has been|have been|has remained|will remain|"
            r"will be|continues to be)\s+(?:exactly\s+|still\s+|completely\s+)?"
            r"(?:unchanged|unaltered|the same" + _SAME_AS_PAST + r"|as it was|as it is|as before|what it was|"
            r"as firm as ever|consistent|constant|intact)"
            r"|(?:has|have|had) not (?:changed|shifted|altered)|(?:hasn't|haven't|hadn't) (?:changed|shifted|altered)"
            r"|(?:will not|won't|will never|does not|doesn't) change|(?:remains?|remained) the same)\b")
_TR_NO = r"(?:yok(?:tur)?|bulunmamaktadir|bulunmuyor|soz konusu degil(?:dir)?|olmadi|olmamistir|" \
         r"olmayacak(?:tir)?|yasanmadi|yasanmamistir|olmadigini|olmadigi)\b"
_TR_PRED = (r"(?:degismedi\w*|degismemis\w*|degismeyecek\w*|degismis degil\w*|"
            r"(?:oncekiyle|eskisiyle|dunkuyle) ayni\w*|ayni kal\w*|ayni sekilde devam\w*|ayni\w*|aynen devam\w*|"
            r"eskisi gibi\w*|ilk gunku gibi|surdu\w*|suruyor\w*|devam ediyor|devam etmektedir)")

# A rule may name its own exception, tested on the clause up to the end of the match:
# "değişen bir şey yok" with another locative subject ("fiyatlarında değişen…"), "aynı" as "the same as another's".
_OTHER_SUBJECT = re.compile(r"\b(?!(?:tutum|durus|politika|yaklasim|pozisyon|tav|siyaset|gorus|sart|vizyon|karar|konu|"
                            r"mesele|husus|bun|biz)\w*)\w+(?:d[ae]|t[ae])(?:\s+\w+){0,2}\s+degisen\b")
_OTHERS_SAME = re.compile(r"\b(?!oncekiyle|eskisiyle|dunkuyle)\w+y(?:la|le)\s+ayni|\bile ayni")

# What normalise() folds to each ASCII letter, for matching the raw text in bulk (RE2 has no Turkish case folding).
_RAW = {"i": "[iIıİîÎ]\u0307?", "s": "[sSşŞ]", "g": "[gGğĞ]", "c": "[cCçÇ]", "o": "[oOöÖ]", "u": "[uUüÜûÛ]", "a": "[aAâÂ]",
        "'": "['’‘`´]", " ": "[\\s\\p{Z}\"“”«»]+"}


def _raw_pattern(stem: str) -> str:
    """A regex that finds, in the raw text, every spelling that normalise() turns into ``stem``."""
    return "".join(_RAW.get(ch, re.escape(ch)) for ch in stem)


@dataclass(frozen=True)
class _Rule:
    """One continuity rule: its name and language, the stems a sentence needs for it to apply, its pattern.

    ``needs`` (substrings of the normalised text) lets a text skip every rule
    whose stems it lacks; ``raw`` finds the same stems in the raw text, so that
    :func:`flags` can ask Arrow which rules apply to a whole column at once.
    ``unless`` is the rule's own exception, tested on the clause up to the end
    of the match.
    """

    name: str
    lang: str
    needs: tuple[str, ...]
    raw: str
    pattern: re.Pattern[str]
    unless: re.Pattern[str] | None = None


def _rule(name: str, lang: str, needs: tuple[str, ...], pattern: str, unless: re.Pattern[str] | None = None) -> _Rule:
    # A space in a rule stands for any run of whitespace.
    raw = "|".join(_raw_pattern(stem) for stem in needs)
    return _Rule(name, lang, needs, raw, re.compile(pattern.replace(" ", r"\s+")), unless)


_EN_UNCHANGED = ("unchanged", "unaltered", "same", "as it ", "as before", "what it was", "firm as ever", "consistent",
                 "constant", "intact", "not chang", "n't chang", "not shift", "n't shift", "not alter", "n't alter",
                 "never chang")
_TR_CHANGE = ("degisiklik", "degisme", "farklilik")
_TR_NEVER = r"(?:(?:asla|kesinlikle) )?(?:soz konusu|mumkun) (?:degil\w*|olamaz)"  # "… söz konusu değil / olamaz"
_EN_BACK = ("backtrack", "step back", "stepping back", "stepped back", "back down", "backing down", "go back",
            "going back", "turn back", "turning back", "retreat", "u-turn", "give up", "giving up", "budg", "waver")
_RULES: tuple[_Rule, ...] = (
    _rule("no_change", "en", ("chang", "shift", "alter", "differen"),
          r"\b(?:no|not any|without any) (?:\w+ )?(?:change|changes|shift|alteration|difference)"
          r"(?: whatsoever| at all)? (?:in|to|of|on|regarding|concerning)\b" + _FILL % 4 + r" " + _EN_STANCE),
    _rule("no_change", "en", ("nothing",),
          r"\bnothing (?:has |had )?changed (?:in|about|regarding|concerning|with)\b" + _FILL % 4 + r" " + _EN_STANCE),
    _rule("no_change", "en", ("no change", "nothing has changed", "nothing changed"),
          r"\b(?:there (?:is|has been|was|had been) )?(?:no change|nothing has changed|nothing changed)"
          r"(?=\s*(?:[,.;:!'\-]|$))"),
    _rule("stance_unchanged", "en", _EN_UNCHANGED, r"\b" + _EN_STANCE + _FILL % 10 + r"[\s,]+" + _EN_PRED),
    _rule("maintain", "en", ("maintain", "keep", "kept", "stand", "stood", "reaffirm", "reiterat", "restat", "continu"),
          r"\b(?:maintain(?:s|ed|ing)?|keep(?:s|ing)?|kept|stand(?:s|ing)? (?:firm |firmly )?(?:by|on)|stood (?:firm |firmly )?(?:by|on)|"
          r"reaffirm(?:s|ed|ing)?|reiterat(?:e|es|ed|ing)|restat(?:e|es|ed|ing)|"
          r"continu(?:e|es|ed|ing) to (?:hold|pursue|follow|keep|maintain)) (?:[\w'\-]+ ){0,3}?" + _EN_STANCE),
    _rule("maintain", "en", ("same",), r"\bcontinu\w* (?:on|along|with|down) the same (?:path|course|line|road|policy)\b"),
    _rule("refuse_backtrack", "en", _EN_BACK,
          r"\b" + _NOT + r" (?:be |ever )?" + _BACK + r"\b(?! (?:into|onto|inside)\b)"),
    _rule("refuse_backtrack", "en", tuple(f"no {word}" for word in _BACK_NOUNS),
          r"\bthere (?:(?:will|would|can|could|shall) )?(?:be|is) no " + _BACK_NOUN + r"\b"),
    _rule("refuse_backtrack", "en", ("no question", "no intention", "no plan"),
          r"\bno (?:question|intention|plan|plans) of (?:any )?(?:" + "|".join(_BACK_NOUNS)
          + r"|backtracking|changing|revising|reversing)\b"),
    _rule("refuse_backtrack", "en", ("intend", "intention", " plan"),
          r"\b(?:do not|don't|does not|doesn't|have no|has no) (?:intend|intention|plan|plans)"
          r" to (?:change|revise|reverse|alter|reconsider|abandon)\b"),
    _rule("refuse_backtrack", "en", ("not chang", "not revis", "not alter", "not revers", "not abandon"),
          r"\b(?:has|have|had) not (?:changed|revised|altered|reversed|abandoned) (?:its|our|their|the|his|her) "
          + _EN_STANCE),
    _rule("nothing_new", "en", ("nothing new",),
          r"\bnothing new (?:on|in|about|regarding|concerning) (?:this|that|the) (?:issue|matter|subject|question|front)\b"),
    _rule("no_change", "tr", _TR_CHANGE,
          _TR_STANCE + _FILL % 4 + r" (?:(?:herhangi|hicbir|en ufak) )?(?:bir )?(?:degisiklik|degisme|farklilik) " + _TR_NO),
    _rule("no_change", "tr", _TR_CHANGE,
          r"\b(?:bunda|bu konuda|bu meselede|bu hususta) (?:(?:herhangi|hicbir|en ufak) )?(?:bir )?"
          r"(?:degisiklik|degisme|farklilik) " + _TR_NO),
    _rule("no_change", "tr", ("degisen",),
          r"\bdegisen (?:bir sey|hicbir sey|bir durum) (?:yok(?:tur)?|olmadi|olmamistir|bulunmuyor)\b", _OTHER_SUBJECT),
    _rule("stance_unchanged", "tr", ("degism", "ayni", "aynen", "eskisi gibi", "ilk gunku", "surdu", "suruyor",
                                     "devam ediyor", "devam etmektedir"),
          _TR_STANCE + _FILL % 5 + r"[\s,]+" + _TR_PRED, _OTHERS_SAME),
    _rule("stance_unchanged", "tr", ("dun neyse",), r"\bdun neyse bugun de\b"),
    _rule("maintain", "tr", ("koru", "surdur", "muhafaza", "teyit", "yinele", "tekrarla"),
          _TR_STANCE + r" (?:[\w'\-]+ ){0,3}?(?:koru\w*|surdur\w*|muhafaza\w*|teyit\w*|yinele\w*|tekrarla\w*)"),
    _rule("maintain", "tr", ("ayni",),
          r"\bayni (?:tutum\w*|cizgi\w*|kararlilik\w*|sekilde|politika\w*|yol\w*) (?:[\w'\-]+ ){0,2}?"
          r"(?:surdur\w*|devam\w*|koru\w*|suruyor\w*)"),
    _rule("refuse_backtrack", "tr", ("geri adim", "adim geri"),
          r"\b(?:geri adim|adim (?:bile )?geri) (?:atmayacag\w*|atmayiz|atmiyoruz|atmamiz " + _TR_NEVER + r"|"
          r"yok(?:tur)?\b|soz konusu degil\w*|beklemesin)"),
    _rule("refuse_backtrack", "tr", ("geri don",),
          r"\bgeri (?:donus (?:yok\w*|soz konusu degil\w*)|donmeyecegiz|donmeyiz|donmeyecektir)"),
    _rule("refuse_backtrack", "tr", ("vazgec", "taviz"),
          r"\b(?:vazgecmeyecegiz|vazgecmeyiz|vazgecmeyecektir|vazgecmemiz " + _TR_NEVER + r"|"
          r"taviz vermeyecegiz|taviz vermeyiz|taviz vermeyecektir|taviz vermemiz " + _TR_NEVER + r")"),
    _rule("refuse_backtrack", "tr", ("degistir",),
          _TR_STANCE + r" degistir(?:meyi dusunmuyoruz|meyecegiz|miyoruz|meyiz)\b"),
    _rule("nothing_new", "tr", ("yeni bir",), r"\b(?:soylenecek )?yeni bir (?:sey|durum) yok(?:tur)?\b"),
)
_STEMS = frozenset(stem for rule in _RULES for stem in rule.needs)


@dataclass(frozen=True)
class _Cue:
    """The words that set off one guard: whole words, word beginnings ("expect…") and phrases of several words."""

    name: str
    words: frozenset[str]
    starts: tuple[str, ...]
    phrases: tuple[str, ...]

    def found(self, tokens: list[str], joined: str) -> bool:
        """True when the window (as tokens, and joined with a space at each end) holds one of the cue's words."""
        return (not self.words.isdisjoint(tokens) or any(p in joined for p in self.phrases)
                or (bool(self.starts) and any(t.startswith(self.starts) for t in tokens)))


def _cues(spec: dict[str, str]) -> tuple[_Cue, ...]:
    """Guards from "a|b c|d*" lists: a word, a phrase, a word beginning ("d…"; a phrase may end in one too)."""
    cues = []
    for name, listed in spec.items():
        entries = listed.split("|")
        cues.append(_Cue(
            name,
            frozenset(e for e in entries if " " not in e and not e.endswith("*")),
            tuple(e[:-1] for e in entries if " " not in e and e.endswith("*")),
            tuple(f" {e[:-1]}" if e.endswith("*") else f" {e} " for e in entries if " " in e),
        ))
    return tuple(cues)


# Words that undo a match when they stand, in the same clause, before it (up to ten words) ...
_BEFORE = _cues({
    "negated": "not true|untrue|wrong|false|incorrect|deny|denies|denied|denying|no longer|not say|not said|"
               "not claim*|cannot say|cannot claim*|can't say|can't claim*|never say|never said|never claim*|"
               "didn't say|no one can say|nobody can say|anyone who say*|those who say*|people who say*|"
               "anyone who claim*|those who claim*|artik",
    "question": "whether|is there|has there|are there|will there|eger",
    "conditional": "if|unless|provided|once",
    "hedge": "may|might|could|possibly|perhaps|too early|belki",
    "other_side": "call on|calls on|called on|calling on|urge|urges|urged|urging|demand*|presses|pressed|pressing|"
                  "want|wants|wanted|expect*|hope|hopes|hoped|hoping|wish*|ensure|accus*|claim|claims|claimed|"
                  "alleg*|must|should|need to|needs to|needed to",
})
# ... or right after it (up to four words): Turkish puts negation, doubt and attribution after the verb ...
_AFTER = _cues({
    "negated": "dogru degil*|yanlis*|gercegi yansitm*|soyleyeme*|soylenemez|garanti edemez|soylemedik|diyenler|"
               "degil*|dogru olmaz|is not true|is untrue|is false|is wrong|is mistaken|are mistaken",
    "question": "mi|mu",
    "other_side": "iddia*|endise*|umuyor*|bekliyor*|iste*|talep*|cagir*|gerek*",
})
# ... or, anywhere in the clause, when the stance noun is used in its physical or ranking sense.
_AROUND = _cues({"other_sense": "poll|polls|league|ranking|rankings|standings|vessel|ship|frigate|fleet|tanker|"
                                "anket*|ligde"})
_SENTENCE_ENDS = ".!?;"


def _words(text: str) -> list[str]:
    """The words of a guard's window, without commas and possessive endings ("frigate's" → "frigate")."""
    return [word.removesuffix("'s").strip("'") for word in text.replace(",", " ").split()]


def _whether_form(tokens: list[str]) -> bool:
    """The Turkish "whether" form, a verb twice: "değişip değişmediğini", "olup olmadığını", "atıp atmayacağını"."""
    return any(first.endswith(("ip", "up")) and len(first) > 3 and second.startswith(first[:-2] + "m")
               for first, second in itertools.pairwise(tokens))


def explain(text: str | None) -> Match | None:
    """The first continuity rule the text satisfies, with the words it matched; None when it declares no continuity."""
    if not text:
        return None
    probe = " ".join(normalise(text).split())  # any run of (Unicode) whitespace as one space, for the stems
    present = {stem for stem in _STEMS if stem in probe}
    return _first_match(text, [rule for rule in _RULES if not present.isdisjoint(rule.needs)])


def _first_match(text: str, rules: list[_Rule]) -> Match | None:
    """The first of ``rules`` (those whose stems the text holds) that matches the text unguarded."""
    folded = normalise(text)
    for rule in rules:
        for found in rule.pattern.finditer(folded):
            # The rules' patterns do not cross a sentence end; the guards look within the match's sentence.
            begin = max(folded.rfind(mark, 0, found.start()) for mark in _SENTENCE_ENDS) + 1
            stop = min((i for i in (folded.find(mark, found.end()) for mark in _SENTENCE_ENDS) if i >= 0),
                       default=len(folded))
            if folded.startswith("?", stop):
                continue
            sentence = folded[begin:stop]
            if _guarded(sentence, found.start() - begin, found.end() - begin, rule.unless) is None:
                words = text[found.start():found.end()] if len(folded) == len(text) else found.group(0)
                return Match(rule.name, rule.lang, words.strip())
    return None


def _guarded(sentence: str, start: int, end: int, unless: re.Pattern[str] | None) -> str | None:
    """The name of the guard that rejects the match sentence[start:end], or None when none does."""
    before = _words(sentence[sentence.rfind(":", 0, start) + 1: start])[-10:]
    stop = min((i for i in (sentence.find(",", end), sentence.find(":", end)) if i >= 0), default=len(sentence))
    after = _words(sentence[end:stop])[:4]
    if unless is not None and unless.search(f"{' '.join(before)} {sentence[start:end]}"):
        return "other_subject"
    around = before + _words(sentence[start:end]) + after
    if _whether_form(around):
        return "question"
    for cues, tokens in ((_BEFORE, before), (_AROUND, around), (_AFTER, after)):
        joined = f" {' '.join(tokens)} "
        for cue in cues:
            if cue.found(tokens, joined):
                return cue.name
    return None


def continuity_phrase(text: str | None) -> str | None:
    """The continuity words the text uses (as written), or None when it declares no continuity."""
    found = explain(text)
    return found.words if found else None


def declares_continuity(text: str | None) -> bool:
    """True when the statement's own words say the position has not changed."""
    return explain(text) is not None


# A text with none of the rules' stems cannot match: flags() does not parse it.
_PREFILTER = "|".join(rule.raw for rule in _RULES)


def flags(texts: Sequence[str | None]) -> list[bool]:
    """declares_continuity for many texts at once: vectorised prefilters, then the rules on candidates only.

    Arrow's RE2 regex runs over the whole column (no Python per row): first the
    union of every rule's stems, which leaves a few percent of wire-style
    statements as candidates; then, over the distinct candidates (a quote
    repeated across statements is read once), each rule's own stems, so that
    each runs only the rules that can apply.
    """
    if not len(texts):
        return []
    column = pa.array(texts, type=pa.string())
    index = pc.indices_nonzero(pc.fill_null(pc.match_substring_regex(column, _PREFILTER, ignore_case=True), False))
    candidates = column.take(index)
    distinct = pc.unique(candidates)
    gates = [pc.match_substring_regex(distinct, rule.raw, ignore_case=True).to_pylist() for rule in _RULES]
    verdicts = pa.array([_first_match(text, [rule for rule, yes in zip(_RULES, applies, strict=True) if yes]) is not None
                         for text, applies in zip(distinct.to_pylist(), zip(*gates, strict=True), strict=True)],
                        type=pa.bool_())
    result = np.zeros(len(texts), dtype=bool)
    result[index.to_numpy()] = verdicts.take(pc.index_in(candidates, value_set=distinct)).to_numpy(zero_copy_only=False)
    return result.tolist()
