"""`qa migrate`: copy the embedded index into Milvus, without embedding anything again."""

from __future__ import annotations

from typing import Annotated

import typer

from qa.cli.common import IndexOption, MilvusUriOption, app, settings_from, user_location
from qa.cli.indexing import NoWaitOption, QuietOption
from qa.cli.output import echo_line
from qa.cli.progress_display import Progress
from qa.locations import user_path
from qa.printable import printable_line


@app.command()
def migrate(
    to: Annotated[
        str,
        typer.Option("--to", metavar="milvus", help="The backend to copy the index into (milvus).", show_default=False),
    ],
    index: IndexOption = None,
    milvus_uri: MilvusUriOption = None,
    quiet: QuietOption = False,
    no_wait: NoWaitOption = False,
) -> None:
    """Copy the embedded index (vectors, passages, articles, metadata) into Milvus as it is.

    Nothing is embedded again. The copy replaces what that Milvus index held, all at once at the
    end; interrupted, the next `qa migrate` resumes where it stopped. The counts are checked after.
    Then use it with `--backend milvus` (or QA_BACKEND=milvus) and the same --milvus-uri.
    """
    from qa.store.backends import milvus_target
    from qa.store.migrate import migrate_to_milvus

    if to != "milvus":
        raise typer.BadParameter(
            f"cannot migrate to '{printable_line(to)}'; the only target is milvus.", param_hint="--to"
        )
    settings = settings_from(None, index, "milvus", milvus_uri)
    with Progress(settings, quiet=quiet) as on_progress:
        report = migrate_to_milvus(
            settings.index_dir, milvus_target(settings), on_progress=on_progress, wait=not no_wait
        )
    if not quiet:
        counts = report.counts
        resumed = f" (resumed after {report.resumed_after})" if report.resumed_after else ""
        echo_line(
            f"Copied {user_path(settings.index_dir)} into Milvus at {user_location(settings)}{resumed}: "
            f"{counts.files} files, {counts.articles} articles, {counts.passages} passages, "
            f"counts verified, in {report.seconds:.1f} s."
        )
