"""`qa chat`: the terminal UI."""

from __future__ import annotations

from qa.cli.common import CorpusOption, IndexOption, app, settings_from


@app.command()
def chat(corpus: CorpusOption = None, index: IndexOption = None) -> None:
    """Open the terminal chat: ask questions, read attributed answer cards."""
    from qa.tui.app import QAApp

    QAApp(settings_from(corpus, index)).run()
