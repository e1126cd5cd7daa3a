"""`qa chat`: the terminal UI."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from qa.cli.common import BackendOption, CorpusOption, IndexOption, MilvusUriOption, app, settings_from

HistoryOption = Annotated[
    Path | None,
    typer.Option(
        "--history",
        envvar="QA_HISTORY",
        metavar="FILE",
        help="File of questions asked before (up/down in the input). "
        "[env: QA_HISTORY; default: ~/.local/state/qa/chat-history]",
        show_default=False,
    ),
]


@app.command()
def chat(
    corpus: CorpusOption = None,
    index: IndexOption = None,
    backend: BackendOption = None,
    milvus_uri: MilvusUriOption = None,
    history: HistoryOption = None,
) -> None:
    """Open the terminal chat: ask questions, read attributed answer cards, cite them."""
    from qa.tui.app import QAApp

    chat_app = QAApp(settings_from(corpus, index, backend, milvus_uri), history_path=history)
    chat_app.run()
    if chat_app.return_code:
        # Textual has printed what went wrong; a script or shell must see that the chat failed.
        raise typer.Exit(chat_app.return_code)
