"""Whether the chat can answer yet, and if not what to tell the user. No UI here: the app shows the result."""

from __future__ import annotations

from dataclasses import dataclass

from qa.engine import Engine
from qa.errors import IndexMissingError, ModelLoadError, QAError
from qa.tui.locations import full_path

MODEL_STEPS = (
    "Set QA_MODEL to a local sentence-transformers directory (or unset it for the bundled "
    "model), then press r to retry; `make setup` installs the bundled model."
)


@dataclass(frozen=True)
class Problem:
    """Something the user must fix before asking: shown with what to do next."""

    title: str
    explanation: str
    next_steps: str


@dataclass(frozen=True)
class Readiness:
    passages: int | None
    """Passages in the index; None when there is no index, 0 when it is empty."""
    problem: Problem | None = None

    @property
    def first_run(self) -> bool:
        """Nothing to search yet, and nothing broken: the welcome screen, which can add files."""
        return self.problem is None and not self.passages


def index_steps(engine: Engine) -> str:
    return (
        f"Press a to add article files or folders from here, or put them in {full_path(engine.corpus_dir)} "
        "and run `qa index` in a shell, then press r to retry. Escape closes this message."
    )


def check_readiness(engine: Engine) -> Readiness:
    """Reopen the index (a retry must see one built meanwhile) and load the question encoder.

    Every failure is a `Problem` or a first run, never an exception: the chat shows no traceback.
    The encoder is the index's own export, so without articles it is not loaded: a retry does it.
    """
    try:
        engine.close()
        passages = engine.status().counts.passages
    except IndexMissingError:
        return Readiness(None)
    except (QAError, OSError) as error:
        return Readiness(None, Problem("The index cannot be opened", str(error), index_steps(engine)))
    if not passages:
        return Readiness(0)
    try:
        engine.load_model()
    except ModelLoadError as error:
        return Readiness(passages, Problem("The embedding model did not load", str(error), MODEL_STEPS))
    except (QAError, OSError) as error:
        return Readiness(passages, Problem("The index cannot be used", str(error), index_steps(engine)))
    return Readiness(passages)
