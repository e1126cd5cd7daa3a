"""Issue 16 line 10, the chat's half: the hostile corpus added through ctrl+o.

The folder is the one `qa index` is tested on (tests/hostile.py): alias bombs, nesting 100,000
deep, a gzip of empty records, a CSV with one 100 MB field, escapes in fields and a file name, a
link out of the folder, a binary and an empty file, beside good articles. The chat must index the
good ones, name each bad file once in its notice, show no control character and keep taking keys.
"""

from __future__ import annotations

import re

from textual.widgets import Input

from qa.config import Settings
from qa.ingest import read_file
from qa.printable import printable
from qa.tui.adding import NAMED_SKIPS
from qa.tui.widgets.answer_card import AnswerCard
from tests.support.chat import add_with_ctrl_o, until
from tests.support.hostile import ESCAPES, STORIES, make_hostile_files

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""What must never reach the terminal raw (newline and tab aside)."""
ADD_POLLS = 3000
"""A hang guard, not a speed claim: the add copies and reads a 100 MB CSV on a shared machine."""
QUESTIONS = {
    STORIES[0]: "When will the new ferry terminal of Port Elm open?",
    STORIES[1]: "What budget did Elm county's council approve?",
    STORIES[2]: "How many homes lost power in the storm on the northern coast?",
    STORIES[3]: "Where will the Elm Valley orchestra tour next spring?",
    STORIES[4]: "Why did farmers in the Elm delta plant rice early?",
    STORIES[5]: "Which goalkeeper did the national football team name for the qualifiers?",
    STORIES[6]: "What bacterium from harbour mud breaks down plastic?",
}
"""One question per good story, each answered only by that story's article."""


def _adding(app) -> bool:
    return any(worker.group == "add" and not worker.is_finished for worker in app.workers)


async def test_the_hostile_corpus_added_with_ctrl_o_indexes_the_good_and_names_each_bad_file_once(
    seed_copy: Settings, make_app, ask, wait, tmp_path
):
    folder = tmp_path / "hostile"
    folder.mkdir()
    hostile = make_hostile_files(folder, tmp_path / "outside")
    # The notice names at most NAMED_SKIPS files and counts the rest: each bad file can be named only if
    # they all fit.
    assert len(hostile.bad) <= NAMED_SKIPS
    app = make_app(seed_copy)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait(app, pilot)
        await add_with_ctrl_o(app, pilot, str(folder))
        await pilot.press("h", "i")  # right after the add starts (its worker copies and reads ~300 MB)
        question = app.query_one("#question", Input)
        assert question.value == "hi"
        await until(pilot, lambda: not _adding(app), polls=ADD_POLLS)
        await pilot.pause()

        notices = [note.message for note in app._notifications]
        assert [notice for notice in notices if notice.startswith("Added ")] == notices[-1:], notices
        for notice in notices:
            assert not CONTROL.search(notice), notice
        for name in hostile.bad:
            assert sum(notice.count(name) for notice in notices) == 1, f"{name} not named once in {notices}"
        assert f"skipped {len(hostile.bad)}:" in notices[-1]

        stored = seed_copy.corpus_dir / folder.name
        story_ids: dict[str, str] = {}
        for name in hostile.good:
            for article in read_file(stored / name, corpus_dir=seed_copy.corpus_dir):
                assert app.engine.article(article.doc_id) is not None, f"{name}: {article.title!r} not indexed"
                story_ids.update({story: article.doc_id for story in STORIES if story[:80] in article.text})
        assert sorted(story_ids) == sorted(STORIES)
        assert not (stored / "link-out.txt").exists()

        for story, asked in QUESTIONS.items():
            await ask(app, pilot, asked)
            last = app.query(AnswerCard).last()
            answered = [card for card in app.query(AnswerCard) if card.parent is last.parent]
            card = next((card for card in answered if card.hit.doc_id == story_ids[story]), None)
            assert card is not None, f"{asked!r} not answered from its article"
            assert printable(card.hit.title or "untitled") in str(card.render())
            if story == STORIES[2]:  # the article with escapes in its title, outlet, URL and text
                assert ESCAPES in card.hit.title
        assert not CONTROL.search(app.export_screenshot())

        await pilot.press("o", "k")
        assert question.value == "ok"
        assert app.is_running
    assert not app.return_code
