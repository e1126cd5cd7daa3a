"""Who is speaking in a news sentence: "…,” Musk said", "SpaceX officials said", "according to X".

Used only to name the speaker in an answer's summary line; when the passage does not attribute the
sentence plainly, nobody is named (the outlet and date are always shown).
"""

from __future__ import annotations

import re

_NAME = r"[A-Z][\w.'’&-]*(?:\s+(?:[A-Z][\w.'’&-]*|of|de|von))*"
_SAYS = r"(?:said|says|denied|denies|told|stated|states|claimed|claims|wrote|writes|added|insisted|confirmed|responded)"
_PATTERNS = [
    # “…,” Musk said / “…,” said Musk
    re.compile(rf"[”\"],?\s+(?P<name>{_NAME})\s+{_SAYS}\b"),
    re.compile(rf"[”\"],?\s+{_SAYS}\s+(?P<name>{_NAME})"),
    # SpaceX officials said / The company said
    re.compile(
        rf"(?P<name>{_NAME})(?:\s+(?:officials|spokesperson|spokesman|spokeswoman|representatives))?\s+{_SAYS}\b"
    ),
    re.compile(rf"\baccording to (?:the\s+)?(?P<name>{_NAME})"),
    # …reached out to SpaceX for comment, it responded…
    re.compile(rf"\bto (?P<name>{_NAME})\b[^.]*?,\s+(?:it|they|he|she)\s+(?:responded|replied|said)\b"),
]
_NOT_NAMES = {
    "a",
    "an",
    "the",
    "after",
    "before",
    "in",
    "on",
    "this",
    "that",
    "it",
    "he",
    "she",
    "they",
    "we",
    "but",
    "and",
    "when",
    "while",
    "as",
    "also",
    "however",
    "meanwhile",
    "i",
    "you",
    "there",
}


def speaker_of(text: str, span: tuple[int, int]) -> str | None:
    """The speaker of the sentence `text[span]`: looked for in that sentence, then the one before it."""
    start, end = span
    sentence = text[start:end]
    before = text[max(0, start - 300) : start]
    after = text[end : end + 120]
    for window in (sentence, sentence + after[: after.find(".") + 1 if "." in after else 0], before):
        name = _first_name(window)
        if name:
            return name
    return None


def _first_name(window: str) -> str | None:
    for pattern in _PATTERNS:
        for match in pattern.finditer(window):
            words = match.group("name").split()
            while words and words[0].casefold() in _NOT_NAMES:
                words.pop(0)
            if words:
                return " ".join(words).rstrip(".,")
    return None
