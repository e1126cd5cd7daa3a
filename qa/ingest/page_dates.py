"""The publication day of a saved page, decided by the agreement of everything on the page that names one.

No single source is right often enough to trust alone: JSON-LD and meta tags are filled in by a CMS (sometimes with
the update time, or in UTC when the story's own day is local), `<time>` elements mark comments too, htmldate guesses,
a URL holds the day the slug was made, and the dateline printed under the headline is what a reader (and a hand
check) sees. Each source votes for a day with a weight; a timestamp in UTC votes for the day beside its own when a
source in local time names that day and none names its own (02:11 UTC on the 9th is the evening of the 8th in
Boston). A URL that files the page under a month without a day (`/2017/09/slug`) is one vote for that month, shared
by the days the other sources name in it. The day with the most weight wins if it clearly wins; when two days are
close the page is left undated (a wrong day is worse than none). The time and zone are kept from the strongest
source that gave one for the winning day.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field

from qa.ingest.dates import DateOrder, NewsDate, read_news_date
from qa.ingest.visible_dates import shown_dates

WEIGHTS = {
    "JSON-LD datePublished": 3.0,
    "meta tag": 3.0,
    "generic date meta tag": 2.0,
    "JSON-LD dateCreated": 1.5,
    "<time> marked as published": 2.0,
    "<time>": 1.0,
    "URL": 2.0,
    "labelled dateline": 3.0,
    "dateline under the headline": 3.0,
    "update date shown alone": 2.5,
    "htmldate": 1.5,
}
"""How far each kind of source is trusted; each kind votes once (its first value), so one CMS field repeated in
five tags is one vote. A bare `date` meta tag is less sure to be the publication date than `article:published_time`.
htmldate weighs less: it mostly reads the same tags again."""
HTMLDATE_ECHO_SHARE = 0.0
"""htmldate's weight when it names the one day the metadata (JSON-LD, meta tags) names: it read the same tag first,
so it adds nothing. At half weight it outvoted or tied the dateline a reader sees: on the htmldate-pages dev set,
counting it for nothing dates 4 undated pages right and leaves 3 wrong ones undated, for 3 right ones left undated.
Where the metadata names two days, htmldate's pick between them is its own and counts at half weight."""
HTMLDATE_PICK_SHARE = 0.5
_GENERIC_DATE_META = {"date", "dc.date", "dcterms.date", "dc:date"}
_STRUCTURED = {"JSON-LD datePublished", "meta tag", "generic date meta tag"}
_LOCAL_DAY = {"labelled dateline", "dateline under the headline", "URL"}
"""Sources that give the story's local day: what a reader sees under the headline or labelled, and the slug's day."""
LATEST_HOUR_OF_DAY_BEFORE = 12
"""A UTC time can be the previous local day only before this hour (UTC-12 is the farthest west)."""
EARLIEST_HOUR_OF_DAY_AFTER = 10
"""A UTC time can be the next local day only from this hour (UTC+14 is the farthest east)."""
CLEAR_WIN = 1.2
"""The winning day's weight must be this many times the runner-up's, or the page stays undated."""

