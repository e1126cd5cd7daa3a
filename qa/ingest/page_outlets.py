"""The name a saved page gives its outlet, never a handle, an address, a company's legal name or a page title.

Pages name themselves in several places, of varying care: the JSON-LD publisher (often the legal entity, "Neue
Zürcher Zeitung AG, Schweiz"), `og:site_name` (sometimes the domain, sometimes the whole title), `application-name`,
and the `<title>` suffix ("Headline | Outlet"). They are tried in that order; each is cleaned (a legal-entity suffix
cut off, a known outlet's own spelling taken) and refused when what is left is no name. A title part counts only
when it repeats elsewhere on the page (the masthead, the copyright line), so a headline is never taken for an outlet.
`twitter:site` is never read: it holds a handle. When the page names no outlet, the URL's known outlet or its
registered domain (at low confidence) is used later, in `qa.ingest.metadata`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from qa.ingest.outlets import outlet_for_url, outlet_named, registered_domain

MAX_NAME_WORDS = 8
MAX_NAME_CHARS = 60
_HANDLE = re.compile(r"^@\w")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.\w")
_DOMAIN_NAME = re.compile(r"[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}", re.I)
"""A name written as a host and nothing more (no scheme, no path)."""
_ADDRESS = re.compile(r"://|^www\.|^[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}(?:/\S*)?$", re.I)
_LEGAL_SUFFIX = re.compile(
    r"(?:,?\s+(?:GmbH\s*&\s*Co\.?\s*KG(?:aA)?|gGmbH|GmbH|mbH|AG|KGaA|KG|e\.\s?V\.|SE|Inc\.?|Incorporated|Ltd\.?|"
    r"LLC|L\.L\.C\.|LLP|plc|PLC|Co\.|S\.A\.?|SA|S\.p\.A\.|SpA|S\.r\.l\.|Srl|S\.L\.|SL|"
    r"SAS|SARL|S\.A\.S\.|B\.V\.|BV|N\.V\.|NV|Pty\.?(?:\s+Ltd\.?)?|AB|A/S|AS|ASA|Oy|Oyj|a\.s\.|s\.r\.o\.))+"
    r"\s*$"
)
"""A company's legal form at the end of its name: what a citation leaves out ("Tamedia AG" is cited as Tamedia).
Not Corporation, Corp or Limited: they end real names ("Canadian Broadcasting Corporation", "News Corp")."""
_TRAILING_PLACE = re.compile(r",\s*[^\W\d_][\w .-]{1,30}$")
"""`, Schweiz` after a legal form: the seat of the company, not part of the outlet's name."""
_CJK = "\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uff00-\uffef"
_CJK_TITLE_SEPARATOR = re.compile(rf"(?<=[{_CJK}])\s*[-_|－｜]\s*(?=[{_CJK}])")
_LABELLED = re.compile(r"\w: \w")
"""A title part shaped "Kolumne: Queer Royal", "Opinion: Letters": a section and what is in it, repeated on the page
as its heading, never the outlet's name."""
MIN_SQUASHED_REPEAT = 6
"""Letters a title part needs before its spelling with other spaces and hyphens counts as repeated on the page."""
_TITLE_SEPARATOR = re.compile(r"\s+(?:\||ǀ|-|–|—|::?|»|«|›|‹|·|•|//)\s+")
_COPYRIGHT = re.compile(
    r"(?:©|ⓒ|\(c\)|copyright)\s*(?:©\s*)?(?P<year>(?:19|20)\d\d\s*(?:[-–]\s*(?:19|20)\d\d)?\s*[,\-–]?\s*)?"
    r"(?:by\s+)?(?P<name>[^\W\d_][^.|©/\n]{1,58}?)\s*,?\s*(?:©?\s*(?:19|20)\d\d\s*(?:[-–]\s*(?:19|20)\d\d)?\s*,?\s*)?"
    r"(?:[.|]?\s*(?P<rights>all rights|alle rechte|tous droits|todos los derechos|tutti i diritti)|[.|]|\s[-–]\s|$"
    r"|(?=\s(?:GmbH|AG|Inc|Ltd|LLC|S\.A\.|SA|S\.p\.A\.|B\.V\.|e\.\s?V\.)(?!\w)))",
    re.I,
)
"""`© 2021 Hanns-Seidel-Stiftung`, `Copyright © 2010-2018 Name. All rights reserved`: read only with a year or a
rights phrase, because a bare `© Name` is usually a photo credit in a caption. In a footer flattened to one line
the name ends at its legal form ("© 2021 finanztreff GmbH Quickchart"); the footer's links are no end: they can
follow the year too ("© 2019 About Accessibility User Agreement")."""


