"""The "no change in our position" detector, on sentences that should and should not match."""

from __future__ import annotations

import pytest

from lib.phrases import continuity_phrase, declares_continuity

DECLARE = [
    "The S-400 air defense systems are in our inventory, and there is no change in our position.",
    "There is no change in Turkey's position on the S-400s.",
    "Our stance remains the same.",
    "Our position remains unchanged on this matter.",
    "The policy remains unchanged, the spokesman said.",
    "We will not step back.",
    "There is no turning back.",
    "The ministry reiterated its position on Monday.",
    "We reaffirm our commitment to the systems.",
    "Nothing has changed in our position.",
    "S-400 konusunda tutumumuzda bir değişiklik yok.",
    "TUTUMUMUZDA BİR DEĞİŞİKLİK YOK.",
    "Pozisyonumuzda değişiklik yok.",
    "Geri adım atmayacağız.",
    "Bu konuda geri dönüş yok.",
    "Tutumumuz aynıdır.",
]
DO_NOT = [
    "There has been a change in our position.",
    "We may step back from the deal.",
    "Is there no change in your position?",
    "It is not true that there is no change in our position.",
    "They asked whether there is no change in our position.",
    "The position changed in 2019.",
    "Turkey is seeking to return the S-400s.",
    "Our position is under review.",
    "No change in the weather today.",
    "Tutumumuzda değişiklik oldu.",
    "Geri adım attık.",
    "Pozisyonumuz değişti.",
    "We are considering all options.",
    "",
    "The systems are in storage.",
]


@pytest.mark.parametrize("sentence", DECLARE)
def test_declarations_of_continuity_match(sentence: str) -> None:
    """Explicit continuity wording, English or Turkish, in any case, is recognised."""
    assert declares_continuity(sentence), sentence


@pytest.mark.parametrize("sentence", DO_NOT)
def test_changes_questions_and_negations_do_not_match(sentence: str) -> None:
    """Changes, hedges, questions and negated phrases are not declarations of continuity."""
    assert not declares_continuity(sentence), continuity_phrase(sentence)


def test_the_matched_phrase_is_returned_for_display() -> None:
    """The detector says which words it recognised, so the suggestion can quote them."""
    assert continuity_phrase("Ankara says: there is no change in our position.") == "no change in our position"
    assert declares_continuity(None) is False
