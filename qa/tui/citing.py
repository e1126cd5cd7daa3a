"""Citations as text: one to paste (clipboard) and a whole session as Markdown. No UI here.

Both leave the chat (a terminal's clipboard via OSC 52, a file someone will `cat`), so both pass
through `printable`: an ESC or BEL from an article's title or text arrives as a picture, never raw.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from qa.filters import describe_filters
from qa.models import UNKNOWN_OUTLET, Answer, ArticleCard, Hit, format_date
from qa.printable import printable


def quoted_sentence(hit: Hit) -> str:
    """The answering sentence, or the whole passage when no sentence stood out."""
    return " ".join((hit.highlighted_sentence or hit.text).split())


def source_line(hit: Hit) -> str:
    """`Forbes · 11 Feb 2024 (via The America One News · 31 May 2025, URL), "Title", URL`; unknowns spelled out."""
    citation = hit.citation
    line = citation.label
    if citation.via and citation.republished_by:
        republisher_url = citation.republished_by.url
        line += f" ({citation.via}, {republisher_url})" if republisher_url else f" ({citation.via})"
    line += f', "{citation.title}"' if citation.title else ", untitled"
    line += f", {citation.url}" if citation.url else ", no URL"
    return line


def citation_text(hit: Hit) -> str:
    """What `Cite` puts on the clipboard: the quoted sentence, then who said it, when, where."""
    return printable(f"\u201c{quoted_sentence(hit)}\u201d\n\u2014 {source_line(hit)}")


def answer_cards(answer: Answer) -> list[ArticleCard]:
    """The engine's grouped cards, or one card per passage when the answer carries no grouping."""
    if answer.cards or answer.abstained:
        return list(answer.cards)
    return [ArticleCard(doc_id=hit.doc_id, citation=hit.citation, hits=[hit]) for hit in answer.passages]


def also_reported_by(answer: Answer) -> str | None:
    """`also reported by The Kyiv Independent (11 Feb 2024), ...` for the top answer, when others agree."""
    if not answer.corroboration:
        return None
    names = [f"{item.outlet or UNKNOWN_OUTLET} ({format_date(item.published)})" for item in answer.corroboration]
    return "also reported by " + ", ".join(dict.fromkeys(names))


def _escape_markdown(text: str) -> str:
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def session_markdown(answers: Sequence[Answer], *, exported: dt.datetime) -> str:
    """Every question of the session with its answer's citations, in the order asked."""
    lines = ["# qa session", "", f"Exported {exported:%Y-%m-%d %H:%M}.", ""]
    for answer in answers:
        lines += [f"## {answer.question}", ""]
        if answer.filters.active:
            lines += [f"Filters: {describe_filters(answer.filters)}", ""]
        if answer.abstained:
            lines += [f"No answer: {answer.message or 'nothing in the corpus answers this question.'}", ""]
            continue
        if answer.summary:
            lines += [answer.summary, ""]
        if answer.message:
            lines += [answer.message, ""]
        for number, card in enumerate(answer_cards(answer), start=1):
            best = card.hits[0]
            lines.append(f"{number}. {_escape_markdown(source_line(best))}")
            for hit in card.hits:
                lines.append(f"   > {quoted_sentence(hit)}")
        if corroborated := also_reported_by(answer):
            lines += ["", corroborated[0].upper() + corroborated[1:] + "."]
        lines.append("")
    return printable("\n".join(lines))
