"""What a build refuses or leaves alone to protect the index: an emptied corpus folder, links out of the corpus.

A shared archive sits on a share that may be unmounted, and a corpus may hold links anywhere on the
machine; these rules keep either from costing the index its articles or reading what is not the corpus.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from qa.errors import CorpusEmptyError
from qa.ingest.metadata import is_sidecar
from qa.ingest.staging import is_options_file

if TYPE_CHECKING:
    from qa.store.base import StoredIndex


def outside_link_reason(link: Path) -> str:
    """Why a link was skipped; a sidecar's (or options file's) article waits with it, as it would be read along."""
    held = ", nor its article" if is_sidecar(link) or is_options_file(link) else ""
    return (
        f"a link to {os.path.realpath(link)}, outside the corpus: not read{held} "
        "(copy the target into the corpus, or use --follow-symlinks)"
    )


def refuse_to_empty(index: StoredIndex, corpus_dir: Path) -> None:
    """An empty or missing corpus folder (an unmounted share, a typo) must not wipe a built index."""
    indexed = len(index.db.file_fingerprints())
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
