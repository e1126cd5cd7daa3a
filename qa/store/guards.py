"""What a build refuses or leaves alone to protect the index: an emptied corpus folder, links out of the corpus.

A shared archive sits on a share that may be unmounted, and a corpus may hold links anywhere on the
machine; these rules keep either from costing the index its articles or reading what is not the corpus.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from qa.errors import CorpusEmptyError
from qa.ingest.add_options import is_options_file, options_path
from qa.ingest.metadata import find_sidecar, is_sidecar
from qa.ingest.walk import Walk

if TYPE_CHECKING:
    from qa.store.reading import IndexReader


def outside_link_reason(link: Path, *, kept: int = 0) -> str:
    """Why a link was skipped; a sidecar's (or options file's) article waits with it, as it would be read along.
    `kept`: files indexed through it earlier (`--follow-symlinks`), which stay as they were."""
    held = ", nor its article" if is_sidecar(link) or is_options_file(link) else ""
    if kept:
        return (
            f"a link to {os.path.realpath(link)}, outside the corpus: not read{held}; the {kept} file(s) indexed "
            "through it with --follow-symlinks are kept as they were (use --follow-symlinks to read them again, "
            "or remove the link to drop them)"
        )
    return (
        f"a link to {os.path.realpath(link)}, outside the corpus: not read{held} "
        "(copy the target into the corpus, or use --follow-symlinks)"
    )


def kept_behind_links(published: dict[str, str] | set[str], listing: Walk, corpus_dir: Path) -> dict[Path, list[str]]:
    """Indexed files read only through a link of `listing.outside` (an earlier `--follow-symlinks`), by link.

    A build without `--follow-symlinks` (a plain `qa add`, the chat's ctrl+o) does not read them, but
    must not drop them either: the user chose to index them. They stay until the link goes.
    """
    kept: dict[Path, list[str]] = {}
    for rel in sorted(published):
        path = corpus_dir / rel
        for link in listing.outside:
            if path == link or link in path.parents or link in (find_sidecar(path), options_path(path)):
                kept.setdefault(link, []).append(rel)
                break
    return kept


def refuse_to_empty(index: IndexReader, corpus_dir: Path) -> None:
    """An empty or missing corpus folder (an unmounted share, a typo) must not wipe a built index."""
    indexed = len(index.indexed_files())
    if not indexed:
        return
    state, or_else = (
        ("has no article files", ", or run `qa index --allow-empty` to empty the index")
        if corpus_dir.is_dir()
        else ("does not exist", "")
    )
    raise CorpusEmptyError(
        f"The corpus folder {corpus_dir} {state}, but the index holds {indexed} file(s) from it; "
        f"nothing was changed. Check that the folder is there (mounted) and is the right one{or_else}."
    )


def undecodable_reason(path: Path) -> str:
    """Why a file or folder whose name is not UTF-8 was not read (the index stores names as text)."""
    what = "nothing in this folder was read" if path.is_dir() else "not read"
    return f"its name is not valid UTF-8: {what} (give it a UTF-8 name, then run `qa index` again)"
