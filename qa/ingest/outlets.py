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
from importlib import resources
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


OUTLETS_TABLE = "data/outlets.tsv"
"""The known outlets, as data: domain, name, other names (`;`), `aggregator`; shipped with the package."""


def _load_known_outlets() -> dict[str, Outlet]:
    """The table, read once at import (a few hundred lines): domain or host -> outlet."""
    table = resources.files("qa.ingest").joinpath(OUTLETS_TABLE).read_text(encoding="utf-8")
    outlets = {}
    for line in table.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        domain, name, aliases, kind = (line.split("\t") + ["", "", ""])[:4]
        aliases_tuple = tuple(alias.strip() for alias in aliases.split(";") if alias.strip())
        outlets[domain.strip().lower()] = Outlet(name.strip(), aliases_tuple, aggregator=kind.strip() == "aggregator")
    return outlets


KNOWN_OUTLETS: dict[str, Outlet] = _load_known_outlets()

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
