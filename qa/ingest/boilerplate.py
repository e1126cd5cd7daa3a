"""Strip page chrome from raw text dumps, keeping every line of the article body.

A saved page mixes the story with widgets, sponsor lines, navigation, captions and link lists.
Body paragraphs are prose: several words ending in sentence punctuation. Chrome is short,
unpunctuated, or matches a known pattern. Link lists after "Related articles" are dropped
until prose resumes.

Text an extractor or an export already cut to the story (records, trafilatura's output) keeps
the carrier's leftovers: credit and byline lines, promo lines ("Sign up for...", "Prep for the
polls: See who is running... in our Voter Guide"). `clean_carried_text` drops only lines of
those shapes, never a line for being short: a record's headline is its whole text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from qa.ingest.wire import SENTENCE_END, is_credit_line_shape, wire_in_credit_line, wire_named

_WHITESPACE = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")

_CHROME = [
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"^(sponsor(ed)?( content)?|advertisement|promoted|ad)\s*[:|]",  # sponsor lines
        r"^(read|see) (also|more)\s*[:|]",  # inline links to other stories
        r"\.\.\. \[\+\]",  # truncated photo captions with an expand marker
        r"^(photo|image|picture|credit|source)s?\s*(credit)?\s*:",  # photo credits
        r"\b(getty images|associated press|reuters|afp|shutterstock)( via \w+)?$",  # credit lines
        r"\bconsider supporting\b",  # donation appeals
        r"\bbecome a (member|patron|subscriber)\b",
        r"^-?\d{1,3}(\.\d)?\s*°?\s*[CF]\b",  # weather widgets ("8.7 C", "72°F Sunny")
        r"^(sign up|subscribe) (for|to) (our|the) [\w ]*newsletter",  # newsletter boxes
        r"^(follow|like) us on\b",
        r"^(share|email|print|tweet)( this)?( (article|story|page))?\s*[:|]?$",  # share buttons
        r"^(click|tap) here\b",
        r"^(©|\(c\)|copyright)\s*\d{4}|\ball rights reserved\b",  # footers
        r"^(advertisement|scroll to continue|story continues below)\b",
    )
]

_LINK_LIST_HEADING = re.compile(
    r"^(related|recent|recommended|popular|trending|more)( (articles|stories|news|posts|from \w+))?\s*:?$"
    r"|^most (read|popular)\s*:?$",
    re.IGNORECASE,
)

MIN_SENTENCE_WORDS = 3
"""Fewer words than this, even with a full stop, is a widget or label ("Getty Images.")."""
MIN_UNPUNCTUATED_WORDS = 20
"""A line this long is prose even without final punctuation (a paragraph cut by the dump)."""
PROSE_RESUMES_WORDS = 25
"""After a link-list heading, a line this long means the article body continues."""
WRAPPED_LINE_WORDS = 8
"""A line this long that stops mid-sentence is continued by the next line (a hard-wrapped dump)."""


def normalize_line(line: str) -> str:
    return _WHITESPACE.sub(" ", line).strip()


def is_chrome(line: str) -> bool:
    """True for a line that belongs to the page around the article, not to the article."""
    if any(pattern.search(line) for pattern in _CHROME):
        return True
    words = len(line.split())
    if SENTENCE_END.search(line):
        return words < MIN_SENTENCE_WORDS
    return words < MIN_UNPUNCTUATED_WORDS


def body_paragraphs(raw: str) -> list[str]:
    """The article's paragraphs, in order, with page chrome removed and white space normalized."""
    paragraphs: list[str] = []
    in_link_list = False
    for line in _unwrap(map(normalize_line, raw.splitlines())):
        if not line:
            continue
        if _LINK_LIST_HEADING.match(line):
            in_link_list = True
            continue
        if in_link_list and len(line.split()) < PROSE_RESUMES_WORDS:
            continue
        in_link_list = False
        if not is_chrome(line):
            paragraphs.append(line)
    return paragraphs


def page_header(raw: str) -> list[str]:
    """The lines above the article body (masthead, widgets, source labels), where metadata hides."""
    header = []
    for line in _unwrap(map(normalize_line, raw.splitlines())):
        if not line:
            continue
        if not _LINK_LIST_HEADING.match(line) and not is_chrome(line):
            break
        header.append(line)
    return header


