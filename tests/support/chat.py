"""Driving the chat as a user would, through Textual's Pilot."""

from __future__ import annotations

from qa.tui.app import QAApp


async def until(pilot, condition, *, polls: int = 600) -> None:
    """Let the app run until `condition()` holds (bounded, so a broken app fails instead of hanging)."""
    for _ in range(polls):
        if condition():
            return
        await pilot.pause(0.1)
    raise AssertionError("the app never reached the expected state")


async def add_with_ctrl_o(app: QAApp, pilot, text: str) -> None:
    """Open the add prompt with ctrl+o, put `text` in it and submit, as a user would."""
    from textual.widgets import Input

    from qa.tui.screens.prompt import PromptScreen

    await pilot.press("ctrl+o")
    await pilot.pause()
    assert isinstance(app.screen, PromptScreen)
    app.screen.query_one(Input).value = text
    await pilot.press("enter")


async def settle(app: QAApp, pilot) -> None:
    """Let every worker finish and the screen catch up."""
    await app.workers.wait_for_complete()
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