PUBLISHED_META = (
    "article:published_time", "og:article:published_time", "og:published_time", "article:published",
    "datepublished", "parsely-pub-date", "sailthru.date", "pubdate", "publishdate", "pub_date", "publication_date",
    "published_time", "published-time", "vr:published-time", "dc.date.issued", "dcterms.issued", "dc.date.created",
    "dcterms.created", "dc.created", "dcterms:created", "cxenseparse:publishtime", "prism.publicationdate",
    "citation_publication_date", "date", "dc.date", "dcterms.date", "dc:date",
)  # fmt: skip
"""Meta names that carry the publication date, most specific first; never `modified`, `updated` or `expiration`."""
UPDATED_META = (
    "article:modified_time", "og:article:modified_time", "og:updated_time", "article:modified", "datemodified",
    "last-modified", "lastmod", "dcterms.modified", "dc.date.modified", "parsely-updated", "sailthru.lastmodified",
)  # fmt: skip
"""Meta names that carry when the page was last changed: recorded as the update time, never a publication vote."""
_URL_DATE = re.compile(
    r"/((?:19|20)\d\d)/([01]?\d)/([0-3]?\d)(?:/|\.html?|$)|/((?:19|20)\d\d)-([01]\d)-([0-3]\d)(?:/|-|_|\.|$)"
    r"|/((?:19|20)\d\d)([01]\d)([0-3]\d)/"
)
"""`/2019/12/09/`, `/2019-12-09-slug`, `/20191209/`. After `/2023/10/` a number is the slug's, not a day: in
`/2023/10/3-fragen-an-...` the 3 counts questions."""
_URL_MONTH = re.compile(r"/((?:19|20)\d\d)/(0?[1-9]|1[0-2])/")
"""`/2017/09/slug`: the month a blog (Blogger, WordPress) filed the post under; no day."""
MONTH_SLACK = dt.timedelta(days=1)
"""How far outside the URL's month a day may fall and still be in it: a time on the 1st in UTC can be the last
evening of the month before where the story happened, and the last evening of a month the 1st in UTC."""
_DOTTED_DATE = re.compile(r"(?<![\d.])\d{1,2}\.\d{1,2}\.(?:19|20)\d\d(?!\d)")
"""`18.10.2019`: where dots separate a numeric date, the day comes first (German, Russian, Polish, Turkish, ...)."""
_PUBLISHED_TIME = re.compile(r"publish|entry-date|posted|created", re.I)
HEADLINE_REACH = 400
"""Characters of visible text after the headline searched for its dateline."""


@dataclass
class PageDate:
    """The decided day, its time when a source gave one, and which sources agreed."""

    day: dt.date
    moment: dt.datetime | None
    sources: list[str]
    weight: float


