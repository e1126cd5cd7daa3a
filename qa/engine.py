"""The library's front door: what `qa` commands and the chat UI call, with heavy parts loaded lazily."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from qa.answer import answer_question
from qa.config import Settings
from qa.embed import Embedder, TextEncoder
from qa.errors import IndexMismatchError, QAError, UsageError
from qa.models import Answer, Article, SearchFilters
from qa.progress import ProgressCallback, Stage
from qa.store.backends import open_index, writing_index
from qa.store.reading import IndexReader
from qa.store.records import ArticleSummary, IndexStatus, MetaKey, OutletSummary
from qa.store.writing import WritableIndex

if TYPE_CHECKING:
    from concurrent.futures import Future

    from qa.encoders import QueryEncoder
    from qa.encoders.documents import DocumentEncoder
    from qa.ingest import ExplicitMetadata
    from qa.ingest.dates import DateOrder
    from qa.store.build import SyncReport

log = logging.getLogger(__name__)

MIN_ID_PREFIX = 4
"""The fewest characters of an id `find_article` takes as a prefix (as git takes a commit's)."""
LISTED_CANDIDATES = 10
"""The most articles an ambiguous prefix lists."""


class AmbiguousIdError(UsageError):
    """An id prefix that names more than one article; `candidates` holds the first of them, by id."""

    def __init__(self, prefix: str, candidates: list[ArticleSummary], *, more: bool) -> None:
        counted = f"more than {len(candidates)}" if more else str(len(candidates))
        super().__init__(f"The id prefix {prefix!r} matches {counted} articles; give more of the id.")
        self.candidates = candidates


class Engine:
    """Holds one index and one embedding model for the life of a command or chat session."""

    def __init__(
        self,
        settings: Settings,
        *,
        embedder: TextEncoder | None = None,
        query_encoder_loading: Future[QueryEncoder] | None = None,
    ) -> None:
        """`embedder`: the model to use instead of loading `settings.model`: an `Embedder` already loaded
        (to share it), or any `TextEncoder` (a test's fake: it then embeds passages and questions alone,
        and no ONNX export is made or read).
        `query_encoder_loading`: the export, already loading (`load_query_encoder_in_background`)."""
        self.settings = settings
        self._embedder = embedder
        self._query_encoder: TextEncoder | None = embedder
        self._query_encoder_loading = query_encoder_loading
        self._index: IndexReader | None = None

    @property
    def embedder(self) -> TextEncoder:
        """The model, loaded on first use (it takes seconds; `load_model` lets a UI do it early)."""
        if self._embedder is None:
            self._embedder = Embedder(self.settings.model)
        return self._embedder

    @property
    def query_encoder(self) -> TextEncoder:
        """What embeds questions: the machine's ONNX export of the model (no torch, well under a second to load).

        An engine given an explicit embedder uses it. A missing or damaged export is made again
        with a warning (once per machine: it imports sentence-transformers); a model that cannot be
        exported embeds questions through sentence-transformers.
        """
        if self._query_encoder is None:
            from qa.encoders import EncoderUnavailableError
            from qa.encoders.cache import load_cached_encoder

            expected = self._check_model_files(self.index)
            if self._query_encoder_loading is not None:
                try:
                    self._query_encoder = self._query_encoder_loading.result()
                except EncoderUnavailableError:
                    pass  # missing or damaged: made again just below, with a warning
            if self._query_encoder is None:
                try:
                    self._query_encoder = load_cached_encoder(self.settings.model, expected=expected)
                except EncoderUnavailableError as error:
                    log.warning("%s Falling back to sentence-transformers (slower start).", error)
                    self._query_encoder = self.embedder
        return self._query_encoder

    def _check_model_files(self, index: IndexReader) -> bool:
        """Refuse an index whose vectors were made by other files of the configured model (the model
        changed under its name): questions or new passages would not be comparable with them.

        True when the index recorded the model files as they are (so the machine had their export);
        False when there is nothing to compare (an index made before checksums were recorded,
        another model's, or a model that cannot be found here).
        """
        matches = self._recorded_model_matches(index)
        if matches is False:
            raise IndexMismatchError(
                f"The index in {index.location} was embedded with other files of the model {self.settings.model} "
                "(they have changed since). Run `qa index --rebuild` to re-embed the corpus with the model as it is."
            )
        return bool(matches)

    def _recorded_model_matches(self, index: IndexReader) -> bool | None:
        """Whether the model files the index recorded are the configured model's files now (None: unknown)."""
        from qa.encoders import EncoderUnavailableError
        from qa.encoders.checksum import model_checksum

        recorded = index.meta(MetaKey.MODEL_SHA256)
        if recorded is None or index.model != self.settings.model:
            return None  # a change of model name is check_model's to refuse
        try:
            return model_checksum(self.settings.model) == recorded
        except EncoderUnavailableError:
            return None

    def load_model(self) -> None:
        """Load the question encoder now rather than on the first question (a UI does this in the background)."""
        encoder = self.query_encoder
        if isinstance(encoder, Embedder):
            _ = encoder.model

    @property
    def index(self) -> IndexReader:
        if self._index is None:
            self._index = open_index(self.settings)
        return self._index

    def ask(
        self,
        question: str,
        *,
        k: int = 5,
        filters: SearchFilters | None = None,
        include_nearest: bool = False,
    ) -> Answer:
        """Answer from the index: attributed passages, or an abstention (with the nearest on request)."""
        if self.index.is_empty():
            raise QAError(
                f"The index in {self.index.location} is empty. Put articles in "
                f"{self.settings.corpus_dir} and run `qa index`."
            )
        encoder = self.query_encoder
        self.index.check_model(encoder.name, encoder.dimension)
        return answer_question(
            self.index,
            encoder,
            question,
            k=k,
            min_similarity=self.settings.min_similarity,
            filters=filters,
            include_nearest=include_nearest,
        )

    def article(self, doc_id: str) -> Article | None:
        """The stored article with its full clean text and per-field provenance."""
        return self.index.article(doc_id)

    def find_article(self, id_or_prefix: str) -> Article:
        """The article with this id, or the one whose id starts with it (at least MIN_ID_PREFIX characters).

        Raises UsageError for a prefix too short, AmbiguousIdError when several ids start with it,
        QAError when no article has it.
        """
        wanted = id_or_prefix.strip()
        article = self.index.article(wanted) if wanted else None
        if article is not None:
            return article
        if len(wanted) < MIN_ID_PREFIX:
            raise UsageError(
                f"No article {wanted!r} in the index; an id prefix needs at least {MIN_ID_PREFIX} characters."
            )
        found = self.index.articles_with_prefix(wanted, LISTED_CANDIDATES + 1)
        if len(found) > 1:
            raise AmbiguousIdError(wanted, found[:LISTED_CANDIDATES], more=len(found) > LISTED_CANDIDATES)
        article = self.index.article(found[0].doc_id) if found else None
        if article is None:
            raise QAError(f"No article {wanted!r} in the index. `qa ask --json` prints each passage's doc_id.")
        return article

    def outlets(self) -> list[OutletSummary]:
        """Each outlet the index holds with its article count and date range, most articles first."""
        return self.index.outlets()

    def build_index(
        self,
        *,
        rebuild: bool = False,
        on_progress: ProgressCallback | None = None,
        wait: bool = True,
        follow_symlinks: bool = False,
        allow_empty: bool = False,
    ) -> SyncReport:
        """Bring the index in step with the corpus (or start over), then reopen it for searching.

        Another writer holds the index: wait for it (reported as the "waiting" stage), or with
        `wait=False` raise IndexBusyError. Links out of the corpus are skipped unless
        `follow_symlinks`; an empty or missing corpus raises CorpusEmptyError unless `allow_empty`.
        """
        self.close()
        progress = on_progress or (lambda stage, done, total: None)
        with writing_index(
            self.settings, rebuild=rebuild, wait=wait, on_wait=lambda: progress(Stage.WAITING, 0, 0)
        ) as index:
            return self._sync(
                index,
                rebuild=rebuild,
                on_progress=on_progress,
                follow_symlinks=follow_symlinks,
                allow_empty=allow_empty,
            )

    def _sync(
        self,
        index: WritableIndex,
        *,
        rebuild: bool,
        on_progress: ProgressCallback | None,
        follow_symlinks: bool,
        allow_empty: bool,
    ) -> SyncReport:
        from qa.encoders.cache import retire_index_export
        from qa.store.build import sync  # with the readers it needs: a tenth of a second `qa ask` never pays

        retire_index_export(self.settings.index_dir)
        encoder = self._document_encoder(index, rebuild=rebuild)
        report = sync(
            index,
            self.settings.corpus_dir,
            encoder,
            min_words=self.settings.min_words,
            max_words=self.settings.max_words,
            rebuild=rebuild,
            on_progress=on_progress,
            follow_symlinks=follow_symlinks,
            allow_empty=allow_empty,
        )
        if self._embedder is None or isinstance(self._embedder, Embedder):  # the model itself, not a test's fake
            self._record_model(index, encoder, on_progress or (lambda stage, done, total: None))
        return report

    def _document_encoder(self, index: IndexReader, *, rebuild: bool) -> TextEncoder | DocumentEncoder:
        """What embeds this build's passages: the machine's ONNX export of the model (made first if needed),
        so no build imports torch once the export exists; sentence-transformers only when the model
        cannot be exported. An engine given an embedder uses it.

        An index whose model changed under its name is refused unless this build re-embeds it all.
        """
        if self._embedder is not None:
            return self._embedder
        from qa.encoders.documents import DocumentEncoder, document_precision

        if rebuild or index.meta(MetaKey.REBUILD_PENDING) is not None:
            expected = bool(self._recorded_model_matches(index))
            precision = document_precision(None, has_vectors=False)
        else:
            expected = self._check_model_files(index)
            precision = document_precision(
                index.meta(MetaKey.DOCUMENT_ENCODER), has_vectors=index.meta(MetaKey.DIMENSION) is not None
            )
        return DocumentEncoder(self.settings.model, expected=expected, precision=precision)

    def _record_model(
        self, index: WritableIndex, encoder: TextEncoder | DocumentEncoder, progress: ProgressCallback
    ) -> None:
        """Once a build has published, record which model files the index's vectors come from (after, not
        before: a rebuild cut short leaves the old vectors and their record), and make sure the machine
        has the export questions will load (a build that embedded nothing did not look for it)."""
        from qa.encoders import EncoderUnavailableError
        from qa.encoders.cache import has_export, load_cached_encoder
        from qa.encoders.checksum import model_checksum
        from qa.encoders.documents import DocumentEncoder

        recorded = index.meta(MetaKey.MODEL_SHA256)
        if not (
            isinstance(encoder, DocumentEncoder)
            and encoder.settled
            and (has_export(encoder.name) or not encoder.exported)
        ):
            try:
                load_cached_encoder(
                    encoder.name,
                    expected=bool(self._recorded_model_matches(index)),
                    on_export=lambda: progress(Stage.EXPORTING_ENCODER, 0, 0),
                )
            except EncoderUnavailableError as error:
                log.warning("%s Questions will use sentence-transformers (slower start).", error)
        try:
            checksum = model_checksum(encoder.name)
        except EncoderUnavailableError:
            return
        if checksum != recorded and index.model == encoder.name:
            with index.writer.atomic():
                index.writer.set_meta(MetaKey.MODEL_SHA256, checksum)

    def add(
        self,
        paths: Sequence[Path],
        *,
        overrides: ExplicitMetadata | None = None,
        field_map: dict[str, str] | None = None,
        date_order: DateOrder | None = None,
        follow_symlinks: bool = False,
        on_progress: ProgressCallback | None = None,
        wait: bool = True,
    ) -> SyncReport:
        """Copy files or folders into the corpus (with their metadata flags) and index them in one step.

        Copying happens under the index's write lock, so a concurrent `qa index` never reads a file
        before its flags are beside it. Files refused (unreadable as an article, links leaving a
        folder given) are listed first in the report's `skipped`, by the path they were given as.
        """
        from qa.ingest import corpus_files, stage_files
        from qa.ingest.walk import shown_name
        from qa.store.build import SkippedFile
        from qa.store.guards import refuse_to_empty

        self.close()
        progress = on_progress or (lambda stage, done, total: None)
        with writing_index(self.settings, wait=wait, on_wait=lambda: progress(Stage.WAITING, 0, 0)) as index:
            if not corpus_files(self.settings.corpus_dir, follow_symlinks=follow_symlinks):
                # A missing or empty corpus (an unmounted share's mount point): adding would drop every other article.
                refuse_to_empty(index, self.settings.corpus_dir)
            staged = stage_files(
                paths,
                self.settings.corpus_dir,
                overrides=overrides,
                field_map=field_map,
                date_order=date_order,
                follow_symlinks=follow_symlinks,
            )
            report = self._sync(
                index, rebuild=False, on_progress=on_progress, follow_symlinks=follow_symlinks, allow_empty=False
            )
        report.skipped[:0] = [
            SkippedFile(shown_name(refused.path.absolute()), refused.reason) for refused in staged.refused
        ]
        return report

    def status(self) -> IndexStatus:
        return self.index.status()

    def stale_files(self) -> list[str]:
        from qa.store.build import stale_files  # here, not at the top: a question never reads the corpus

        return stale_files(self.index, self.settings.corpus_dir)

    @property
    def corpus_dir(self) -> Path:
        return self.settings.corpus_dir

    def close(self) -> None:
        if self._index is not None:
            self._index.close()
            self._index = None
