"""The two seed articles: their file names (defined here only), a private copy, and how each is cited.

The corpus/ folder holds Forbes (11 Feb 2024, as republished by The America One News on 31 May 2025)
and The Kyiv Independent (11 Feb 2024), each a raw page dump with a .meta.json sidecar.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from qa.models import Answer, Hit

REPO = Path(__file__).resolve().parents[2]
SEED_CORPUS = REPO / "corpus"
FORBES = "000_89455b2704f0d18a.txt"
"""Forbes, 11 Feb 2024, as republished by The America One News on 31 May 2025."""
KYIV = "001_41b4ecfdd1211d06.txt"
"""The Kyiv Independent, 11 Feb 2024."""
FORBES_SIDECAR = "000_89455b2704f0d18a.meta.json"
KYIV_SIDECAR = "001_41b4ecfdd1211d06.meta.json"
SEED_FILES = (FORBES, FORBES_SIDECAR, KYIV, KYIV_SIDECAR)


def copy_seed_corpus(target: Path) -> Path:
    """The two seed articles and their sidecars, copied into `target` (created)."""
    target.mkdir(parents=True, exist_ok=True)
    for name in SEED_FILES:
        shutil.copyfile(SEED_CORPUS / name, target / name)  # writable, unlike the originals
    return target


# -- how each seed is cited -------------------------------------------------------------------

FEB_11_2024 = dt.date(2024, 2, 11)
FORBES_CITATION = {
    "outlet": "Forbes",
    "published": FEB_11_2024,
    "via": ("The America One News", dt.date(2025, 5, 31)),
}
KYIV_CITATION = {"outlet": "The Kyiv Independent", "published": FEB_11_2024, "via": None}


def hit_with(answer: Answer, phrase: str, *, within: int = 3) -> Hit:
    """The hit among the first `within` whose passage has `phrase`; fails showing the ranking."""
    for hit in answer.passages[:within]:
        if phrase in hit.text:
            return hit
    ranking = [(hit.rank, hit.outlet, hit.text[:70]) for hit in answer.passages]
    pytest.fail(f"{phrase!r} is not in the first {within} passages for {answer.question!r}: {ranking}")


def assert_cited_as(hit: Hit, source: dict) -> None:
    """`hit` names the outlet and date of `source` (FORBES_CITATION or KYIV_CITATION), and the republisher if any."""
    assert hit.outlet == source["outlet"]
    assert hit.published == source["published"]
    if source["via"] is None:
        assert hit.republished_by is None
    else:
        assert hit.republished_by is not None
        assert (hit.republished_by.outlet, hit.republished_by.published) == source["via"]


SEED_QUESTIONS = [
    pytest.param(
        "Which brigade was using Starlink?",
        "Russia’s 83rd Assault Brigade based in Donetsk Oblast",
        KYIV_CITATION,
        id="brigade-kyiv",
    ),
    pytest.param(
        "Which brigade was using Starlink?",
        "Russia’s 83rd Assault Brigade was using the service",
        FORBES_CITATION,
        id="brigade-forbes",
    ),
    pytest.param(
        "What did Musk order in Crimea in 2022?",
        "Musk secretly ordered SpaceX engineers to turn off the system in Crimea",
        FORBES_CITATION,
        id="crimea",
    ),
    pytest.param(
        "Who confirmed a Pentagon contract for Starlink?",
        "the Pentagon confirmed that SpaceX had won a contract",
        KYIV_CITATION,
        id="pentagon",
    ),
    pytest.param(
        "What did SpaceX call the Starlink sales advertised by Russian companies?",
        "SpaceX said these sales are scams",
        KYIV_CITATION,
        id="scams",
    ),
    pytest.param(
        "What did Gwynne Shotwell say at the FAA conference?",
        "Aviation Administration conference the service was “never meant to be weaponized.”",
        FORBES_CITATION,
        id="shotwell",
    ),
    pytest.param(
        "How long was the audio clip released by the agency?",
        "a brief 12-second audio clip",
        FORBES_CITATION,
        id="audio-clip",
    ),
    pytest.param(
        "When did SpaceX start providing Starlink to Ukraine?",
        "shortly after the Russian full-scale invasion in February 2022",
        KYIV_CITATION,
        id="since-2022",
    ),
    pytest.param(
        "Would Starlink satellites connect in Russia?",
        "Starlink satellites will not close the link in Russia",
        KYIV_CITATION,
        id="close-the-link",
    ),
    pytest.param(
        "What did Andriy Yusov say about Russian soldiers using Starlink?",
        "said they had “recorded cases” of Russian soldiers using the system",
        FORBES_CITATION,
        id="yusov",
    ),
    pytest.param(
        "Why did Musk turn off Starlink near Sevastopol?",
        "after receiving an emergency request from the Ukrainian government",
        FORBES_CITATION,
        id="sevastopol",
    ),
]
"""(question, a phrase of the answering passage, how it is cited): each must rank in the top three."""


# -- the raw page dumps -----------------------------------------------------------------------

PAGE_NOISE = [
    "QWIKET",  # sponsor lines
    "Sponsor",
    "Elevate your fantasy game",
    "8.7 C",  # weather widget
    "New York",
    "Related articles",  # link-list headings
    "Recent articles",
    "Read also",  # inline link to another story
    "Russian military uses Starlink inside Ukraine, intelligence confirms",
    "Getty Images",  # photo credit
    "[+]",  # truncated Forbes caption
    "installing Starlink for internet access in occupied Ukrainian territory",
    "THE AMERICA ONE NEWS",  # republisher's header
    "Remer,MN",
]
"""Page chrome of the raw dumps: none of it may reach an article's text or a passage."""
NOT_BODY = ("Sponsor:", "[+]", "Read also:", "Consider supporting")
"""Long raw lines that are still chrome: sponsor lines, the caption, a link, the donation appeal."""
BODY_PARAGRAPH_COUNT = {FORBES: 8, KYIV: 15}
SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+|(?<=[.!?][”\"])\s+")


def raw_body_paragraphs(name: str) -> list[str]:
    """The body paragraphs of a seed dump as a person reads them: every long non-chrome line."""
    raw = (SEED_CORPUS / name).read_text(encoding="utf-8")
    lines = [" ".join(line.split()) for line in raw.splitlines()]
    return [line for line in lines if len(line.split()) >= 12 and not any(m in line for m in NOT_BODY)]
