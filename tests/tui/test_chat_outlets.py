"""The chat says what the command line says when an outlet filter names no outlet in the index."""

from __future__ import annotations

from textual.widgets import Input

from qa.tui.screens.filters import FiltersScreen


async def test_a_misspelt_outlet_filter_gets_the_did_you_mean(seed_settings, make_app, ask):
    app = make_app(seed_settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+f")
        await pilot.pause()
        assert isinstance(app.screen, FiltersScreen)
        app.screen.query_one("#outlets", Input).value = "Forbs"
        await pilot.press("enter")
        await pilot.pause()
        await ask(app, pilot, "Who denied sales to Russia?")
        [abstention] = app.query(".abstained")
        assert " ".join(str(abstention.render()).split()) == (
            "No answer. No article in the index matches the filters (outlet Forbs). "
            'No outlet "Forbs" in the index; did you mean "Forbes"?'
        )
