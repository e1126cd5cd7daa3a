"""Sentence vectors stored at index time: what answering uses to mark the answer sentence without a model."""

from __future__ import annotations

import sqlite3

import numpy as np

from qa.engine import Engine
from qa.passages import sentence_spans
from qa.store.index import DB_NAME

QUESTIONS = (
    "Who denied sales to Russia?",
    "What did Ukraine's military intelligence say about Starlink?",
    "Where are Starlink terminals advertised for sale?",
)


def test_every_passage_stores_each_sentence_with_the_models_vector(seed_engine, embedder):
    ids, _ = seed_engine.index.stored_vectors()
    passages = seed_engine.index.passages_with_articles(ids.tolist())
    stored = seed_engine.index.sentence_vectors(ids.tolist())
    assert sorted(stored) == sorted(passages)
    for passage_id, (passage, _) in passages.items():
        sentences = stored[passage_id]
        assert sentences.spans == sentence_spans(passage.text)
        # Pooled from the passage's own forward pass (issue 19), not each sentence encoded again.
        [expected] = embedder.encode_passages([passage.text], [sentences.spans]).sentences
        cosines = np.sum(sentences.vectors * expected, axis=1) / np.linalg.norm(sentences.vectors, axis=1)
        assert cosines.min() > 0.999, passage.text  # float16 storage, same vectors


def test_answers_from_stored_sentences_match_answers_that_embed_them_at_query_time(seed_copy, embedder):
    stored_engine = Engine(seed_copy, embedder=embedder)
    from_index = [stored_engine.ask(question) for question in QUESTIONS]
    stored_engine.close()
    # An index from before format 4 has no sentence vectors: answering embeds the sentences itself.
    connection = sqlite3.connect(seed_copy.index_dir / DB_NAME)
    connection.execute("UPDATE passages SET sentence_spans = NULL, sentence_vectors = NULL")
    connection.commit()
    connection.close()
    fallback_engine = Engine(seed_copy, embedder=embedder)
    assert fallback_engine.index.sentence_vectors(list(range(100))) == {}
    at_query_time = [fallback_engine.ask(question) for question in QUESTIONS]
    fallback_engine.close()
    for stored, embedded in zip(from_index, at_query_time, strict=True):
        assert [(h.doc_id, h.highlight) for h in stored.passages] == [
            (h.doc_id, h.highlight) for h in embedded.passages
        ]
        assert np.allclose(
            [h.similarity for h in stored.passages], [h.similarity for h in embedded.passages], atol=2e-3
        )
