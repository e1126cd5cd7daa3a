"""Copy an embedded index into Milvus as it is: vectors, passages, articles, copies, manifest; nothing re-embedded.

The copy goes file by file into the next Milvus generation, invisible until the end commits it at
once (replacing whatever that Milvus index held). Progress is recorded after every step, so an
interrupted migration resumes where it stopped; at the end the counts are verified.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from qa.errors import QAError
from qa.progress import Stage
from qa.store.index import Index
from qa.store.milvus import MilvusIndex, MilvusTarget
from qa.store.records import IndexCounts
from qa.store.report import ProgressCallback

FILES_PER_STEP = 100
"""Files copied between two progress records: an interrupted migration redoes at most this many."""


@dataclass
class MigrationReport:
    counts: IndexCounts
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
        expected = source.counts()
        model = source.model
        if model is None or not expected.files:
            raise QAError(f"The index in {source_dir} is empty: nothing to migrate. Run `qa index` first.")
        origin = str(source_dir.resolve())

        def waiting() -> None:
            progress(Stage.WAITING, 0, 0)

        with MilvusIndex.writing(target, wait=wait, on_wait=waiting, keep=origin) as milvus:
            writer = milvus.writer
            resumed = milvus.migration_done(origin)
            after = resumed or ""
            done = source.files_up_to(after) if after else 0
            while batch := source.exported_files(after, FILES_PER_STEP):
                for exported in batch:
                    writer.stage_file(exported.path, exported.fingerprint, model)
                    writer.stage_copies(exported.path, exported.copies)
                    for each in exported.articles:
                        writer.stage_article(
                            exported.path, each.article, each.passages, each.vectors, each.sentences, bands=each.bands
                        )
                after = batch[-1].path
                milvus.record_migration(origin, after)
                done += len(batch)
                progress(Stage.MIGRATING, done, expected.files)
            progress(Stage.SAVING, 0, 0)
            encoder = source.status().document_encoder or "unknown"
            milvus.publish([], model, rebuilding=True, encoder=encoder)
            milvus.record_migration(origin, None)
            counts = milvus.counts()
    finally:
        source.close()
    differing = [
        f"{name}: {getattr(expected, name)} here, {getattr(counts, name)} in Milvus"
        for name in ("files", "articles", "passages")
        if getattr(expected, name) != getattr(counts, name)
    ]
    if differing:
        raise QAError(
            f"The copy in Milvus at {target.uri} does not match ({'; '.join(differing)}). Run the migration again."
        )
    return MigrationReport(counts=counts, resumed_after=resumed, seconds=time.monotonic() - started_at)
