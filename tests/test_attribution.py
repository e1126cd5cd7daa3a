"""Naming the speaker of an answer sentence, only when the passage says who it is."""

from __future__ import annotations

import pytest

from qa.attribution import speaker_of


def span_of(text: str, sentence: str) -> tuple[int, int]:
    start = text.index(sentence)
    return start, start + len(sentence)


@pytest.mark.parametrize(
    ("text", "sentence", "speaker"),
    [
        (
            "“A number of false news reports claim that SpaceX is selling Starlink terminals to Russia. "
            "This is categorically false,” Musk said on his social media platform X.",
            "This is categorically false,” Musk said on his social media platform X.",
            "Musk",
        ),
        (
            "In a Feb. 8 post on X, formerly Twitter, SpaceX officials said the company “does not do "
            "business of any kind with the Russian government or its military.”",
            "In a Feb. 8 post on X, formerly Twitter, SpaceX officials said the company “does not do "
            "business of any kind with the Russian government or its military.”",
            "SpaceX",
        ),
        (
            "After Forbes reached out to SpaceX for comment, it responded by sharing a link back to a "
            "previous denial.",
            "After Forbes reached out to SpaceX for comment, it responded by sharing a link back to a "
            "previous denial.",
            "SpaceX",
        ),
        ("Rates will rise, according to the Bank of England.", "Rates will rise, according to the Bank of England.",
         "Bank of England"),
        ("Prices rose sharply in March.", "Prices rose sharply in March.", None),
    ],
)
def test_speaker(text, sentence, speaker):
    assert speaker_of(text, span_of(text, sentence)) == speaker