FOOTER_REACH = 6000
"""Characters at the end of the visible text searched for the copyright line: after it can come a cookie notice, a
list of links or a second menu (3,000 missed the footers of idw-online.de and bernau-live.de on the dev set)."""
_RIGHTS_ONLY = re.compile(r"(?:all rights|alle rechte|tous droits|todos los derechos|tutti i diritti)", re.I)
"""`© 2019 Alle Rechte vorbehalten`: the line names no holder."""
_COMMENTS_FEED = re.compile(r"comment|kommentar|commentaire|comentario|comment[io]", re.I)
_FEED_WORDS = re.compile(r"^(?:news)?feed\s+|(?:\s*[-–|:»]?\s*(?:rss|atom|news|feed|2\.0|xml))+\s*$", re.I)
_LOGO_WORDS = re.compile(
    r"\blogo\s+(?:of|der|des|de|du|di)\b|\b(?:web)?logo\b|[-\s]logo\b|\bgrafik:|\((?:zur|to the|go to)[^)]*\)|"
    r"\b(?:zur startseite|to the home ?page|home ?page|startseite)\b",
    re.I,
)
"""Words around a name in a logo's alt text: "Logo", "zur Startseite", "Grafik:"."""


_COPYRIGHT_WORDS = re.compile(
    r"(?:©|ⓒ|\(c\)|copyright)\s*(?:©\s*)?(?:(?:19|20)\d\d(?:\s*[-–]\s*(?:19|20)\d\d)?\s*)?(?:by\s+)?"
    r"(?P<words>(?:[^\W\d_][\w.&'-]*\s?){1,3})",
    re.I,
)


@dataclass(frozen=True)
class OutletName:
    """A clean outlet name, and which part of the page gave it."""

    name: str
    where: str


def clean_outlet_name(value: str | None, *, allow_domain: bool = False) -> str | None:
    """`value` as an outlet name, or None when it is none (a handle, an address, a title, too long).

    A legal form is cut off (`Tamedia AG` -> `Tamedia`); a domain that the known-outlets table names
    (`tagesschau.de`) becomes that outlet's name; another domain-shaped name (`Aerobuzz.de`) is kept, as the site
    writes it, only with `allow_domain` (when the page has no other name for itself)."""
    cleaned = _cleaned(value, allow_domain=allow_domain)
    return cleaned[0] if cleaned else None


def _cleaned(value: str | None, *, allow_domain: bool) -> tuple[str, bool] | None:
    """The clean name and whether a legal form was cut from it to get there."""
    if not value:
        return None
    name = " ".join(str(value).split()).strip(" |-–—·,")
    name = re.sub(r"^(?:https?://)?www\.", "", name, flags=re.I) if _ADDRESS.search(name) else name
    if not name or _HANDLE.match(name) or _EMAIL.search(name):
        return None
    if _ADDRESS.search(name):
        found = outlet_for_url(name if "://" in name else f"https://{name.split('/')[0]}")
        if found and found[1]:
            return found[1].name, False
        return (name, False) if allow_domain and _DOMAIN_NAME.fullmatch(name) else None
    known = outlet_named(name)  # the whole name first: a known outlet's name may end as a legal form does
    if known is not None:
        return known.name, False
    uncut = name
    without_place = _TRAILING_PLACE.sub("", name)
    if without_place != name and _LEGAL_SUFFIX.search(without_place):
        name = without_place
    name = _LEGAL_SUFFIX.sub("", name).strip(" ,")
    if not name or _TITLE_SEPARATOR.search(name):
        return None
    if len(name) > MAX_NAME_CHARS or len(name.split()) > MAX_NAME_WORDS:
        return None
    known = outlet_named(name)
    return (known.name, False) if known else (name, name != uncut)


