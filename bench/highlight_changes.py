"""How often the highlighted sentence changes with one-pass sentence vectors (issue 19).

Before, each sentence of a passage was encoded on its own; now its vector is pooled from the
passage's forward pass (`encode_passages`). For each question, the top passages by passage
vector are taken, each passage's sentence closest to the question is picked both ways, and the
picks are compared. Also printed: how the best sentence's cosine moves (it can raise a passage's
similarity, which abstention compares with `min_similarity`).

Seed questions run on the seed corpus; SciFact test queries on their judged documents plus
`--distractors` others (a subset: the whole corpus twice over is too much CPU for a shared machine).

Reproduce:  HF_HUB_OFFLINE=1 nice .venv/bin/python bench/highlight_changes.py \\
    --scifact ../shared/eval-data/beir-scifact [--queries 300] [--distractors 500] [--top 5]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from calibrate_abstention import SEED_QUESTIONS

from qa.config import BUNDLED_MODEL
from qa.embed import encode_sentences_separately
from qa.encoders import export_query_encoder, load_query_encoder
from qa.encoders.runtime import QueryEncoder, available_cores
from qa.eval import load_beir
from qa.ingest import read_file
from qa.passages import chunk_text, sentence_spans

REPO = Path(__file__).resolve().parents[1]


@dataclass
class Changes:
    label: str
    pairs: int = 0
    multi_sentence: int = 0
    changed: int = 0
    top1_multi: int = 0
    top1_changed: int = 0
    raised_before: int = 0
    raised_after: int = 0
    best_shift: float = 0.0

    def line(self) -> str:
        return (
            f"{self.label:<10} question-passage pairs {self.pairs:>5}; multi-sentence {self.multi_sentence:>5}; "
            f"highlight changed {self.changed / max(self.multi_sentence, 1):6.1%} "
            f"(top passage only: {self.top1_changed / max(self.top1_multi, 1):6.1%} of {self.top1_multi}); "
            f"best-sentence cosine above the passage's: before {self.raised_before / max(self.pairs, 1):.1%}, "
            f"after {self.raised_after / max(self.pairs, 1):.1%}; mean shift of best-sentence cosine "
            f"{self.best_shift / max(self.multi_sentence, 1):+.4f}"
        )


def compare(label: str, encoder: QueryEncoder, passages: list[str], questions: list[str], top: int) -> Changes:
    spans = [sentence_spans(text) for text in passages]
    encoded = encoder.encode_passages(passages, spans)
    queries = np.stack([encoder.encode_query(q) for q in questions])
    ranked = np.argsort(-(queries @ encoded.passages.T), axis=1)[:, :top]
    chosen = sorted({int(i) for row in ranked for i in row})
    alone = encode_sentences_separately(encoder, [passages[i] for i in chosen], [spans[i] for i in chosen])
    old = dict(zip(chosen, alone.sentences, strict=True))
    changes = Changes(label)
    for query, row in zip(queries, ranked, strict=True):
        for rank, number in enumerate(int(i) for i in row):
            new_scores, old_scores = encoded.sentences[number] @ query, old[number] @ query
            passage_score = float(encoded.passages[number] @ query)
            changes.pairs += 1
            changes.raised_before += bool(len(old_scores)) and float(old_scores.max()) > passage_score
            changes.raised_after += bool(len(new_scores)) and float(new_scores.max()) > passage_score
            if len(spans[number]) < 2:
                continue
            changes.multi_sentence += 1
            changes.best_shift += float(new_scores.max() - old_scores.max())
            moved = int(np.argmax(new_scores)) != int(np.argmax(old_scores))
            changes.changed += moved
            if rank == 0:
                changes.top1_multi += 1
                changes.top1_changed += moved
    return changes


def seed_passages() -> list[str]:
    corpus = REPO / "corpus"
    passages = []
    for path in sorted(corpus.glob("*.txt")):
        for article in read_file(path, corpus_dir=corpus):
            passages += [article.text[start:end] for start, end in chunk_text(article.text)]
    return passages


def scifact(directory: Path, queries: int, distractors: int) -> tuple[list[str], list[str]]:
    """(passages, questions): sampled test queries, their judged documents and some others, chunked."""
    if not (directory / "corpus.jsonl").is_file():
        sys.exit(f"BEIR SciFact not found in {directory} (pass --scifact DIR from ../shared/eval-data).")
    dataset = load_beir(directory)
    rng = random.Random(19)
    judged = sorted(dataset.qrels)
    sample = rng.sample(judged, min(queries, len(judged)))
    relevant = {doc for query in sample for doc in dataset.qrels[query]}
    others = rng.sample(sorted(set(dataset.corpus) - relevant), distractors)
    passages = []
    for doc in sorted(relevant) + others:
        title, text = dataset.corpus[doc]
        body = f"{title}\n\n{text}" if title else text
        passages += [body[start:end] for start, end in chunk_text(body)]
    return passages, [dataset.queries[query] for query in sample]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scifact", type=Path, default=Path("../shared/eval-data/beir-scifact"))
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--distractors", type=int, default=500)
    parser.add_argument("--top", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="qa-highlights-") as scratch:
        export_query_encoder(BUNDLED_MODEL, Path(scratch) / "encoder")
        encoder = load_query_encoder(Path(scratch) / "encoder", BUNDLED_MODEL, threads=available_cores())
    print(compare("seeds", encoder, seed_passages(), SEED_QUESTIONS, args.top).line())
    passages, questions = scifact(args.scifact, args.queries, args.distractors)
    print(f"SciFact: {len(questions)} test queries over {len(passages)} passages")
    print(compare("SciFact", encoder, passages, questions, args.top).line())
    print(
        f"reproduce: HF_HUB_OFFLINE=1 nice {sys.executable} bench/highlight_changes.py --scifact {args.scifact} "
        f"--queries {args.queries} --distractors {args.distractors} --top {args.top}"
    )


if __name__ == "__main__":
    main()
