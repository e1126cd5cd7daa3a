"""`qa show DOC_ID`: one stored article's metadata, each value with where it came from and how sure it is.

DOC_ID may be a unique prefix of the id (at least 4 characters), as git takes a commit's.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from qa.cli.common import BackendOption, CorpusOption, IndexOption, MilvusUriOption, app, settings_from
from qa.cli.output import echo, echo_line, write_json

if TYPE_CHECKING:
    from qa.engine import AmbiguousIdError
    from qa.models import Article

FIELD_LABELS = {
    "title": "title",
    "outlet": "outlet",
    "published": "published",
    "published_at": "time",
    "url": "url",
    "author": "author",
    "republished_by": "via",
    "updated": "updated",
}


@app.command()
def show(
    doc_id: Annotated[
        str,
        typer.Argument(
            metavar="DOC_ID",
            help="The article id as `qa ask` prints it, or a unique prefix of it (4 characters or more).",
            show_default=False,
        ),
    ],
    corpus: CorpusOption = None,
    index: IndexOption = None,
    backend: BackendOption = None,
    milvus_uri: MilvusUriOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the article's metadata as JSON.")] = False,
    text: Annotated[bool, typer.Option("--text", help="Also print the article's clean text.")] = False,
) -> None:
    """Show an article's outlet, date and other metadata, each with its source and confidence."""
    from qa.engine import AmbiguousIdError, Engine

    engine = Engine(settings_from(corpus, index, backend, milvus_uri))
    try:
        article = engine.find_article(doc_id)
    except AmbiguousIdError as error:
        _list_candidates(error)
        raise typer.Exit(2) from None
    finally:
        engine.close()
    if as_json:
        write_json(json.dumps(article.model_dump(mode="json", exclude=set() if text else {"text"}), indent=2))
        return
    for line in describe(article):
        echo_line(line)
    if text:
        echo("\n" + article.text)


def _list_candidates(error: AmbiguousIdError) -> None:
    """`Error: The id prefix … matches 3 articles; …`, then one line per candidate: id, outlet, title."""
    from qa.models import UNKNOWN_OUTLET

    echo_line(f"Error: {error}", err=True)
    for candidate in error.candidates:
        echo_line(
            f"  {candidate.doc_id}  {candidate.outlet or UNKNOWN_OUTLET}  {candidate.title or '(untitled)'}", err=True
        )


def describe(article: Article) -> list[str]:
    """Lines for a person: each field's value, then where it came from (raw: the printer makes them printable)."""
    from qa.models import UNKNOWN_OUTLET, format_date

    lines = [f"article {article.doc_id}", f"  file       {article.source_path}"]
    for name, label in FIELD_LABELS.items():
        value = getattr(article, name)
        if value is None:
            shown = {"outlet": "unknown", "published": "unknown (undated)"}.get(name)
            if shown:
                lines.append(f"  {label:<10} {shown}")
            continue
        if name == "published":
            value = f"{value.isoformat()} ({format_date(value)})"
        elif name in ("published_at", "updated"):
            value = value.isoformat()
        elif name == "republished_by":
            value = " · ".join(part for part in (value.outlet, format_date(value.published), value.url) if part)
        lines.append(f"  {label:<10} {value}")
        provenance = article.provenance.get(name)
        if provenance is not None:
            lines.append(
                f"  {'':<10} from {provenance.source.value}, confidence {provenance.confidence:.2f}"
                + (f": {provenance.detail}" if provenance.detail else "")
            )
            if provenance.note:
                lines.append(f"  {'':<10} note: {provenance.note}")
    for key, value in (article.extra or {}).items():
        lines.append(f"  {'extra':<10} {key}: {value}")
    for copy in article.also_published_by:
        where = " · ".join(part for part in (copy.url, copy.source_path) if part)
        lines.append(
            f"  also       {copy.outlet or UNKNOWN_OUTLET} · {format_date(copy.published)}"
            + (f" ({where})" if where else "")
        )
    lines.append(f"  text       {len(article.text.split())} words")
    return lines
