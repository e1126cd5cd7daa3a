"""Dates a page shows its readers: the dateline under its headline, "Erschienen am 1.11.2023".


The hand-checked day of a saved page is the one printed beside the story, so a visible dateline is strong evidence,
and often the only one on a small site. Only full dates are read (day, month and year); the forms are the ones news
pages print across European languages: ISO (`2021-05-03`), year first (`2021/05/03`, `2021.05.03`), dotted day first
(`03.05.2021`: day-first wherever dots are used), and day or month names in English, German, French, Spanish,
Italian and Dutch. Slashed numbers (`03/05/2021`) are left out unless only one reading is a date: their order is
the writer's secret. A date after an update label ("Updated", "Aktualisiert", "Stand", "Letzte Änderung") is
no publication date; on a page that shows no other date it is the one a reader sees ("Stand: 28.04.2020" is
a German news page's dateline), and `qa.ingest.page_dates` counts it only beside another source.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

_MONTHS = {
    # English, German, French, Spanish, Italian, Dutch; abbreviations are matched by their first three letters
    1: "january januar janvier enero gennaio januari jänner",
    2: "february februar février fevrier febrero febbraio februari",
    3: "march märz maerz mars marzo maart",
    4: "april avril abril aprile",
    5: "may mai mayo maggio mei",
    6: "june juni juin junio giugno",
    7: "july juli juillet julio luglio",
    8: "august août aout agosto augustus",
    9: "september septembre septiembre settembre",
    10: "october oktober octobre octubre ottobre",
    11: "november novembre noviembre",
    12: "december dezember décembre decembre diciembre dicembre",
}
_MONTH_OF = {name: month for month, names in _MONTHS.items() for name in names.split()}
_MONTH_OF.update({name[:3]: month for name, month in list(_MONTH_OF.items()) if name[:3] not in {"mar", "mai", "jun"}})
_MONTH_OF.update({"mar": 3, "jun": 6, "sept": 9, "okt": 10, "dez": 12, "mrz": 3})
_MONTH_WORD = r"(?P<mname>[^\W\d_]{3,10})\.?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_PATTERNS = [
    re.compile(r"(?<![\d.])(?P<year>(?:19|20)\d\d)(?P<sep>[-/.])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})(?![\d])"),
    re.compile(rf"(?<![\d.])(?P<day>\d{{1,2}})\.\s?(?P<month>\d{{1,2}})\.\s?{_YEAR}(?!\d)"),
    re.compile(rf"(?<![\d/])(?P<first>\d{{1,2}})/(?P<second>\d{{1,2}})/{_YEAR}(?!\d)"),
    re.compile(
        rf"(?<!\d)(?P<day>\d{{1,2}})(?:\.|er|st|nd|rd|th)?\s+(?:de\s+)?{_MONTH_WORD},?\s+(?:de\s+)?{_YEAR}(?!\d)"
    ),
    re.compile(rf"(?<![\w]){_MONTH_WORD}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+{_YEAR}(?!\d)"),
]
_WEEKDAY = (
    r"(?:(?:mon|tue|wed|thu|fri|sat|sun)\w*|(?:mon|diens|donners|frei|sams|sonn)tag|mittwoch|lundi|mardi|mercredi|"
    r"jeudi|vendredi|samedi|dimanche|lunes|martes|miércoles|jueves|viernes|sábado|domingo|lunedì|martedì|"
    r"mercoledì|giovedì|venerdì|sabato|domenica|\w{2,3}\.)?\W{0,3}"
)
"""A weekday between a label and its date: "Veröffentlicht am Samstag, 3. Dezember 2011"."""
_UPDATE_LABEL = re.compile(
    r"\b(updated|update|last update|last updated|last modified|modified|modified date|date modified|aktualisiert|"
    r"stand|letzte änderung|geändert|mis à jour|actualizado|aggiornato|bijgewerkt)"
    r"\W{0,3}(?:am|on|le|el|il|op)?\W{0,3}" + _WEEKDAY + "$",
    re.I,
)
_PUBLISHED_LABEL = re.compile(
    r"\b(published|posted|veröffentlicht|publiziert|erschienen|erstellt|(?:veröffentlichungs|publikations)?datum|"
    r"date|written|publié|"
    r"publicado|pubblicato|gepubliceerd|geplaatst)\b\W{0,3}(?:am|on|le|el|il|op)?\W{0,3}" + _WEEKDAY + "$",
    re.I,
)
"""A label is a whole word: "Erscheinungsdatum" in a review is the book's, "Update" is no "date"."""
_RANGE_END = re.compile(r"(?:\d\.?\s*[-–]|\b(?:bis|to|until|through|au|al|hasta|tot))\s*$", re.I)
"""`5. bis 11. Februar 2022`, `14. - 20. Januar 2022`: the end of a range is an event's or a report's, no dateline."""
LABEL_REACH = 30
"""Characters before a date searched for a label ("Veröffentlicht am ", "Updated: ")."""


@dataclass(frozen=True)
class ShownDate:
    """A full date printed on the page, where it is, and what its label says it is."""

    day: dt.date
    start: int
    labelled: bool
    """A publication label ("Published", "Erschienen am", "Datum:") stands right before it."""
    updated: bool = False
    """An update label ("Updated", "Stand:", "Letzte Änderung") stands right before it."""


def shown_dates(text: str, *, updates: bool = False) -> Iterator[ShownDate]:
    """Every full publication-or-unlabelled date in `text`, in order; dates after an update label only with
    `updates`, and never the end of a range ("5. bis 11. Februar 2022")."""
    found: dict[int, ShownDate] = {}
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            day = _day(match)
            if day is None or match.start() in found:
                continue
            before = text[max(0, match.start() - LABEL_REACH) : match.start()]
            updated = bool(_UPDATE_LABEL.search(before))
            if (updated and not updates) or _RANGE_END.search(before):
                continue
            labelled = not updated and bool(_PUBLISHED_LABEL.search(before))  # "Modified date:" is an update
            found[match.start()] = ShownDate(day, match.start(), labelled, updated)
    yield from (found[start] for start in sorted(found))


def _day(match: re.Match[str]) -> dt.date | None:
    parts = match.groupdict()
    year = int(parts["year"])
    if parts.get("mname"):
        month = _MONTH_OF.get(parts["mname"].casefold())
        if month is None:
            return None
        day = int(parts["day"])
    elif parts.get("first"):
        first, second = int(parts["first"]), int(parts["second"])
        if first <= 12 and second <= 12 and first != second:
            return None  # 03/05/2021: either order is a date
        day, month = (first, second) if first > 12 or first == second else (second, first)
    else:
        day, month = int(parts["day"]), int(parts["month"])
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None
