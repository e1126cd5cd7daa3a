"""The same behaviour on every storage backend: seed questions, filters, abstention, incremental add and remove.

Each test runs on the embedded index, on milvus-lite in-process and on milvus-lite's gRPC server
(a real process on a free local port), with the real model; the agreement tests compare each Milvus
backend with the embedded index.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from qa.engine import Engine
from qa.errors import IndexMismatchError
from qa.models import SearchFilters
from qa.store.records import MetaKey
from qa.tui.app import QAApp
from qa.tui.widgets.answer_card import AnswerCard
from tests.support.archive import write_archive
from tests.support.backends import BACKENDS, OTHER_BACKENDS, backend_settings
from tests.support.fake_encoder import HashingEncoder
from tests.support.seeds import FORBES, KYIV, copy_seed_corpus

QUESTIONS = (
    "Who denied sales to Russia?",
    "Are Starlink terminals used by Russian forces?",
    "What did Forbes ask SpaceX?",
)
FERRY = (
    "The harbour ferries stopped running on Tuesday after the crews walked out over pay. "
    "Passengers waited for hours at the terminal while the operator tried to find replacement crews. "
    "The union said the strike would last until the operator returned to talks about wages and shifts. "
    "Traders on the island said deliveries of fruit and fuel were already running late."
)


@pytest.fixture(scope="module", params=BACKENDS)
def seeded(request, tmp_path_factory, embedder):
    """An engine over the seed corpus indexed on one backend (read-only)."""
    root = tmp_path_factory.mktemp(request.param)
    with backend_settings(request.param, root, copy_seed_corpus(root / "corpus")) as settings:
        engine = Engine(settings, embedder=embedder)
        report = engine.build_index()
        assert sorted(report.added) == [FORBES, KYIV] and report.skipped == []
        yield engine
        engine.close()


@pytest.fixture(params=BACKENDS)
def fresh(request, tmp_path, embedder):
    """An engine on one backend over a private seed corpus, not indexed yet."""
    with backend_settings(request.param, tmp_path, copy_seed_corpus(tmp_path / "corpus")) as settings:
        engine = Engine(settings, embedder=embedder)
        yield engine
        engine.close()


def _cited(answer) -> list[tuple[str | None, str]]:
    return [(hit.citation.outlet, hit.text) for hit in answer.passages]


def test_the_denial_is_found_with_both_outlets(seeded):
    answer = seeded.ask("Who denied sales to Russia?")
    outlets = [hit.citation.outlet for hit in answer.passages[:3]]
    assert "The Kyiv Independent" in outlets and "Forbes" in outlets
    assert "Musk (The Kyiv Independent, 11 Feb 2024)" in answer.summary and "(Forbes, 11 Feb 2024)" in answer.summary
    assert [c.outlet for c in answer.corroboration] == ["Forbes"]


@pytest.mark.parametrize("seeded", OTHER_BACKENDS, indirect=True)
@pytest.mark.parametrize("question", QUESTIONS)
def test_answers_are_the_same_as_the_embedded_index(seeded, seed_engine, question):
    assert seeded.settings.backend != seed_engine.settings.backend  # two backends, not one with itself
    ours, embedded = seeded.ask(question), seed_engine.ask(question)
    # Every question is answered from the seeds: two abstentions would agree and prove nothing.
    assert not embedded.abstained and embedded.passages
    # The same passages, attributed and highlighted alike. Their order may differ where two are close:
    # Milvus's BM25 has one field, so a title counts as much as the text (half as much in SQLite).
    assert sorted(_cited(ours)) == sorted(_cited(embedded))
    highlights = {hit.text: hit.highlight for hit in embedded.passages}
    assert all(hit.highlight == highlights[hit.text] for hit in ours.passages)
    assert {c.outlet for c in ours.corroboration} <= {hit.citation.outlet for hit in embedded.passages}


@pytest.mark.parametrize("seeded", OTHER_BACKENDS, indirect=True)
def test_status_counts_match_the_embedded_index(seeded, seed_engine):
    assert seeded.settings.backend != seed_engine.settings.backend
    assert seeded.status().counts == seed_engine.status().counts
    assert seeded.status().model == seed_engine.status().model


def test_an_outlet_filter_keeps_only_that_outlet(seeded):
    answer = seeded.ask("Who denied sales to Russia?", filters=SearchFilters(outlets=["FORBES"]))
    assert answer.passages and {hit.citation.outlet for hit in answer.passages} == {"Forbes"}


def test_a_date_filter_that_matches_nothing_says_so(seeded):
    answer = seeded.ask("Who denied sales to Russia?", filters=SearchFilters(until=dt.date(2024, 2, 10)))
    assert answer.abstained and not answer.passages
    assert "No article in the index matches the filters" in answer.message


def test_a_date_range_keeps_the_articles_inside_it(seeded):
    filters = SearchFilters(since=dt.date(2024, 2, 11), until=dt.date(2024, 2, 11))
    answer = seeded.ask("Who denied sales to Russia?", filters=filters)
    assert answer.passages and {hit.citation.published for hit in answer.passages} == {dt.date(2024, 2, 11)}


def test_an_off_topic_question_abstains(seeded):
    answer = seeded.ask("What is the melting point of tungsten?")
    assert answer.abstained and answer.passages == []


def test_incremental_add_change_and_remove(fresh, embedder):
    first = fresh.build_index()
    seed_counts = fresh.status().counts
    assert sorted(first.added) == [FORBES, KYIV]

    ferry = fresh.corpus_dir / "ferry.txt"
    ferry.write_text(FERRY, encoding="utf-8")
    added = fresh.build_index()
    assert added.added == ["ferry.txt"] and added.unchanged == 2
    answer = fresh.ask("Why did the ferry crews walk out?")
    assert answer.passages[0].text.startswith("The harbour ferries stopped running on Tuesday")
    counts = fresh.status().counts
    assert counts.articles == seed_counts.articles + 1 and counts.files == 3

    ferry.write_text(FERRY.replace("Tuesday", "Wednesday"), encoding="utf-8")
    changed = fresh.build_index()
    assert changed.updated == ["ferry.txt"]
    assert "Wednesday" in fresh.ask("Why did the ferry crews walk out?").passages[0].text
    assert fresh.status().counts == counts  # the old version is gone, nothing doubled

    ferry.unlink()
    removed = fresh.build_index()
    assert removed.removed == ["ferry.txt"]
    assert fresh.status().counts == seed_counts
    after = fresh.ask("Why did the ferry crews walk out?")
    assert all("harbour ferries" not in hit.text for hit in after.passages)

    assert not fresh.build_index().changed


def test_an_index_of_another_model_is_refused(fresh):
    fresh.build_index()
    fresh.index.writer.set_meta(MetaKey.MODEL, "someone/other-model")
    with pytest.raises(IndexMismatchError, match="--rebuild"):
        fresh.ask("Who denied sales to Russia?")


def test_a_syndicated_copy_is_folded_under_the_original(fresh):
    (fresh.corpus_dir / "ferry-reuters.txt").write_text(FERRY, encoding="utf-8")
    (fresh.corpus_dir / "ferry-reuters.meta.json").write_text(
        json.dumps({"outlet": "Reuters", "published": "2024-03-01"}), encoding="utf-8"
    )
    (fresh.corpus_dir / "ferry-daily.txt").write_text(FERRY, encoding="utf-8")
    (fresh.corpus_dir / "ferry-daily.meta.json").write_text(
        json.dumps({"outlet": "The Daily Ferry", "published": "2024-03-02"}), encoding="utf-8"
    )
    report = fresh.build_index()
    assert [item.path for item in report.folded] == ["ferry-daily.txt"]
    [hit] = [h for h in fresh.ask("Why did the ferry crews walk out?").passages if "harbour ferries" in h.text][:1]
    assert hit.outlet == "Reuters"
    assert [(s.outlet, s.published) for s in hit.also_published_by] == [("The Daily Ferry", dt.date(2024, 3, 2))]

    (fresh.corpus_dir / "ferry-reuters.txt").unlink()
    (fresh.corpus_dir / "ferry-reuters.meta.json").unlink()
    fresh.build_index()  # the original goes: the copy comes back as an article of its own
    [hit] = [h for h in fresh.ask("Why did the ferry crews walk out?").passages if "harbour ferries" in h.text][:1]
    assert hit.outlet == "The Daily Ferry" and hit.also_published_by == []


async def test_the_chat_answers_from_each_backend(seeded, embedder):
    app = QAApp(seeded.settings, engine=Engine(seeded.settings, embedder=embedder))
    async with app.run_test(size=(100, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        app.query_one("#question").value = "Who denied sales to Russia?"
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        labels = [str(card.render()).splitlines()[0] for card in app.query(AnswerCard)]
        assert any("The Kyiv Independent · 11 Feb 2024" in label for label in labels[:3])
        assert any("Forbes · 11 Feb 2024" in label for label in labels[:3])


def test_outlet_filters_fold_case_accents_and_a_leading_the(fresh):
    """One normalisation on every backend: "É" matches "é", and "Kyiv Independent" the name with "The"."""
    (fresh.corpus_dir / "ferry.txt").write_text(FERRY, encoding="utf-8")
    (fresh.corpus_dir / "ferry.meta.json").write_text(json.dumps({"outlet": "The Écho du Port"}), encoding="utf-8")
    fresh.build_index()
    for typed in ("The Écho du Port", "écho du port", "ÉCHO DU PORT", "Echo du port"):
        filters = SearchFilters(outlets=[typed])
        answer = fresh.ask("Why did the ferry crews walk out?", filters=filters)
        assert answer.passages and {hit.citation.outlet for hit in answer.passages} == {"The Écho du Port"}, typed
    assert fresh.index.matching_passages(SearchFilters(outlets=["Écho du Ports"])) == 0
    kyiv = fresh.ask("Who denied sales to Russia?", filters=SearchFilters(outlets=["Kyiv Independent"]))
    assert kyiv.passages and {hit.citation.outlet for hit in kyiv.passages} == {"The Kyiv Independent"}


def test_outlets_and_id_prefixes_agree_with_the_embedded_index(tmp_path):
    """The listing (`qa outlets`) and the prefix look-up (`qa show`) read the same from milvus-lite as from the
    embedded index: counts, date ranges, the unknown row, titles, order and the limit."""
    found = {}
    for backend in ("embedded", "milvus-lite"):
        root = tmp_path / backend
        prefix = write_archive(root / "corpus")
        with backend_settings(backend, root, root / "corpus") as settings:
            engine = Engine(settings, embedder=HashingEncoder())
            engine.build_index()
            index = engine.index
            found[backend] = (
                engine.outlets(),
                index.articles_with_prefix(prefix, 10),
                index.articles_with_prefix("", 10),
                index.articles_with_prefix("", 2),
                index.articles_with_prefix("zzzz", 10),
            )
            engine.close()
    assert found["milvus-lite"] == found["embedded"]
    outlets, shared, every, first_two, none = found["embedded"]
    assert [(each.outlet, each.articles, each.undated) for each in outlets] == [
        (None, 3, 3),
        ("Forbes", 2, 1),
        ("The Kyiv Independent", 1, 0),
    ]
    assert len(shared) == 2 and all(each.doc_id.startswith(prefix) for each in shared)
    assert [each.doc_id for each in every] == sorted(each.doc_id for each in every) and len(every) == 6
    assert {each.title for each in every if each.outlet == "Forbes"} != {None}
    assert first_two == every[:2] and none == []


def test_outlet_filters_match_an_index_written_before_accents_and_the_were_folded(tmp_path, embedder):
    """An older qa's Milvus index holds outlets only case-folded ("the kyiv independent"): filters find them."""
    from pymilvus import MilvusClient

    from qa.store.milvus.schema import ARTICLES, PASSAGES

    with backend_settings("milvus-lite", tmp_path, copy_seed_corpus(tmp_path / "corpus")) as settings:
        engine = Engine(settings, embedder=embedder)
        engine.build_index()
        engine.close()
        client = MilvusClient(uri=settings.milvus_uri)
        for collection, fields in ((ARTICLES, ["*"]), (PASSAGES, ["*"])):
            rows = client.query(collection, filter='outlet != ""', output_fields=fields)
            for row in rows:
                row.pop("sparse", None)  # computed by Milvus from the text
                row["outlet"] = {"kyiv independent": "the kyiv independent"}.get(row["outlet"], row["outlet"])
            client.upsert(collection, rows)
        assert {row["outlet"] for row in client.query(PASSAGES, filter='outlet != ""', output_fields=["outlet"])} == {
            "forbes",
            "the kyiv independent",
        }
        client.close()
        engine = Engine(settings, embedder=embedder)
        try:
            for typed in ("The Kyiv Independent", "kyiv independent", "THE KYIV INDEPENDENT"):
                answer = engine.ask("Who denied sales to Russia?", filters=SearchFilters(outlets=[typed]))
                assert answer.passages and {hit.citation.outlet for hit in answer.passages} == {
                    "The Kyiv Independent"
                }, typed
            assert engine.index.matching_passages(SearchFilters(outlets=["Kyiv"])) == 0
        finally:
            engine.close()