@dataclass
class DateVotes:
    """Every source's reading of the page's publication day."""

    date_order: DateOrder | None = None
    readings: list[tuple[str, NewsDate, str]] = field(default_factory=list)
    """(kind, date, where) in the order found."""
    ambiguous: list[tuple[str, object, str]] = field(default_factory=list)
    """(where, value, reason) for a numeric date in an order the page does not say."""
    updates: list[tuple[NewsDate, str]] = field(default_factory=list)
    """(date, where) for each statement of when the page was last changed, strongest source first."""
    url_month: tuple[dt.date, dt.date] | None = None
    """The first and last day of the month the page's URL files it under (`/2017/09/slug`), when it gives no day."""

    def add(self, kind: str, value: object, where: str) -> None:
        if kind in {k for k, _, _ in self.readings} or value in (None, ""):
            return
        dotted = isinstance(value, str) and _DOTTED_DATE.search(value)
        found = read_news_date(value, order=self.date_order or (DateOrder.DMY if dotted else None))
        if isinstance(found, NewsDate):
            self.readings.append((kind, found, where))
        elif found.hint is not None:
            self.ambiguous.append((where, value, found.reason))

    def add_update(self, value: object, where: str) -> None:
        """A last-changed time (`dateModified`, `article:modified_time`, "Updated: ..."): kept apart, never a vote."""
        if value in (None, ""):
            return
        found = read_news_date(value, order=self.date_order)
        if isinstance(found, NewsDate):
            self.updates.append((found, where))

    def last_update(self, published: dt.date | None) -> tuple[dt.date | dt.datetime, str] | None:
        """When the page says it was last changed (its time when given), from the strongest source that says so;
        None when that is before the publication day (a template's stamp, not this story's)."""
        if not self.updates:
            return None
        date, where = self.updates[0]
        if published is not None and date.day < published:
            return None
        return date.moment or date.day, where

    def decide(self) -> PageDate | None:
        """The clearly winning day, or None when no source names one or two days are close."""
        readings = [r for r in self.readings if not (r[0] == "htmldate" and self.ambiguous)]
        # htmldate is left out when the page has a numeric date in an unknown order: it would guess the order
        if [kind for kind, _, _ in readings] == ["htmldate"] and _bare_year(readings[0][1]):
            return None
        local_days = {date.day for kind, date, _ in readings if kind in _LOCAL_DAY and not _in_utc(date.moment)}
        # only a source a reader sees or the slug's day says the local day: a bare <time> may be a related story's
        structured_days = {date.day for kind, date, _ in readings if kind in _STRUCTURED}
        scores: dict[dt.date, float] = defaultdict(float)
        voters: dict[dt.date, list[str]] = defaultdict(list)
        structured_moments: set[dt.datetime] = set()
        for kind, date, where in readings:
            repeated = kind in _STRUCTURED and date.moment is not None and date.moment in structured_moments
            # the CMS's one timestamp, written into JSON-LD and a meta tag alike, is one vote
            if kind in _STRUCTURED and date.moment is not None:
                structured_moments.add(date.moment)
            day = date.day
            if date.moment is not None and _in_utc(date.moment) and day not in local_days:
                beside = [
                    day + dt.timedelta(days=step)
                    for step in _possible_local_shifts(date.moment)
                    if day + dt.timedelta(days=step) in local_days
                ]
                day = beside[0] if len(beside) == 1 else day
            share = 1.0
            if kind == "htmldate" and date.day in structured_days:
                share = HTMLDATE_ECHO_SHARE if len(structured_days) == 1 else HTMLDATE_PICK_SHARE
            scores[day] += 0.0 if repeated else WEIGHTS[kind] * share
            if share > 0:
                voters[day].append(where)
        if not scores:
            return None
        if self.url_month is not None:
            first, last = self.url_month
            in_month = [day for day in scores if first - MONTH_SLACK <= day <= last + MONTH_SLACK]
            for day in in_month:  # one URL vote for the month, shared by the days named in it
                scores[day] += WEIGHTS["URL"] / len(in_month)
                voters[day].append("the month in the URL")
        day, weight = max(scores.items(), key=lambda item: item[1])
        runner_up = max((s for d, s in scores.items() if d != day), default=0.0)
        if weight < CLEAR_WIN * runner_up or voters[day] == ["the only date shown, after an update label"]:
            return None  # an update day alone is no publication day
        moment = next((date.moment for _, date, _ in readings if date.day == day and date.moment is not None), None)
        return PageDate(day, moment, voters[day], weight)


def _bare_year(date: NewsDate) -> bool:
    """htmldate fills a bare year ("© 2004", "Jahresbericht 2022") to January 1st; alone, that is no day."""
    return date.day.month == 1 and date.day.day == 1


def _possible_local_shifts(moment: dt.datetime) -> tuple[int, ...]:
    """The days a UTC time can be somewhere local: the day before only before noon UTC (UTC-12 is the farthest
    west), the day after only from 10:00 UTC (UTC+14 the farthest east)."""
    return tuple(
        step
        for step, possible in (
            (-1, moment.hour < LATEST_HOUR_OF_DAY_BEFORE),
            (1, moment.hour >= EARLIEST_HOUR_OF_DAY_AFTER),
        )
        if possible
    )


def _in_utc(moment: dt.datetime | None) -> bool:
    return moment is not None and moment.utcoffset() == dt.timedelta(0)


def json_ld_dates(item: dict, votes: DateVotes, where: str) -> None:
    votes.add("JSON-LD datePublished", item.get("datePublished"), f"{where} datePublished")
    votes.add("JSON-LD dateCreated", item.get("dateCreated"), f"{where} dateCreated")
    votes.add_update(item.get("dateModified"), f"{where} dateModified")


