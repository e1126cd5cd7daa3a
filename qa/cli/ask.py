"""`qa ask`: one question, answered with attributed passages as text or JSON."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from qa.cli.common import CorpusOption, IndexOption, app, settings_from
from qa.errors import UsageError

if TYPE_CHECKING:
    from rich.text import Text

    from qa.models import Answer


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question, in plain words.", show_default=False)],
    k: Annotated[int, typer.Option("-k", "--top", min=1, help="How many passages to show at most.")] = 5,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON document (schema in the README) instead of text.")
    ] = False,
    corpus: CorpusOption = None,
    index: IndexOption = None,
) -> None:
    """Answer a question with attributed passages from the index.

    Each passage is led by its outlet and date; the sentence that best answers the question is
    emphasized. When nothing in the corpus is close enough, it says so instead of guessing.

    Example: qa ask "Who denied sales to Russia?" -k 3
    """
    if not question.strip():
        raise UsageError('The question is empty. Ask something, e.g. qa ask "Who denied sales to Russia?"')
    from qa.engine import Engine

    answer = Engine(settings_from(corpus, index)).ask(question, k=k)
    if as_json:
        sys.stdout.write(answer.model_dump_json(indent=2) + "\n")
    else:
        _print_answer(answer)


INDENT = 3


def _print_answer(answer: Answer) -> None:
    from rich.console import Console
    from rich.text import Text

    console = Console(highlight=False)
    if answer.abstained:
        console.print(answer.message)
        return
    for hit in answer.passages:
        citation = hit.citation
        heading = Text(f"{hit.rank}. ", style="bold")
        heading.append(citation.label, style="bold cyan")
        if citation.via:
            heading.append(f"  ({citation.via})", style="dim")
        body = [Text(hit.title or "untitled", style="italic")]
        if hit.url:
            body.append(Text(hit.url, style="dim"))
        body.append(_passage_text(hit.text, hit.highlight, plain=not console.is_terminal))
        body.append(Text(f"similarity {hit.similarity:.2f} · doc {hit.doc_id}", style="dim"))
        console.print(heading)
        for part in body:
            for line in part.wrap(console, console.width - INDENT):
                line.rstrip()
                console.print(Text(" " * INDENT) + line if line.plain else line)
        console.print()


def _passage_text(text: str, highlight: tuple[int, int] | None, *, plain: bool) -> Text:
    """The passage with its answer sentence bold (between ** when the output is not a terminal)."""
    from rich.text import Text

    if highlight is None:
        return Text(text)
    start, end = highlight
    passage = Text(text[:start])
    sentence = text[start:end]
    passage.append(f"**{sentence}**" if plain else sentence, style=None if plain else "bold yellow")
    passage.append(text[end:])
    return passage