def page_outlet(
    *,
    json_ld_publisher: str | None,
    meta: dict[str, str],
    json_ld_publisher_by_reference: str | None = None,
    title: str | None,
    headline: str | None,
    page_text: str,
    url: str | None = None,
    feed_titles: tuple[str, ...] = (),
    logo_texts: tuple[str, ...] = (),
) -> OutletName | None:
    """The first clean name among the page's own namings (JSON-LD publisher, `og:site_name`, `application-name`), in
    order of how carefully pages fill them in (the node a JSON-LD publisher points to by `@id` last: SEO plugins fill
    it with the company behind the site, "Eberle Consulting GmbH & Co. KG" for coin-update.de); None when the page's
    URL is a known outlet's (a curated fact outranks the guesses below, and `qa.ingest.metadata` cites it); then a
    `<title>` part repeated on the page; then the copyright line; a domain-shaped self-name ("Aerobuzz.de") only
    when the page gives no other. An aggregator's URL names no outlet here: `qa.ingest.metadata` makes it the
    republisher."""
    namings = [
        ("JSON-LD publisher", json_ld_publisher),
        ("<meta og:site_name>", meta.get("og:site_name")),
        ("<meta application-name>", meta.get("application-name")),
        ("the feed's title (<link rel=alternate>)", feed_site_name(feed_titles)),
        ("JSON-LD publisher by @id", json_ld_publisher_by_reference),
    ]
    labels = _domain_labels(url)
    found = outlet_for_url(url) if url else None
    known_at_url = found is not None and found[1] is not None and not found[1].aggregator
    for allow_domain in (False, True):
        for where, value in namings:
            cleaned = _cleaned(value, allow_domain=allow_domain)
            if cleaned is None or _is_headline(cleaned[0], title, headline):
                continue
            if cleaned[1] and known_at_url:
                return None  # a name cut to fit may be cut wrong; the known outlet at the URL is sure
            return OutletName(cleaned[0], where)
        for label in labels if not allow_domain else ():  # "HearYa - Indie Music Blog" at hearya.com
            for where, value in [*namings, ("<title> part", title)]:
                name = _part_naming_the_domain(value, label)
                if name is not None and not _is_headline(name, title, headline):
                    return OutletName(name, f"{where}, the part matching the domain")
            name = _copyright_naming_the_domain(page_text, label)
            if name is not None and not _is_headline(name, title, headline):
                return OutletName(name, "the copyright line, the words matching the domain")
        if known_at_url:
            return None  # the known outlet at the URL: `qa.ingest.metadata` cites it, with the URL as its source
        # A home-screen label is short, often an abbreviation ("AB" for Anglerboard): only after the domain's spelling.
        home_screen = _cleaned(meta.get("apple-mobile-web-app-title"), allow_domain=allow_domain)
        if home_screen is not None and not _is_headline(home_screen[0], title, headline):
            return OutletName(home_screen[0], "<meta apple-mobile-web-app-title>")
        part = title_outlet(title, headline, page_text, allow_domain=allow_domain)
        if part is not None:
            return OutletName(part, "<title> part repeated on the page")
        holder = copyright_holder(page_text, allow_domain=allow_domain)
        if holder is not None and not _is_headline(holder, title, headline):
            return OutletName(holder, "the copyright line")
        organisation = _organisation_named(meta)
        if organisation is not None and not _is_headline(organisation, title, headline):
            return OutletName(organisation, "the author or publisher meta tag, a company's name")
        logo = next(filter(None, (_logo_name(text, title, labels, allow_domain) for text in logo_texts)), None)
        if logo is not None and not _is_headline(logo, title, headline):
            return OutletName(logo, "the logo's text")
    return None


def _organisation_named(meta: dict[str, str]) -> str | None:
    """The `dc.publisher` or `author` meta tag when it names a company by its legal form ("Deutsches Weininstitut
    GmbH"): the organisation that publishes the page. Without a legal form it is as likely a person ("Jan")."""
    for key in ("dc.publisher", "dcterms.publisher", "publisher", "author", "dc.creator"):
        cleaned = _cleaned(meta.get(key), allow_domain=False)
        if cleaned is not None and cleaned[1]:
            return cleaned[0]
    return None


def feed_site_name(feed_titles: tuple[str, ...]) -> str | None:
    """The site's name in its first feed's title: WordPress writes "Site » Feed", Blogger "Site - Atom", others
    "Site RSS"; a comments feed is skipped."""
    for title in feed_titles:
        if _COMMENTS_FEED.search(title):
            continue
        title = " ".join(title.split())
        site = title.split(" » ")[0] if " » " in title else _FEED_WORDS.sub("", title)
        if site != title:  # a title without feed words ("Veranstaltungen") names a section, not the site
            return site.strip(" -–|:».") or None
    return None


def _logo_name(text: str, title: str | None, labels: list[str], allow_domain: bool) -> str | None:
    """The name spelled in the logo's alt text ("Logo BMEIA", ".:: NMB-Media ::.", "Hoppe - Weblogo"), when the
    `<title>` repeats it or it spells the site's address: a logo can be a partner's, a flag or a host's."""
    name = " ".join(_LOGO_WORDS.sub(" ", text).split()).strip(" .:|-–»«()")
    if len(name) < 2 or (name.casefold() not in (title or "").casefold() and _squash(name) not in labels):
        return None
    return clean_outlet_name(name, allow_domain=allow_domain)


