"""Keys typed ahead reach the widget they were typed for: one at a time, each after the last has settled.

Textual forwards a key to the widget focused when the key *arrives*. What a key does (Tab moves the
focus, ctrl+f opens a dialog, Enter submits and closes one) happens later, once that widget, its
parents and the app have each handled it in their own queues. Keys typed faster than that went to the
widget focused before: questions merged, a dialog's three fields typed into the first one, keys sent
to a dialog not yet mounted and lost. So the app queues keys (and pastes) and lets the next one go
only when the previous one has finished: a marker posted behind it has bubbled up to the app twice
(the second round follows the messages the key made, such as `Input.Submitted`), and the screen
then on top has processed what it had queued (mounting, focusing).
"""

from __future__ import annotations

import asyncio
from collections import deque
from itertools import count

from textual import events
from textual.app import App
from textual.message import Message

ROUNDS = 2
"""Marker rounds per key: the key itself, then the messages it posted while being handled."""
STUCK_SECONDS = 1.0
"""A marker lost with a widget removed meanwhile must not hold the keyboard: let the next key go."""


class KeyPassed(Message):
    """Posted to the key's target right behind it; reaches the app after the key has bubbled up."""

    def __init__(self, token: int, round_number: int) -> None:
        super().__init__()
        self.token = token
        self.round_number = round_number


class KeySettled(Message, bubble=False):
    """Sent to the app when the screen on top has caught up after the key `token`."""

    def __init__(self, token: int) -> None:
        super().__init__()
        self.token = token


class KeysInOrder(App):
    """An App whose keys and pastes are delivered strictly in order, each after the previous settled."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._typed_ahead: deque[events.Key | events.Paste] = deque()
        self._key_in_flight: int | None = None
        self._tokens = count(1)
        self._stuck_timer: asyncio.TimerHandle | None = None

    @property
    def keys_pending(self) -> int:
        """Keys typed and not yet handled (the one in flight included): a test waits for 0."""
        return len(self._typed_ahead) + (self._key_in_flight is not None)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.Paste)) and not event.is_forwarded:
            self._typed_ahead.append(event)
            if self._key_in_flight is None:
                await self._deliver_next_key()
            return
        await super().on_event(event)

    async def _deliver_next_key(self) -> None:
        if self._stuck_timer is not None:
            self._stuck_timer.cancel()
            self._stuck_timer = None
        if not self._typed_ahead or not self.screen_stack:  # nothing typed, or the app is closing
            self._key_in_flight = None
            return
        event = self._typed_ahead.popleft()
        token = next(self._tokens)
        self._key_in_flight = token
        target = self.focused or self.screen
        await super().on_event(event)  # priority bindings, else forwarded to `target`
        target.post_message(KeyPassed(token, 1))
        self._stuck_timer = asyncio.get_running_loop().call_later(
            STUCK_SECONDS, lambda: self.post_message(KeySettled(token))
        )

    async def on_key_passed(self, message: KeyPassed) -> None:
        message.stop()
        if message.token != self._key_in_flight or not self.screen_stack:
            return
        if message.round_number < ROUNDS:
            (self.focused or self.screen).post_message(KeyPassed(message.token, message.round_number + 1))
            return
        token = message.token
        if not self.screen.call_later(self.post_message, KeySettled(token)):
            self.post_message(KeySettled(token))

    async def on_key_settled(self, message: KeySettled) -> None:
        if message.token == self._key_in_flight:
            await self._deliver_next_key()
