"""Calibrate the abstention threshold: how similar is the best passage for answerable vs off-topic questions?

For each question the score is what `qa ask` compares with `min_similarity`, the floor below which it always
abstains: the highest cosine similarity, over the retrieved passages, of the passage or its best sentence (above
the floor, qa/abstention.py decides; bench/calibrate_archive_abstention.py calibrates that). Answerable questions
are the seed questions on the seed corpus and, when a BEIR index is given, the judged SciFact
queries on SciFact. Off-topic ones are general-knowledge questions, and each corpus's questions
asked of the other corpus. The printed threshold maximises balanced accuracy.

    .venv/bin/python bench/calibrate_abstention.py [--beir-dir ../shared/eval-data/beir-scifact \
        --beir-work ~/.cache/qa/eval/beir-scifact-XXXX]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from qa.answer import abstention_evidence
from qa.config import Settings
from qa.embed import Embedder
from qa.engine import Engine
from qa.eval import load_beir

REPO = Path(__file__).resolve().parents[1]
SEED_QUESTIONS = [
    "Who denied sales to Russia?",
    "Which brigade was using Starlink?",
    "What did Musk order in Crimea in 2022?",
    "Who confirmed a Pentagon contract for Starlink?",
    "What did SpaceX call the Starlink sales advertised by Russian companies?",
    "What did Gwynne Shotwell say at the FAA conference?",
    "How long was the audio clip released by the agency?",
    "When did SpaceX start providing Starlink to Ukraine?",
    "Would Starlink satellites connect in Russia?",
    "What did Andriy Yusov say about Russian soldiers using Starlink?",
    "Why did Musk turn off Starlink near Sevastopol?",
    "Does SpaceX do business with the Russian government?",
    "What evidence did Ukrainian intelligence publish?",
    "Is Starlink used by Russian troops?",
    "Who uses Starlink on the front line?",
]
OFF_TOPIC = [
    "What is the boiling point of tungsten?",
    "Who won the 1998 World Cup?",
    "How do I bake sourdough bread?",
    "What is the capital of Australia?",
    "Who painted the Mona Lisa?",
    "How many moons does Jupiter have?",
    "What is the best way to learn the piano?",
    "When was the Magna Carta signed?",
    "What is the airspeed velocity of an unladen swallow?",
    "Which team won the NBA finals in 2016?",
    "How do you change a car tire?",
    "What is the plot of Pride and Prejudice?",
    "What are the symptoms of the common cold?",
    "Who invented the telephone?",
    "How tall is Mount Kilimanjaro?",
    "What is the recipe for guacamole?",
    "Who wrote the Odyssey?",
    "What is photosynthesis?",
    "How does a refrigerator work?",
    "What time zone is Tokyo in?",
]


def best_similarity(engine: Engine, question: str) -> float:
    """The floor's score, read from the evidence `qa ask` decides from (an answer may abstain above the floor)."""
    return abstention_evidence(engine.index, engine.embedder, question).best_similarity


def describe(label: str, scores: list[float]) -> str:
    quartiles = statistics.quantiles(scores, n=4) if len(scores) > 1 else scores * 3
    return (
        f"{label:<34} n={len(scores):<4} min {min(scores):.3f}  q1 {quartiles[0]:.3f}  "
        f"median {quartiles[1]:.3f}  q3 {quartiles[2]:.3f}  max {max(scores):.3f}"
    )


def best_threshold(answerable: list[float], off_topic: list[float]) -> tuple[float, float]:
    candidates = sorted(set(answerable + off_topic))
    best = (0.0, 0.0)
    for low, high in zip(candidates, candidates[1:], strict=False):
        threshold = (low + high) / 2
        recall = sum(s >= threshold for s in answerable) / len(answerable)
        rejection = sum(s < threshold for s in off_topic) / len(off_topic)
        balanced = (recall + rejection) / 2
        if balanced > best[1]:
            best = (threshold, balanced)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--beir-dir", type=Path, help="a BEIR directory (e.g. ../shared/eval-data/beir-scifact)")
    parser.add_argument("--beir-work", type=Path, help="the --work directory `qa eval` built for it")
    args = parser.parse_args()
    embedder = Embedder()
    groups: dict[str, tuple[list[float], bool]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        shutil.copytree(REPO / "corpus", corpus)
        seeds = Engine(Settings(corpus_dir=corpus, index_dir=Path(tmp) / "index"), embedder=embedder)
        seeds.build_index()
        groups["seed questions on seeds"] = ([best_similarity(seeds, q) for q in SEED_QUESTIONS], True)
        groups["general knowledge on seeds"] = ([best_similarity(seeds, q) for q in OFF_TOPIC], False)
        if args.beir_dir and args.beir_work:
            if not (args.beir_work / "index").is_dir():
                sys.exit(f"No index in {args.beir_work}/index: run `qa eval {args.beir_dir} --work {args.beir_work}`.")
            beir = load_beir(args.beir_dir)
            queries = [beir.queries[q] for q in sorted(beir.qrels)][:150]
            science = Engine(
                Settings(corpus_dir=args.beir_work / "corpus", index_dir=args.beir_work / "index"), embedder=embedder
            )
            groups["SciFact queries on SciFact"] = ([best_similarity(science, q) for q in queries], True)
            groups["SciFact queries on seeds"] = ([best_similarity(seeds, q) for q in queries], False)
            groups["seed questions on SciFact"] = ([best_similarity(science, q) for q in SEED_QUESTIONS], False)
            groups["general knowledge on SciFact"] = ([best_similarity(science, q) for q in OFF_TOPIC], False)
    for label, (scores, _) in groups.items():
        print(describe(label, scores))
    answerable = [s for scores, ok in groups.values() if ok for s in scores]
    off_topic = [s for scores, ok in groups.values() if not ok for s in scores]
    threshold, balanced = best_threshold(answerable, off_topic)
    print(f"\nthreshold maximising balanced accuracy: {threshold:.3f} (balanced accuracy {balanced:.3f})")
    for value in (0.25, 0.30, 0.35, 0.40, 0.45):
        recall = sum(s >= value for s in answerable) / len(answerable)
        rejection = sum(s < value for s in off_topic) / len(off_topic)
        print(f"  at {value:.2f}: answers {recall:.1%} of answerable, abstains on {rejection:.1%} of off-topic")
    print("\nreproduce: .venv/bin/python bench/calibrate_abstention.py " + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()
