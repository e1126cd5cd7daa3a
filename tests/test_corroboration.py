""" "Also reported by" joins reports of one event only: dates close, entities shared, figures agreeing."""

from __future__ import annotations

import datetime as dt

from qa.corroboration import CORROBORATION_MIN_SIMILARITY, NEAR_DUPLICATE, EventReport, key_entities, same_event

LOOK_ALIKE = (CORROBORATION_MIN_SIMILARITY + NEAR_DUPLICATE) / 2
"""Similar enough for the old step to join, not so similar as to be the same wording."""


def event(sentence: str, day: dt.date | None, passage: str | None = None) -> EventReport:
    return EventReport(sentence=sentence, passage=passage or sentence, published=day)


RECALL_2023 = event(
    "Fisher-Price recalled 4.7 million Snuga swings after five infant deaths, the CPSC said on Tuesday.",
    dt.date(2023, 10, 17),
)


def test_two_outlets_reporting_one_recall_on_the_same_days_corroborate():
    other = event(
        "The CPSC said Fisher-Price is recalling 4.7 million Snuga swings linked to five deaths.", dt.date(2023, 10, 18)
    )
    assert same_event(RECALL_2023, other, LOOK_ALIKE)


def test_a_different_years_recall_story_does_not_corroborate():
    old = event(
        "Fisher-Price recalled 4.7 million Snuga swings after five infant deaths, the CPSC said.", dt.date(2022, 10, 12)
    )
    assert not same_event(RECALL_2023, old, 0.99)  # even in the same words


def test_a_report_without_a_date_never_corroborates():
    assert not same_event(RECALL_2023, event(RECALL_2023.sentence, None), 1.0)


def test_reports_sharing_no_key_entity_are_other_events():
    other = event("A toy maker recalled 4.7 million swings after five infant deaths.", dt.date(2023, 10, 17))
    assert not same_event(RECALL_2023, other, LOOK_ALIKE)


def test_clashing_figures_or_years_are_other_events():
    figures = event("Fisher-Price recalled 2.1 million Rock 'n Play sleepers, the CPSC said.", dt.date(2023, 10, 17))
    assert not same_event(RECALL_2023, figures, LOOK_ALIKE)
    years = (
        event("The CPSC said Fisher-Price recalls rose in 2023.", dt.date(2023, 10, 17)),
        event("The CPSC said Fisher-Price recalls fell in 2021.", dt.date(2023, 10, 17)),
    )
    assert not same_event(*years, NEAR_DUPLICATE)


def test_one_speaker_saying_other_things_on_the_same_day_does_not_corroborate():
    day = dt.date(1987, 10, 20)
    first = event("Agriculture Secretary Richard Lyng said the United States will keep subsidizing exports.", day)
    second = event("Agriculture Secretary Richard Lyng said he is pleased the EC will offer a farm plan.", day)
    assert not same_event(first, second, LOOK_ALIKE)


def test_reports_naming_the_same_actors_a_day_apart_corroborate():
    first = event(
        "Boliden AB said the takeover of Allis-Chalmers Corp's mining machinery division made it the world leader.",
        dt.date(1987, 4, 1),
        "Swedish group Boliden AB said the takeover of the U.S. Allis-Chalmers Corp's mining machinery division in "
        "Milwaukee made it the world's leading maker of such equipment.",
    )
    second = event(
        "Boliden AB said it would buy the mining equipment operations of Allis-Chalmers Corp.",
        dt.date(1987, 4, 2),
        "Swedish mining group Boliden AB said it would buy the mining equipment operations of the U.S. "
        "Allis-Chalmers Corp in Milwaukee.",
    )
    assert same_event(first, second, LOOK_ALIKE)


def test_key_entities_are_names_and_acronyms_not_capitalised_first_words():
    entities = key_entities("The agency said. Fisher-Price recalled swings, the CPSC said, citing Health Canada.")
    assert {"cpsc", "health canada"} <= entities
    assert "the" not in entities and "the agency" not in entities
