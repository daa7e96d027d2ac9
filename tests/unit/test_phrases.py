"""The continuity phrase detector: measured on the labelled corpus, its guards one by one, and properties.

tests/data/continuity_corpus.csv: id, lang (en/tr), label (1 declares continuity), kind, split, text. To measure
a change of the rules honestly, write new sentences as a new split first and score them once (bench/phrases.py)
before fixing anything they show; then add the split to the parametrisation below.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.phrases import Match, continuity_phrase, declares_continuity, explain, flags, normalise

CORPUS = Path(__file__).resolve().parent.parent / "data" / "continuity_corpus.csv"
ROWS = list(csv.DictReader(CORPUS.open(encoding="utf-8", newline="")))
TARGET_PRECISION, TARGET_RECALL = 0.95, 0.90


def _scores(rows: list[dict[str, str]]) -> tuple[float, float, list[str], list[str]]:
    predicted = flags([r["text"] for r in rows])
    missed = [r["id"] for r, p in zip(rows, predicted, strict=True) if r["label"] == "1" and not p]
    wrong = [r["id"] for r, p in zip(rows, predicted, strict=True) if r["label"] == "0" and p]
    found = sum(predicted) - len(wrong)
    positives = sum(r["label"] == "1" for r in rows)
    return found / (found + len(wrong)) if found + len(wrong) else 1.0, found / positives, missed, wrong


def test_the_corpus_is_balanced_and_large_enough() -> None:
    """At least 300 sentences, about half per language and half per label; a third of the first 347 held out."""
    assert len(ROWS) >= 300 and len({r["id"] for r in ROWS}) == len(ROWS)
    for lang in ("en", "tr"):
        rows = [r for r in ROWS if r["lang"] == lang]
        assert 0.4 < len(rows) / len(ROWS) < 0.6
        assert 0.4 < sum(r["label"] == "1" for r in rows) / len(rows) < 0.6
    assert sum(r["split"] == "holdout" for r in ROWS) > 0.3 * sum(r["split"] in ("dev", "holdout") for r in ROWS)
    assert {r["split"] for r in ROWS} == {"dev", "holdout", "fresh", "fresh2"}


@pytest.mark.parametrize("split", ["dev", "holdout", "fresh", "fresh2"])
@pytest.mark.parametrize("lang", ["en", "tr"])
def test_precision_and_recall_meet_the_targets(lang: str, split: str) -> None:
    """Per language and split: precision >= 0.95 and recall >= 0.9 on the hand-labelled sentences."""
    precision, recall, missed, wrong = _scores([r for r in ROWS if r["lang"] == lang and r["split"] == split])
    assert precision >= TARGET_PRECISION, f"precision {precision:.3f}; wrongly flagged: {wrong}"
    assert recall >= TARGET_RECALL, f"recall {recall:.3f}; missed: {missed}"


def test_the_seed_quote_is_flagged_and_the_words_quoted_as_written() -> None:
    """The Defence Ministry's seed quote matches, and explain() returns the rule and the original words."""
    seed = "The S-400 air defense systems are in our inventory, and there is no change in our position."
    assert explain(seed.upper()) == Match("no_change", "en", "NO CHANGE IN OUR POSITION")
    assert explain(seed).rule == "no_change" and continuity_phrase(seed) == "no change in our position"
    assert continuity_phrase("TUTUMUMUZDA BİR DEĞİŞİKLİK YOK.") == "TUTUMUMUZDA BİR DEĞİŞİKLİK YOK"
    assert explain("Turkey\u2019s stance on the S-400 has not changed.").words == "stance on the S-400 has not changed"


@pytest.mark.parametrize(("text", "rule"), [
    ("There is no change in the government's approach.", "no_change"),
    ("Our position is the same as it was.", "stance_unchanged"),
    ("We will not backtrack.", "refuse_backtrack"),
    ("The ministry reaffirmed its stance.", "maintain"),
    ("There is nothing new on this issue.", "nothing_new"),
    ("Politikamızda herhangi bir değişiklik bulunmamaktadır.", "no_change"),
    ("Yaklaşımımızda değişiklik söz konusu değildir.", "no_change"),
    ("Duruşumuz değişmemiştir.", "stance_unchanged"),
    ("Tutumumuzu koruyoruz.", "maintain"),
    ("Geri adım atmamız söz konusu değil.", "refuse_backtrack"),
    ("Bu konuda yeni bir şey yok.", "nothing_new"),
    ("Tutumumuzda degisiklik yok.", "no_change"),
])
def test_each_rule_recognises_its_wording(text: str, rule: str) -> None:
    """Every rule family fires on its plain wording, Turkish with or without diacritics."""
    found = explain(text)
    assert found is not None and found.rule == rule, found


