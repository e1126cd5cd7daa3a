"""Copy an embedded index into Milvus as it is: vectors, passages, articles, copies, manifest; nothing re-embedded.

The copy goes file by file into the next Milvus generation, invisible until the end commits it at
once (replacing whatever that Milvus index held). Progress is recorded after every step, so an
interrupted migration resumes where it stopped; at the end the counts are verified.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from qa.errors import QAError
from qa.store.build import ProgressCallback
from qa.store.index import Index
from qa.store.milvus import MilvusIndex, MilvusTarget
from qa.store.milvus.documents import MIGRATION_KEY

FILES_PER_STEP = 100
"""Files copied between two progress records: an interrupted migration redoes at most this many."""
COMPARED = ("files", "articles", "passages")


@dataclass
class MigrationReport:
    counts: dict[str, int]
    resumed_after: str | None
    """The last file an interrupted migration had copied, when this run resumed it."""
    seconds: float


def migrate_to_milvus(
    source_dir: Path, target: MilvusTarget, *, on_progress: ProgressCallback | None = None, wait: bool = True
) -> MigrationReport:
    """Copy the embedded index in `source_dir` into `target`; raise QAError if the counts then differ."""
    started_at = time.monotonic()
    progress = on_progress or (lambda stage, done, total: None)
    source = Index.open(source_dir)  # a pinned snapshot: a `qa index` meanwhile does not mix in
    try:
        expected = source.db.counts()
        model = source.model
        if model is None or not expected["files"]:
            raise QAError(f"The index in {source_dir} is empty: nothing to migrate. Run `qa index` first.")
        origin = str(source_dir.resolve())
        with MilvusIndex.writing(target, wait=wait, on_wait=lambda: progress("waiting", 0, 0), keep=origin) as milvus:
            db = milvus.db
            recorded = json.loads(db.get_meta(MIGRATION_KEY) or "null")
            after = recorded["done"] if recorded else ""
            resumed = after or None
            done = len(source.db.files_up_to(after)) if after else 0
            while batch := source.db.files_after(after, FILES_PER_STEP):
                for path, fingerprint in batch:
                    db.stage_file(path, fingerprint, model)
                    db.stage_copies(path, source.db.exported_copies(path))
                    for article, bands in source.db.exported_articles(path):
                        passages, vectors, sentences = source.db.exported_passages(article.doc_id)
                        db.stage_article(path, article, passages, vectors, sentences, bands=bands)
                after = batch[-1][0]
                db.set_meta(MIGRATION_KEY, json.dumps({"source": origin, "done": after}))
                done += len(batch)
                progress("migrating", done, expected["files"])
            progress("saving", 0, 0)
            milvus.publish([], model, rebuilding=True, encoder=source.db.get_meta("document_encoder") or "unknown")
            db.delete_meta(MIGRATION_KEY)
            counts = milvus.status().counts
    finally:
        source.close()
    differing = [
        f"{name}: {expected[name]} here, {counts[name]} in Milvus"
        for name in COMPARED
        if expected[name] != counts[name]
    ]
    if differing:
        raise QAError(
            f"The copy in Milvus at {target.uri} does not match ({'; '.join(differing)}). Run the migration again."
        )
    return MigrationReport(counts=counts, resumed_after=resumed, seconds=time.monotonic() - started_at)