def _unwrap(lines: Iterable[str]) -> Iterator[str]:
    """Join hard-wrapped lines back into paragraphs; blank lines and sentence ends break them."""
    pending = ""
    for line in lines:
        if pending and line and len(pending.split()) >= WRAPPED_LINE_WORDS and not SENTENCE_END.search(pending):
            pending = f"{pending} {line}"
            continue
        if pending:
            yield pending
        pending = line
        if not line:
            yield ""
    if pending:
        yield pending


def clean_page_text(raw: str) -> str:
    """Body paragraphs joined by blank lines: the article text that passages point into."""
    return "\n\n".join(body_paragraphs(raw))


_CARRIED_CHROME = [
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"^(sponsor(ed)?( content)?|advertisement|promoted|ad)\s*[:|]",  # sponsor lines
        r"^advertisement\s*([-–—:|].*)?$|^(scroll to continue|story continues below)\b",
        r"^(read|see|watch|listen)( also| more| next| now| the full story)?\s*[:|]",  # links to other stories
        r"^(related|more)( (articles?|stories|coverage|news|on this))?\s*:",
        r"\.\.\. \[\+\]",  # truncated photo captions with an expand marker
        r"^(photo|image|picture|video)s?\s*(credit)?\s*:",  # photo credits
        r"^\(?(ap|afp|reuters|getty images?|epa|ansa)( photo)?/[^)]*\)?$",  # "(AP Photo/Evan Vucci)"
        r"^getty images$",
        r"^(sign up|subscribe|register)(\s+(now|today|here|free))?(\s+(for|to|with)\b|\s*[:!.]?$)",  # newsletters
        r"\b(delivered|sent) (straight |directly )?to your inbox\b",
        r"^(get|download|install|open) (the|our) [\w' -]{0,40}\bapp\b",  # app prompts
        r"^[^.!?:]{1,40}:\s*(see|get|read|watch|find|check out|sign up|subscribe|download|listen|follow)\b"
        r".*\b(our|the) [\w' -]{0,40}(guide|newsletter|app|podcast|coverage|live blog|tracker)\b",  # "Label: see our X"
        r"^see who('s| is) running\b",
        r"^(follow|like) us on\b",
        r"^(click|tap) here\b",
        r"^(share|email|print|tweet)( this)?( (article|story|page))?\s*[:|]?$",  # share buttons
        r"^(©|\(c\)|copyright)\s*\d{4}",  # footers
    )
]
_BYLINE_LINE = re.compile(r"^By\s+[A-Z][\w.'’-]*(\s+[\w.'’-]+){0,5}(\s*(,|and|&)\s*[A-Z][\w.'’ -]*){0,3}$")
_CREDIT_LIKE = re.compile(r"^[A-Z][^\s\d]*(?: [A-Z&][^\s\d]*){0,5}$")
"""Up to six capitalised words without figures: how a credit or outlet name looks."""


def is_carried_chrome(line: str) -> bool:
    """True for a line an export or extractor kept from the page around the story: a promo or credit line. One
    that starts in lower case continues a hard-wrapped sentence ("subscribe to ordinary shares."), unless it is an
    agency's name ("dpa")."""
    if line[:1].islower():
        return wire_named(line) is not None
    if any(pattern.search(line) for pattern in _CARRIED_CHROME):
        return True
    return is_credit_line_shape(line) and (bool(_BYLINE_LINE.match(line)) or wire_in_credit_line(line) is not None)


def clean_carried_text(text: str) -> str:
    """`text` without promo, credit and byline lines, nor a credit repeated on the next line ("Associated Press"
    twice); its other lines untouched. A text that would be left empty is returned whole (a record that is only a
    headline)."""
    originals = text.splitlines()
    lines = [normalize_line(line) for line in originals]
    repeated = _repeated_credits(lines)
    kept = [
        original
        for number, (line, original) in enumerate(zip(lines, originals, strict=True))
        if not line or not (number in repeated or is_carried_chrome(line))
    ]
    cleaned = re.sub(r"\n\s*\n(\s*\n)+", "\n\n", "\n".join(kept)).strip()
    return cleaned if cleaned else text


def _repeated_credits(lines: list[str]) -> set[int]:
    """Numbers of lines that are a name-like credit (`Associated Press`, `USA TODAY`) repeated on the next non-blank
    line: a table's repeated row has figures or lower-case words, and is kept."""
    shown = [(number, line) for number, line in enumerate(lines) if line]
    repeated = set()
    for (number, line), (next_number, next_line) in zip(shown, shown[1:], strict=False):
        if line == next_line and _CREDIT_LIKE.match(line):
            repeated |= {number, next_number}
    return repeated
