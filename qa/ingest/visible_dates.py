"""Dates a page shows its readers: the dateline under its headline, "Erschienen am 1.11.2023".


The hand-checked day of a saved page is the one printed beside the story, so a visible dateline is strong evidence,
and often the only one on a small site. Only full dates are read (day, month and year); the forms are the ones news
pages print across European languages: ISO (`2021-05-03`), year first (`2021/05/03`, `2021.05.03`), dotted day first
(`03.05.2021`: day-first wherever dots are used), and day or month names in English, German, French, Spanish,
Italian and Dutch (months also in Portuguese, Scandinavian, Polish, Czech, Russian and Turkish), and the CJK
`2019年6月24日` / `2023년 11월 7일`. Slashed numbers (`03/05/2021`) are left out unless only one reading is a
date: their order is the writer's secret. A date after an update label ("Updated", "Aktualisiert", "Stand",
"Letzte Änderung") is no publication date; on a page that shows no other date it is the one a reader sees
("Stand: 28.04.2020" is a German news page's dateline), and `qa.ingest.page_dates` counts it only beside another
source.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

_MONTHS = {
    # English, German, French, Spanish, Italian, Dutch, Portuguese: pages in these write abbreviations ("Feb.",
    # "févr.", "ott"), matched by their first three letters
    1: "january januar janvier enero gennaio januari jänner janeiro",
    2: "february februar février fevrier febrero febbraio februari fevereiro",
    3: "march märz maerz mars marzo maart março",
    4: "april avril abril aprile",
    5: "may mai mayo maggio mei maio",
    6: "june juni juin junio giugno junho",
    7: "july juli juillet julio luglio julho",
    8: "august août aout agosto augustus",
    9: "september septembre septiembre settembre setembro",
    10: "october oktober octobre octubre ottobre outubro",
    11: "november novembre noviembre novembro",
    12: "december dezember décembre decembre diciembre dicembre dezembro",
}
_MONTHS_IN_FULL = {
    # Swedish, Danish and Norwegian, Polish (genitive), Czech (genitive), Russian (genitive), Turkish: read only in
    # full, since their first three letters are everyday words ("pro", "led", "sie", "lis", "tem", "ara")
    1: "januari stycznia ledna января ocak",
    2: "februari lutego února февраля şubat",
    3: "marts marca března марта mart",
    4: "kwietnia dubna апреля nisan",
    5: "maj maja května мая mayıs",
    6: "czerwca června июня haziran",
    7: "lipca července июля temmuz",
    8: "augusti sierpnia srpna августа ağustos",
    9: "września září сентября eylül",
    10: "października října октября ekim",
    11: "listopada listopadu ноября kasım",
    12: "desember grudnia prosince декабря aralık",
}
_MONTH_OF = {name: month for month, names in _MONTHS.items() for name in names.split()}
_PREFIX_MONTHS: dict[str, set[int]] = {}
for _name, _month in _MONTH_OF.items():
    _PREFIX_MONTHS.setdefault(_name[:3], set()).add(_month)
_EVERYDAY_PREFIXES = {"ago", "mag", "out", "set"}
"""Three-letter prefixes that are everyday English or Italian words ("two years ago", "sold out"): never a month."""
_MONTH_OF.update(
    {
        prefix: months.pop()
        for prefix, months in _PREFIX_MONTHS.items()
        if len(months) == 1 and prefix not in _EVERYDAY_PREFIXES
    }
)
_MONTH_OF.update({"mar": 3, "jun": 6, "jul": 7, "sept": 9, "okt": 10, "dez": 12, "mrz": 3})
"""A prefix two months share ("mar" for März and Marzo but also "mai" for Mai and Maio is one month) is not an
abbreviation unless listed here."""
_MONTH_OF.update({name: month for month, names in _MONTHS_IN_FULL.items() for name in names.split()})
_MONTH_WORD = r"(?P<mname>[^\W\d_]{3,12})\.?"
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
_CJK_DATE = re.compile(rf"(?<!\d){_YEAR}\s*[年년]\s*(?P<month>\d{{1,2}})\s*[月월]\s*(?P<day>\d{{1,2}})\s*[日일]")
"""`2019年6月24日`, `2023년 11월 7일`: read only after a label ("发布时间：", "입력"). Unlabelled, it is as often a
date the story is about (a birth date under an encyclopedia's headline on baike.baidu.com, the dev set's one page
with such dates under its headline)."""
_WEEKDAY = (
    r"(?:(?:mon|tue|wed|thu|fri|sat|sun)\w*|(?:mon|diens|donners|frei|sams|sonn)tag|mittwoch|lundi|mardi|mercredi|"
    r"jeudi|vendredi|samedi|dimanche|lunes|martes|miércoles|jueves|viernes|sábado|domingo|lunedì|martedì|"
    r"mercoledì|giovedì|venerdì|sabato|domenica|\w{2,3}\.)?\W{0,3}"
)
"""A weekday between a label and its date: "Veröffentlicht am Samstag, 3. Dezember 2011"."""
_UPDATE_LABEL = re.compile(
    r"\b(updated|update|last update|last updated|last modified|modified|modified date|date modified|aktualisiert|"
    r"stand|letzte änderung|geändert|mis à jour|actualizado|aggiornato|bijgewerkt|atualizado|uppdaterad|"
    r"uppdaterat|opdateret|oppdatert|zaktualizowano|aktualizováno|обновлено|güncellenme|güncelleme|更新|更新日|"
    r"更新时间|수정)"
    r"\W{0,3}(?:am|on|le|el|il|op|em|den)?\W{0,3}" + _WEEKDAY + "$",
    re.I,
)
_PUBLISHED_LABEL = re.compile(
    r"\b(published|posted|veröffentlicht|publiziert|erschienen|erstellt|(?:veröffentlichungs|publikations)?datum|"
    r"date|written|publié|"
    r"publicado|pubblicato|gepubliceerd|geplaatst|publicerad|publicerat|publiceret|udgivet|publisert|opublikowano|"
    r"publikováno|zveřejněno|опубликовано|yayınlanma|yayınlandı|发布时间|发布日期|発行日|公開日|掲載日|입력)"
    r"\b\W{0,3}(?:am|on|le|el|il|op|em|den)?\W{0,3}" + _WEEKDAY + "$",
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
    for pattern in (*_PATTERNS, _CJK_DATE):
        for match in pattern.finditer(text):
            day = _day(match)
            if day is None or match.start() in found:
                continue
            before = text[max(0, match.start() - LABEL_REACH) : match.start()]
            updated = bool(_UPDATE_LABEL.search(before))
            if (updated and not updates) or _RANGE_END.search(before):
                continue
            labelled = not updated and bool(_PUBLISHED_LABEL.search(before))  # "Modified date:" is an update
            if pattern is _CJK_DATE and not (labelled or updated):
                continue
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
