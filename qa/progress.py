"""Progress of long work (a build, a migration, an evaluation) as typed stages a front end can put into words.

The library reports `(stage, done, total)` through a callback and never prints; the command line
and the chat show each stage by its `label`, counted in its `unit` ("embedding passages 3/7").
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum


class Stage(StrEnum):
    """A step of long work. Stages with a `unit` are counted (done of total); the others just begin."""

    label: str
    """What is happening, in words a user reads: `embedding passages`."""
    unit: str | None
    """What `done` and `total` count (`passages`), or None when the stage has no count."""

    def __new__(cls, value: str, label: str, unit: str | None) -> Stage:
        stage = str.__new__(cls, value)
        stage._value_ = value
        stage.label = label
        stage.unit = unit
        return stage

    WAITING = "waiting", "waiting for another qa process to finish writing the index", None
    READING = "reading", "reading files", "files"
    LOADING_MODEL = "loading model", "loading the embedding model", None
    EMBEDDING = "embedding", "embedding passages", "passages"
    STORING = "storing", "storing articles", "articles"
    SAVING = "saving", "publishing the new index", None
    EXPORTING_ENCODER = "exporting encoder", "exporting the question encoder", None
    MIGRATING = "migrating", "copying files", "files"
    EMBEDDING_QUESTIONS = "embedding questions", "embedding questions", "questions"
    SEARCHING_DENSE = "searching dense", "searching by meaning (dense)", "questions"
    SEARCHING_LEXICAL = "searching lexical", "searching by words (lexical)", "questions"
    SEARCHING_HYBRID = "searching hybrid", "searching both ways (hybrid)", "questions"
    ANSWERING = "answering", "answering questions", "questions"
    CUTTING_WINDOWS = "cutting windows", "cutting articles into baseline windows", "files"
    SEARCHING_WINDOWS = "searching windows", "searching the baseline windows", "questions"

    @property
    def counted(self) -> bool:
        return self.unit is not None


ProgressCallback = Callable[[Stage, int, int], None]
"""Called as (stage, done, total) during long work; `done` and `total` are 0 for uncounted stages."""
