"""`qa ask`: one question, answered with attributed passages as text or JSON."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from qa.cli.common import BackendOption, CorpusOption, IndexOption, MilvusUriOption, app, settings_from
from qa.cli.output import console, echo_line, styled, write_json
from qa.errors import UsageError
from qa.locations import user_path
from qa.printable import printable_line

if TYPE_CHECKING:
    from rich.text import Text

    from qa.models import Answer


OutletOption = Annotated[
    list[str] | None,
    typer.Option(
        "--outlet",
        metavar="OUTLET",
        help="Only passages from this outlet, the one cited (not a site that carried the story); case, accents "
        "and a leading 'The' ignored; repeat for several. `qa outlets` lists them.",
        show_default=False,
    ),
]
SinceOption = Annotated[
    str | None,
    typer.Option(
        "--since",
        metavar="DATE",
        help="Only articles published on or after DATE: 2024-02-11, 'February 2024', 'last week'. "
        "Undated articles are then left out.",
        show_default=False,
    ),
]
UntilOption = Annotated[
    str | None,
    typer.Option(
        "--until",
        metavar="DATE",
        help="Only articles published on or before DATE.",
        show_default=False,
    ),
]

NOT_ASKED_EXIT_CODE = 3
"""`--batch` finished, but some lines could not be asked (each named on stderr); 3 as in `qa index`."""


@app.command()
def ask(
    question: Annotated[
        str | None, typer.Argument(metavar="QUESTION", help="The question, in plain words.", show_default=False)
    ] = None,
    k: Annotated[int, typer.Option("-k", "--top", metavar="N", min=1, help="How many passages to show at most.")] = 5,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON document (schema in the README) instead of text.")
    ] = False,
    outlet: OutletOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    nearest: Annotated[
        bool,
        typer.Option("--nearest", help="When nothing answers, still list the closest passages, marked as such."),
    ] = False,
    batch: Annotated[
        Path | None,
        typer.Option(
            "--batch",
            metavar="FILE",
            help="Answer each line of FILE (- for stdin); with --json, one JSON result per line. "
            "A line that is not UTF-8 is named on stderr and skipped (exit code 3).",
            show_default=False,
        ),
    ] = None,
    corpus: CorpusOption = None,
    index: IndexOption = None,
    backend: BackendOption = None,
    milvus_uri: MilvusUriOption = None,
) -> None:
    """Answer a question with attributed passages from the index.

    Each card is led by its outlet and date, with the answering sentence emphasized and other
    outlets that report the same listed. When nothing is close enough, it says so. Examples:

        qa ask "Who denied sales to Russia?" -k 3
        qa ask "What did SpaceX say?" --outlet Forbes --since "February 2024"
        qa ask --json --batch questions.txt > answers.jsonl
    """
    if (question is None) == (batch is None):
        raise UsageError('Give one question, e.g. qa ask "Who denied sales to Russia?", or --batch FILE; not both.')
    if question is not None and not question.strip():
        raise UsageError('The question is empty. Ask something, e.g. qa ask "Who denied sales to Russia?"')
    from qa.filters import parse_filters

    filters = parse_filters(outlet or [], since, until)
    settings = settings_from(corpus, index, backend, milvus_uri)
    from qa.cli.batch import BatchLineError, BatchQuestion, open_batch, read_batch

    with open_batch(batch) if batch is not None else nullcontext() as handle:
        lines = [BatchQuestion(line=1, question=question)] if handle is None else read_batch(handle)
        from qa.encoders.cache import start_loading

        # Started before importing the engine: the two overlap, a fifth of a second off every cold `qa ask`.
        loading = start_loading(settings.model)
        from qa.engine import Engine

        engine = Engine(settings, query_encoder_loading=loading)
        not_asked = 0
        for each in lines:
            if isinstance(each, BatchLineError):
                not_asked += 1
                echo_line(f"{'-' if str(batch) == '-' else user_path(batch)}: {each.error}", err=True)
                if as_json:
                    write_json(each.model_dump_json())
                continue
            answer = engine.ask(each.question, k=k, filters=filters, include_nearest=nearest)
            if as_json:
                write_json(answer.model_dump_json(indent=None if batch is not None else 2))
            else:
                _print_answer(answer)
    if not_asked:
        raise typer.Exit(NOT_ASKED_EXIT_CODE)


INDENT = 3


def _print_answer(answer: Answer) -> None:
    """The answer as cards for a person; every value from the corpus or a flag goes through `styled`."""
    from rich.text import Text

    from qa.models import format_date

    out = console()
    plain = not out.is_terminal

    def say(part: Text, indent: int = INDENT) -> None:
        for line in part.wrap(out, out.width - indent):
            line.rstrip()
            out.print(Text(" " * indent) + line if line.plain else line)

    if answer.message:
        out.print(styled(answer.message))
    if answer.abstained:
        if answer.nearest:
            out.print("\nClosest passages (they do not answer the question):\n")
            for hit in answer.nearest:
                out.print(styled(f"{hit.rank}. {printable_line(hit.citation.label)}", style="dim"))
                say(styled(hit.text, style="dim"))
                out.print()
        return
    if answer.corroboration and answer.summary:
        say(styled(answer.summary, style="bold"), indent=0)
        out.print()
    for number, card in enumerate(answer.cards, start=1):
        citation = card.citation
        heading = Text(f"{number}. ", style="bold")
        heading.append_text(styled(printable_line(citation.label), style="bold cyan"))
        if citation.via:
            heading.append_text(styled(f"  ({printable_line(citation.via)})", style="dim"))
        out.print(heading)
        also_published = citation.also_published
        if also_published:
            say(styled(printable_line(also_published), style="dim"))
        say(styled(printable_line(citation.title or "untitled"), style="italic"))
        if citation.url:
            say(styled(printable_line(citation.url), style="dim"))
        for position, hit in enumerate(card.hits):
            if position:
                out.print()
            say(_passage_text(hit.text, hit.highlight, plain=plain))
            say(Text(f"similarity {hit.similarity:.2f} · passage {hit.rank} · doc {hit.doc_id}", style="dim"))
        if number == 1 and answer.corroboration:
            others = ", ".join(f"{c.outlet} ({format_date(c.published)})" for c in answer.corroboration)
            say(styled(f"also reported by {printable_line(others)}", style="green"))
        out.print()


def _passage_text(text: str, highlight: tuple[int, int] | None, *, plain: bool) -> Text:
    """The passage with its answer sentence bold (between ** when the output is not a terminal).

    `styled` keeps every character in place, so the highlight offsets still hold.
    """
    passage = styled(text)
    if highlight is None:
        return passage
    start, end = highlight
    if plain:
        passage = styled(f"{text[:start]}**{text[start:end]}**{text[end:]}")
    else:
        passage.stylize("bold yellow", start, end)
    return passage