@pytest.mark.parametrize("text", [
    "It is not true that there is no change in our position.",  # negated before
    "Tutumumuzda değişiklik olmadığı doğru değil.",  # negated after (Turkish)
    "Is there no change in your position?",  # question mark
    "Pozisyonunuzda değişiklik yok mu, diye soruldu.",  # Turkish question particle
    "Yaklaşımının değişip değişmediğini sordular.",  # Turkish "whether" form
    "They asked whether our stance remains unchanged.",  # indirect question
    "We will impose sanctions if there is no change in Turkey's position.",  # conditional
    "Our position may remain unchanged for now.",  # hedge
    "Moscow hopes there will be no change in Ankara's position.",  # another side's hope
    "The EU urged Ankara to ensure there is no backtracking.",  # another side's demand
    "Atina, Ankara'nın politikasının değişmeyeceğini iddia etti.",  # another side's claim (Turkish)
    "Tutumumuzun aynı kaldığını söylemek gerçeği yansıtmaz.",  # negated after (Turkish)
    "The delegation will not step back into the room.",  # the physical sense of "step back"
    "The party's position in the polls has not changed.",  # another sense of "position"
    "Fiyatlarda değişen bir şey yok.",  # another subject
    "Politikamız AB'nin politikasıyla aynı olacak.",  # the same as another's
    "Our position will be the same as the EU's.",  # the same as another's
    "Our position is no longer the same.",  # negation inside the match
    "There is no change in the schedule.",  # no stance noun
    "Nothing has changed on the ground.",  # bare "nothing has changed" with another subject
    "We have changed our position.",
    "",
])
def test_guards_reject_what_is_not_a_declaration(text: str) -> None:
    """Negations, questions, conditions, hedges, other sides' words and other senses are not declarations."""
    assert not declares_continuity(text), explain(text)


def test_flags_agrees_with_the_single_text_detector_on_the_corpus() -> None:
    """The bulk prefilter loses nothing: flags() equals declares_continuity() row by row, None included."""
    texts = [r["text"] for r in ROWS] + [None, "", "   "]
    assert flags(texts) == [declares_continuity(t) for t in texts]
    assert flags([]) == []


_SENTENCES = [r["text"] for r in ROWS]
_FOLD = str.maketrans("ıİşŞğĞçÇöÖüÜ", "iIsSgGcCoOuU")


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(_SENTENCES), st.sampled_from(["upper", "lower", "ascii", "spaces", "nbsp", "curly"]))
def test_spelling_variants_do_not_change_the_verdict(sentence: str, variant: str) -> None:
    """Upper or lower case, Turkish letters typed as ASCII, doubled or no-break spaces, curly quotes: the same verdict, in bulk too."""
    changed = {
        "upper": sentence.upper(),
        "lower": sentence.lower(),
        "ascii": sentence.translate(_FOLD),
        "spaces": sentence.replace(" ", "  "),
        "nbsp": sentence.replace(" ", "\u00a0", 3).replace(" ", "\u2009"),
        "curly": sentence.replace("'", "\u2019"),
    }[variant]
    assert declares_continuity(changed) == declares_continuity(sentence)
    assert flags([changed]) == [declares_continuity(sentence)]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(_SENTENCES))
def test_a_question_is_never_a_declaration(sentence: str) -> None:
    """Any corpus sentence turned into a question (its final stop made '?') declares nothing, and a 0 stays 0."""
    body = sentence.rstrip().rstrip(".!?\"'")
    if any(mark in body for mark in ".!?;"):  # several sentences: only the last one becomes a question
        assert declares_continuity(sentence) or not declares_continuity(body + "?")
    else:
        assert not declares_continuity(body + "?")


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(_SENTENCES), st.sampled_from([
    "The delegation left for Brussels.", "Görüşmeler yarın Ankara'da sürecek mi bilinmiyor.", "No comment.",
]))
def test_an_unrelated_sentence_added_after_changes_nothing(sentence: str, unrelated: str) -> None:
    """A following sentence without continuity wording neither adds nor removes a declaration."""
    if sentence.rstrip()[-1:] in ".!?":
        assert declares_continuity(f"{sentence} {unrelated}") == declares_continuity(sentence)


@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80))
def test_normalise_keeps_the_length_of_latin_text(text: str) -> None:
    """Normalising maps one character to one (when lower-casing does), so matched words can be quoted from the original."""
    if all(len(ch.lower()) == 1 and ch != "\u0307" for ch in text.replace("İ", "i")):
        assert len(normalise(text)) == len(text)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(_SENTENCES), st.sampled_from(["It is not true that ", "Nobody can say that ", "Doğru değil: "]))
def test_a_negation_put_before_never_makes_a_declaration(sentence: str, negation: str) -> None:
    """Negating words before a sentence can only remove a declaration, never create one."""
    assert declares_continuity(sentence) or not declares_continuity(negation + sentence[:1].lower() + sentence[1:])