def meta_dates(metas: dict[str, str], votes: DateVotes) -> None:
    key = next((k for k in PUBLISHED_META if (metas.get(k) or "").strip()), None)
    if key is not None:
        votes.add("generic date meta tag" if key in _GENERIC_DATE_META else "meta tag", metas[key], f"<meta {key}>")
    key = next((k for k in UPDATED_META if (metas.get(k) or "").strip()), None)
    if key is not None:
        votes.add_update(metas[key], f"<meta {key}>")


def time_element_dates(tree, votes: DateVotes) -> None:
    for element in tree.xpath("//time[@datetime]"):
        parent = element.getparent()
        marks = " ".join(filter(None, (element.get("itemprop"), element.get("class"), parent.get("class") or "")))
        marked = "pubdate" in element.attrib or bool(_PUBLISHED_TIME.search(marks))
        kind = "<time> marked as published" if marked else "<time>"
        votes.add(kind, element.get("datetime"), f"<time datetime> ({kind.removeprefix('<time>').strip() or 'first'})")


def url_date(url: str | None, votes: DateVotes) -> None:
    """The day in the page's URL is a vote; a year and month alone (`/2017/09/slug`) rule out days of other months."""
    match = _URL_DATE.search(url or "")
    if match is None:
        month = _URL_MONTH.search(url or "")
        if month is not None:
            first = dt.date(int(month.group(1)), int(month.group(2)), 1)
            votes.url_month = (first, (first + dt.timedelta(days=31)).replace(day=1) - dt.timedelta(days=1))
        return
    year, month, day = (int(g) for g in next(match.groups()[i : i + 3] for i in (0, 3, 6) if match.group(i + 1)))
    try:
        votes.add("URL", dt.date(year, month, day), f"the date in {url}")
    except ValueError:
        return


def visible_dates(text: str, headlines: list[str | None], votes: DateVotes) -> None:
    """The first labelled date on the page, and the first date printed right after a headline (the `<h1>`, else the
    headline the metadata gives: on a blog the `<h1>` is often the blog's name)."""
    shown = list(shown_dates(text, updates=True))
    dates = [d for d in shown if not d.updated]
    update = next((d for d in shown if d.updated), None)
    if update is not None:
        votes.add_update(update.day, "the date shown after an update label")
    if not dates and shown:  # "Stand: 28.04.2020" and no other date on the page
        votes.add("update date shown alone", shown[0].day, "the only date shown, after an update label")
    labelled = next((d for d in dates if d.labelled), None)
    if labelled is not None:
        votes.add("labelled dateline", labelled.day, "a labelled date shown on the page")
    for headline in filter(None, (" ".join((h or "").split()) for h in headlines)):
        position = text.find(headline)
        end = position + len(headline) + HEADLINE_REACH
        if position >= 0 and any(position <= d.start < position + len(headline) for d in dates):
            return  # "Ergebnisse, 19.5.2007", "Bericht vom 22.04.2020": the story's dates follow, not its dateline
        near = next((d for d in dates if position >= 0 and position + len(headline) <= d.start <= end), None)
        if near is not None:
            if near != labelled:  # one date on the page is one vote, however it is found
                votes.add("dateline under the headline", near.day, "the date under the headline")
            return


def htmldate_day(raw: str, votes: DateVotes) -> None:
    """htmldate's fast pass (markup, URL-like paths, time elements), and its extensive search of the text only when
    the fast pass finds nothing: on the even half of the htmldate-pages dev set the fast pass was right on 93 % of
    the pages where it alone dated the page, the extensive search on 74 %, and once (where the fast pass had the day
    right) `original_date=True` made the extensive search pick an older date printed in the text."""
    from htmldate import find_date

    found = find_date(raw, extensive_search=False, original_date=True)
    if found is not None:
        votes.add("htmldate", found, "htmldate")
    else:
        votes.add("htmldate", find_date(raw, extensive_search=True, original_date=True), "htmldate (extensive search)")
