"""ctrl+o runs the same staging as `qa add`: a file it cannot read as an article is named and stays where it was."""

from __future__ import annotations

from qa.config import Settings
from tests.support.chat import add_with_ctrl_o

NEW_ARTICLE = (
    "The mayor of Springfield said on Tuesday that the river bridge would get no tolls this winter. "
    "Residents had opposed the bridge tolls at every council meeting since the spring. "
    "The council will vote on the bridge budget next month, the mayor's office said in a statement."
)


async def test_a_binary_file_added_from_the_chat_is_named_and_not_copied(seed_copy: Settings, make_app, wait, tmp_path):
    folder = tmp_path / "incoming"
    folder.mkdir()
    (folder / "bridge.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    (folder / "photo.txt").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 8)
    app = make_app(seed_copy)
    async with app.run_test(size=(120, 24)) as pilot:
        await wait(app, pilot)
        await add_with_ctrl_o(app, pilot, str(folder))
        await wait(app, pilot)
        status = str(app.query_one("#status").render())
        assert "Added 1" in status and f"skipped 1: {folder / 'photo.txt'}" in status
    assert sorted(path.name for path in seed_copy.corpus_dir.rglob("*.txt") if "incoming" in path.parts) == [
        "bridge.txt"
    ]
    assert (folder / "photo.txt").exists()
