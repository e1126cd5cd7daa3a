"""Wire copy: a story a news agency wrote and another outlet carried is cited as the agency's, via the carrier.

A story is wire copy when its page or record credits the agency where agencies are credited: a byline or
credit line that is the agency ("Associated Press", "By The Associated Press", "Carla K. Johnson, AP") or a wire
dateline opening the story ("TAIPEI, Taiwan (AP) —"). A mention in the body ("Reuters reported", "The
Associated Press contributed to this report") is not: a wrong agency is worse than the carrier alone, so only
these credit forms count, and a credit naming two sources ("Reuters/Variety", "Variety via Reuters") counts
for none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from qa.models import FieldProvenance, MetadataSource, Republication

WIRES: dict[str, tuple[str, ...]] = {
    "Associated Press": ("Associated Press", "The Associated Press", "AP", "AP Wire", "AP News"),
    "Reuters": ("Reuters", "Thomson Reuters", "Reuters Staff"),
    "AFP": ("AFP", "Agence France-Presse", "Agence France Presse"),
    "dpa": ("dpa", "Deutsche Presse-Agentur"),
    "UPI": ("UPI", "United Press International"),
    "EFE": ("EFE", "Agencia EFE"),
    "ANSA": ("ANSA", "Agenzia ANSA"),
    "Kyodo News": ("Kyodo", "Kyodo News"),
    "Xinhua": ("Xinhua", "Xinhua News Agency"),
    "PA Media": ("PA", "PA Media", "PA Wire", "Press Association"),
    "AAP": ("AAP", "Australian Associated Press"),
    "The Canadian Press": ("The Canadian Press", "Canadian Press", "CP"),
    "Press Trust of India": ("PTI", "Press Trust of India"),
    "Yonhap": ("Yonhap", "Yonhap News Agency"),
    "TASS": ("TASS",),
    "Anadolu Agency": ("Anadolu Agency", "Anadolu"),
    "Europa Press": ("Europa Press",),
    "Lusa": ("Lusa",),
    "Belga": ("Belga",),
    "ANP": ("ANP",),
    "Bloomberg News": ("Bloomberg News",),
}
"""Each agency's name as cited, then the names it is credited by."""
WIRE_DOMAINS = {
    "apnews.com": "Associated Press", "reuters.com": "Reuters", "afp.com": "AFP", "dpa.com": "dpa",
    "upi.com": "UPI", "efe.com": "EFE", "ansa.it": "ANSA", "kyodonews.net": "Kyodo News",
    "xinhuanet.com": "Xinhua", "news.cn": "Xinhua", "aap.com.au": "AAP", "yna.co.kr": "Yonhap", "tass.com": "TASS",
}  # fmt: skip
"""An outlet cited by one of these addresses is the agency itself, not a carrier."""
DATELINE_ONLY = frozenset({"pa", "cp"})
"""Letters that name an agency only inside a dateline's parentheses (a byline "Smith, PA" is Pennsylvania)."""
WIRE_CREDIT_CONFIDENCE = 0.8
"""A credit line or dateline names the agency plainly, but it is read from the text."""
CREDIT_LINE_WORDS = 10
"""A credit or byline line is short; a longer line is prose that may only mention an agency."""
_HEAD_LINES = 4
"""Credit lines are looked for among the first lines of the text (bylines) ..."""
_TAIL_LINES = 2
"""... and the last ones (credit lines after the story)."""
_EDGE_CHARS = 4000
"""Where those lines are looked for: the text's head and tail, never all of a long text."""
MAX_CREDIT_CHARS = 300
"""A credit line or a dateline is read in its first characters only."""
_ALIASES = {alias.lower(): wire for wire, aliases in WIRES.items() for alias in (wire, *aliases)}
_DATELINE = re.compile(
    r"^(?:[A-Z][\w.'’-]*,? ){0,7}?[A-Z][\w.'’-]*,?(?: \d{1,2},?)?\s*\((?P<wire>[A-Za-z][A-Za-z .-]{0,30}?)\)\s*[—–-]+\s"
)
_SPLITS = re.compile(r"\s*(?:,|;|\band\b|&)\s*")
_PARTICLES = frozenset({"de", "da", "del", "der", "den", "van", "von", "la", "le", "al", "el", "bin", "ibn", "dos"})
SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")
_SHARED = re.compile(r"(?:\band\b|&)\s*(?:the\s+)?[^,;&]+$", re.I)
"""`X and AGENCY`: the last name joined by "and", a shared credit."""
_LABEL = re.compile(r"^\w+\s*:")
"""`Photo: Jane Doe, AFP`, `Tags: Politics, Reuters`: a labelled line is no byline."""
_IMAGE_WORDS = re.compile(r"\b(?:photos?|getty|images?|file|pictures?|picture-alliance|illustration)\b", re.I)
"""A line naming pictures credits a photographer ("Getty Images, AFP", "AP Photo/...")."""


@dataclass(frozen=True)
class WireCredit:
    """An agency credited by the text, and the rule that found it (for the provenance)."""

    wire: str
    rule: str


def wire_named(name: str, *, in_dateline: bool = False) -> str | None:
    """The agency a credit names exactly (`AP`, `The Associated Press`), or None."""
    key = " ".join(name.strip(" .,:;`'\"*()[]").split()).lower()
    if key in DATELINE_ONLY and not in_dateline:
        return None
    return _ALIASES.get(key)