def _domain_labels(url: str | None) -> list[str]:
    """What a name spelling the site's address squashes to: the registered domain's label (`natuerlich-jagd` for
    www.natuerlich-jagd.de), the host's first label (`emacspeak` for emacspeak.blogspot.com, a hosted blog), then
    the whole domain (`gaych`: "GAY.CH")."""
    domain = registered_domain(url) if url else None
    if domain is None:
        return []
    host = (urlsplit(url.strip()).hostname or "").removeprefix("www.")
    labels = [_squash(domain.split(".")[0]), _squash(host.split(".")[0]), _squash(domain)]  # "GAY.CH" at gay.ch
    return [label for index, label in enumerate(labels) if len(label) >= 4 and label not in labels[:index]]


def _part_naming_the_domain(value: str | None, label: str) -> str | None:
    """The part of a site name or title with a tagline ("GAY.CH · Alles bleibt anders!") that spells the domain."""
    if not value:
        return None
    for part in re.split(r":\s+|" + _TITLE_SEPARATOR.pattern, " ".join(value.split())):
        squashed = _squash(part)
        if squashed and (squashed == label or (len(squashed) >= 4 and squashed in label) or label in squashed):
            name = clean_outlet_name(part, allow_domain=True)
            if name is not None:
                return name
    return None


def _copyright_naming_the_domain(page_text: str, label: str) -> str | None:
    """The words after a copyright sign that spell the site's address ("© 2017 Pixabay Terms Privacy" at
    pixabay.com): in a footer flattened to one line nothing else marks where the holder's name ends."""
    for match in _COPYRIGHT_WORDS.finditer(page_text[-FOOTER_REACH:]):
        words = match.group("words").split()
        for count in range(1, len(words) + 1):
            if _squash(" ".join(words[:count])) == label:
                return clean_outlet_name(" ".join(words[:count]), allow_domain=True)
    return None


def _squash(text: str) -> str:
    """Lower-case letters and digits only, umlauts as their two-letter spelling (`Natürlich Jagd` -> natuerlichjagd)."""
    text = text.casefold().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    return re.sub(r"[\W_]+", "", text)


def copyright_holder(page_text: str, *, allow_domain: bool = False) -> str | None:
    """The name in the page's last copyright line ("© 2021 Hanns-Seidel-Stiftung"), cleaned like any other."""
    for match in reversed(list(_COPYRIGHT.finditer(page_text[-FOOTER_REACH:]))):
        if not (match.group("year") or match.group("rights")) or _RIGHTS_ONLY.match(match.group("name")):
            continue
        name = clean_outlet_name(match.group("name"), allow_domain=allow_domain)
        if name is not None and len(name.split()) <= 5:
            return name
    return None


def title_outlet(title: str | None, headline: str | None, page_text: str, *, allow_domain: bool = False) -> str | None:
    """The part of "Headline | Outlet" ("Outlet - Headline", "Blog: Post") that is not the headline and recurs on
    the page outside the headline (the masthead, the copyright line)."""
    if not title:
        return None
    title = " ".join(title.split())
    parts = _TITLE_SEPARATOR.split(title)
    if len(parts) < 2:
        parts = _CJK_TITLE_SEPARATOR.split(title)  # "武汉的声音-新华网": CJK titles join without spaces
    if len(parts) < 2:
        parts = title.split(": ", 1)  # Blogger's "Blog: Post"
        if len(parts) < 2 or (headline and parts[0].casefold() in headline.casefold()):
            return None
    folded_text = page_text.casefold()
    if headline:
        folded_text = folded_text.replace(" ".join(headline.split()).casefold(), " ")
    squashed_text = _squash(folded_text)
    for part in (parts[-1], parts[0]):
        name = clean_outlet_name(part, allow_domain=allow_domain)
        if name is None or _is_headline(name, title, headline) or _LABELLED.search(part):
            continue
        if part.casefold() in folded_text or name.casefold() in folded_text:
            return name
        if len(_squash(name)) >= MIN_SQUASHED_REPEAT and _squash(name) in squashed_text:
            return name  # "Bächli-Bergsport" in the title, "Bächli Bergsport" in the footer
    return None


def _is_headline(name: str, title: str | None, headline: str | None) -> bool:
    folded = name.casefold()
    return any(folded == (other or "").strip().casefold() for other in (title, headline))
