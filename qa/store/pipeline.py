"""Work beside the model: a thread that prepares items ahead of it, and one that writes results behind it.

onnxruntime (and torch) release the GIL while they compute, so chunking the next articles and
committing the last chunk's rows run while the model works on the current one. Both sides are
bounded queues, so memory stays flat however large the corpus; an error in either thread is raised
again in the caller's thread, and closing lets the writer finish the few items it was given (a
transaction is never cut in the middle) before the caller's error, or Ctrl-C, goes on.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

POLL_SECONDS = 0.1
"""How often a blocked thread looks whether the other side has stopped."""


@dataclass
class _Failure:
    """What a thread raised, handed to the caller's thread to raise there."""

    error: BaseException


class _End:
    """The producer has no more items."""


class Ahead(Generic[T]):
    """The items of `produce`, made by a thread at most `depth` items ahead of whoever iterates."""

    def __init__(self, produce: Iterable[T], *, depth: int, name: str) -> None:
        self._items: queue.Queue[T | _Failure | _End] = queue.Queue(maxsize=depth)
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(produce,), name=name, daemon=True)
        self._thread.start()

    def _run(self, produce: Iterable[T]) -> None:
        try:
            for item in produce:
                if not self._offer(item):
                    return
        except BaseException as error:  # noqa: BLE001 - raised again in the consumer's thread
            self._offer(_Failure(error))
            return
        self._offer(_End())

    def _offer(self, item: T | _Failure | _End) -> bool:
        """Put `item` once there is room; False when the consumer stopped first."""
        while not self._stopped.is_set():
            try:
                self._items.put(item, timeout=POLL_SECONDS)
                return True
            except queue.Full:
                continue
        return False

    def __iter__(self) -> Iterator[T]:
        while True:
            item = self._items.get()
            if isinstance(item, _End):
                return
            if isinstance(item, _Failure):
                raise item.error
            yield item

    def close(self) -> None:
        """Stop the producer at its next item; not waited for, as it writes nothing anyone reads after."""
        self._stopped.set()


class Behind(Generic[T]):
    """`consume` each item `put`, in a thread, with at most `depth` items waiting for it."""

    def __init__(self, consume: Callable[[T], None], *, depth: int, name: str) -> None:
        self._consume = consume
        self._items: queue.Queue[T | _End] = queue.Queue(maxsize=depth)
        self._failure: _Failure | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            item = self._items.get()
            if isinstance(item, _End):
                return
            try:
                self._consume(item)
            except BaseException as error:  # noqa: BLE001 - raised again in the caller's thread
                self._failure = _Failure(error)
                return

    def put(self, item: T) -> None:
        """Hand `item` over, waiting while `depth` items are already waiting; raises what the thread raised."""
        while True:
            self._raise_failure()
            if not self._thread.is_alive():
                raise RuntimeError("the writing thread ended early")
            try:
                self._items.put(item, timeout=POLL_SECONDS)
                return
            except queue.Full:
                continue

    def finish(self) -> None:
        """Wait until every item put is consumed; raises what the thread raised."""
        self.close()
        self._raise_failure()

    def close(self) -> None:
        """Let the thread consume what it was given (never stopping within an item) and wait for it.

        On the caller's error or Ctrl-C this commits the chunks already encoded, so the next run keeps them.
        """
        while self._thread.is_alive():
            try:
                self._items.put(_End(), timeout=POLL_SECONDS)
                break
            except queue.Full:
                continue
        self._thread.join()

    def _raise_failure(self) -> None:
        if self._failure is not None:
            raise self._failure.error
