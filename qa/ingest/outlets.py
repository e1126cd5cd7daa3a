"""Who publishes at an address, and which names on a page are outlets.

A URL's registered domain (via tldextract, with its bundled suffix list: never the network) is
looked up in a table of known outlets; an unknown domain is cited as the domain itself, which is
what the reader sees in the address. Aggregators are marked, because a page they host is a copy
of another outlet's story and must not be cited as theirs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import tldextract


@dataclass(frozen=True)
class Outlet:
    name: str
    """How the outlet names itself, as it is cited."""
    aliases: tuple[str, ...] = ()
    """Other ways pages write the name (matched case-insensitively)."""
    aggregator: bool = False
    """Republishes other outlets' stories; its pages are `republished_by`, not the source."""


KNOWN_OUTLETS: dict[str, Outlet] = {
    "am1.news": Outlet("The America One News", ("America One News", "AM1 News"), aggregator=True),
    "newsbreak.com": Outlet("NewsBreak", aggregator=True),
    "msn.com": Outlet("MSN", aggregator=True),
    "news.yahoo.com": Outlet("Yahoo News", aggregator=True),
    "yahoo.com": Outlet("Yahoo", ("Yahoo News", "Yahoo Finance"), aggregator=True),
    "flipboard.com": Outlet("Flipboard", aggregator=True),
    "ground.news": Outlet("Ground News", aggregator=True),
    "kyivindependent.com": Outlet("The Kyiv Independent", ("Kyiv Independent",)),
    "forbes.com": Outlet("Forbes", ("Forbes Magazine",)),
    "reuters.com": Outlet("Reuters", ("Reuters News", "Thomson Reuters")),
    "huffpost.com": Outlet("HuffPost", ("Huffington Post", "The Huffington Post", "HuffPo")),
    "huffingtonpost.com": Outlet("HuffPost", ("Huffington Post", "The Huffington Post")),
    "bbc.co.uk": Outlet("BBC News", ("BBC",)),
    "bbc.com": Outlet("BBC News", ("BBC",)),
    "nytimes.com": Outlet("The New York Times", ("New York Times", "NYTimes", "NYT")),
    "washingtonpost.com": Outlet("The Washington Post", ("Washington Post",)),
    "wsj.com": Outlet("The Wall Street Journal", ("Wall Street Journal", "WSJ")),
    "theguardian.com": Outlet("The Guardian", ("Guardian",)),
    "apnews.com": Outlet("Associated Press", ("AP", "AP News", "The Associated Press")),
    "cnn.com": Outlet("CNN", ("CNN International",)),
    "foxnews.com": Outlet("Fox News", ("FOX News",)),
    "nbcnews.com": Outlet("NBC News"),
    "cbsnews.com": Outlet("CBS News"),
    "abcnews.go.com": Outlet("ABC News"),
    "npr.org": Outlet("NPR", ("National Public Radio",)),
    "bloomberg.com": Outlet("Bloomberg", ("Bloomberg News",)),
    "ft.com": Outlet("Financial Times", ("FT",)),
    "economist.com": Outlet("The Economist", ("Economist",)),
    "politico.com": Outlet("Politico", ("POLITICO",)),
    "politico.eu": Outlet("Politico Europe", ("POLITICO Europe",)),
    "axios.com": Outlet("Axios"),
    "theverge.com": Outlet("The Verge", ("Verge",)),
    "cnbc.com": Outlet("CNBC"),
    "latimes.com": Outlet("Los Angeles Times", ("LA Times",)),
    "usatoday.com": Outlet("USA Today", ("USA TODAY",)),
    "aljazeera.com": Outlet("Al Jazeera", ("Al Jazeera English",)),
    "dw.com": Outlet("Deutsche Welle", ("DW",)),
    "france24.com": Outlet("France 24"),
    "kyivpost.com": Outlet("Kyiv Post"),
    "pravda.com.ua": Outlet("Ukrainska Pravda"),
    "ukrinform.net": Outlet("Ukrinform"),
    "defenseone.com": Outlet("Defense One"),
    "rbc.ua": Outlet("RBC-Ukraine"),
    "spacenews.com": Outlet("SpaceNews"),
    "techcrunch.com": Outlet("TechCrunch"),
    "wired.com": Outlet("Wired", ("WIRED",)),
    "businessinsider.com": Outlet("Business Insider", ("Insider",)),
    "independent.co.uk": Outlet("The Independent", ("Independent",)),
    "telegraph.co.uk": Outlet("The Telegraph", ("Telegraph",)),
    "time.com": Outlet("Time", ("TIME",)),
    "newsweek.com": Outlet("Newsweek"),
    "thehill.com": Outlet("The Hill"),
    "afp.com": Outlet("AFP", ("Agence France-Presse",)),
}

_BY_NAME = {
    _key: outlet
    for outlet in KNOWN_OUTLETS.values()
    for _key in (re.sub(r"\W+", " ", name).strip().casefold() for name in (outlet.name, *outlet.aliases))
    if len(_key) > 2  # "AP", "FT", "DW" as bare words are too ambiguous to spot in page text
}


@cache
def _extractor() -> tldextract.TLDExtract:
    import tldextract  # here, not at the top: it costs a cold `qa ask` a fifth of a second

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def registered_domain(url: str) -> str | None:
    """`https://www.bbc.co.uk/news` -> `bbc.co.uk`; None for something that is not a web address."""
    if not re.match(r"^(https?://|www\.)", url.strip(), re.IGNORECASE):
        return None
    parts = _extractor()(url.strip())
    if not parts.domain or not parts.suffix:
        return None
    return f"{parts.domain}.{parts.suffix}".lower()


def outlet_for_url(url: str) -> tuple[str, Outlet | None] | None:
    """The registered domain of `url` and the known outlet there (if any), or None for a non-URL."""
    domain = registered_domain(url)
    if domain is None:
        return None
    parts = _extractor()(url.strip())
    host = ".".join(p for p in (parts.subdomain.removeprefix("www"), domain) if p).strip(".").lower()
    return domain, KNOWN_OUTLETS.get(host) or KNOWN_OUTLETS.get(domain)


def outlet_named(name: str) -> Outlet | None:
    """The known outlet a page calls `name` ("THE AMERICA ONE NEWS", "Kyiv Independent"), if any."""
    return _BY_NAME.get(re.sub(r"\W+", " ", name).strip().casefold())


def canonical_outlet_name(name: str) -> str:
    """A known outlet's own spelling of its name; other names unchanged but trimmed."""
    known = outlet_named(name)
    return known.name if known else " ".join(name.split())