def wire_in_byline(value: str) -> str | None:
    """The agency a byline field credits: all of it (`Associated Press`) or its last part (`Carla K. Johnson, AP`);
    None for a shared credit (`Jane Smith and The Associated Press`)."""
    text = " ".join(value.split())
    if not text or "/" in text or re.search(r"\b(via|for|contributed|with)\b", text, re.I):
        return None  # two sources, or an agency that only helped
    if _LABEL.match(text) or _IMAGE_WORDS.search(text):
        return None  # `Photo: Jane Doe, AFP`, `Getty Images, AFP`: a picture's credit, not the story's
    text = re.sub(r"^by\s+", "", text, flags=re.I)
    found = wire_named(text)
    if found is not None:
        return found
    if text.endswith((",", ";")):
        return None  # a wrapped line of prose ("the national news agency, Yonhap,")
    parts = [part for part in _SPLITS.split(text) if part]
    if len(parts) < 2 or not all(_is_name(part) for part in parts[:-1]):
        return None
    if _SHARED.search(text):
        return None  # the agency is one of two authors: the story is not the agency's alone
    return wire_named(parts[-1])


def wire_in_credit_line(line: str) -> str | None:
    """The agency a line of free text credits: the agency alone (`Associated Press`, `By The Associated Press`) or
    a `By` byline ending in it (`By Carla K. Johnson, AP`). A bare `Name, AGENCY` in text is usually a photo
    credit, and a labelled line (`Photo: ...`, `Tags: ...`) or one naming pictures is never a byline."""
    text = " ".join(line.lstrip("—–- ").split())
    if not is_credit_line_shape(text):
        return None
    found = wire_in_byline(text)
    if found is None or wire_named(re.sub(r"^by\s+", "", text, flags=re.I)) is not None:
        return found
    return found if re.match(r"by\s", text, re.I) else None


def is_credit_line_shape(line: str) -> bool:
    """Short enough for a byline or credit line, and not ending as a sentence does; shared with the boilerplate
    cleaning, so a line credited to an agency is the line removed from the text."""
    return len(line) <= MAX_CREDIT_CHARS and len(line.split()) <= CREDIT_LINE_WORDS and not SENTENCE_END.search(line)


def _is_name(part: str) -> bool:
    """A name as bylines write it: capitalised words or particles (`Ann van Lee`, `Nidal al-Mughrabi`)."""
    words = part.split()
    return 0 < len(words) <= 5 and all(w[:1].isupper() or re.split(r"[-’']", w)[0] in _PARTICLES for w in words)


def wire_credits(text: str) -> list[WireCredit]:
    """The agencies the text credits: a short credit line or byline at its top or bottom, a wire dateline."""
    edges = _edge_lines(text)
    lines = [" ".join(line[:MAX_CREDIT_CHARS].split()) for line in edges]
    credits = []
    for line, full in zip(lines, edges, strict=True) if len(lines) > 1 else []:  # a credit is a line of its own
        found = wire_in_credit_line(line) if len(full) <= MAX_CREDIT_CHARS else None
        if found is not None:
            credits.append(WireCredit(found, f"credit line {line!r}"))
    for line in lines[:_HEAD_LINES]:
        match = _DATELINE.match(line)
        found = wire_named(match.group("wire"), in_dateline=True) if match else None
        if found is not None:
            credits.append(WireCredit(found, f"wire dateline {match.group(0).strip()!r}"))
    return credits


def _edge_lines(text: str) -> list[str]:
    """The first and last non-blank lines of `text`, found in its head and tail only (a line cut by either is
    left out: a cut line's end could look like a credit)."""
    if len(text) <= 2 * _EDGE_CHARS:
        every = [line for line in text.splitlines() if line.strip()]
        return every if len(every) <= _HEAD_LINES + _TAIL_LINES else every[:_HEAD_LINES] + every[-_TAIL_LINES:]
    head = text[:_EDGE_CHARS].splitlines()[:-1]
    tail = text[-_EDGE_CHARS:].splitlines()[1:]
    return [line for line in head if line.strip()][:_HEAD_LINES] + [line for line in tail if line.strip()][
        -_TAIL_LINES:
    ]


def is_the_wire(outlet: str, wire: str) -> bool:
    """Whether an outlet is the agency itself (`Reuters UK`, `AP News`, `upi.com`), not a carrier of its copy."""
    lowered = outlet.lower()
    if any(
        lowered == domain or lowered.endswith("." + domain) for domain in WIRE_DOMAINS if WIRE_DOMAINS[domain] == wire
    ):
        return True
    aliases = [alias.lower() for alias in (wire, *WIRES[wire]) if alias.lower() not in DATELINE_ONLY]
    return any(re.match(rf"{re.escape(alias)}(\b|$)", lowered) for alias in aliases)


EXPLICIT = frozenset({MetadataSource.FLAG, MetadataSource.SIDECAR, MetadataSource.FRONT_MATTER})
"""An outlet a person wrote down is theirs to choose: a credit in the text never overrides it."""


def cite_the_wire(
    values: dict[str, Any], provenance: dict[str, FieldProvenance], wire: str, credit: FieldProvenance
) -> None:
    """Cite `wire` as the outlet and the outlet that carried it as "via", in place; nothing when a person chose the
    outlet, when the article is already a republication, or when the outlet is the agency itself."""
    outlet = values.get("outlet")
    carrier = provenance.get("outlet")
    if carrier is not None and carrier.source in EXPLICIT:
        return
    if values.get("republished_by") is not None or (outlet is not None and is_the_wire(outlet, wire)):
        return
    values["outlet"], provenance["outlet"] = wire, credit
    if outlet is not None and carrier is not None:
        values["republished_by"] = Republication(
            outlet=outlet, published=values.get("published"), url=values.get("url")
        )
        provenance["republished_by"] = carrier
