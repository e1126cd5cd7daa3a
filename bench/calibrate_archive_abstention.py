"""Calibrate the answer-or-abstain decision (qa/abstention.py) on a real archive, at more than one scale.

For every question of a JSONL file (`{"question", "answer"}`, answer null: the archive cannot answer it) and
every archive given, the evidence `qa ask` decides from is gathered once, by the same code
(`qa.answer.abstention_evidence`). The seed corpus (built in a temporary folder) with bench/calibrate_abstention.py's
seed and general-knowledge questions is always added, as the two-article extreme. Then:

1. a logistic combination of best similarity, margin over the question's typical score and coverage of its
   content words is fitted (numpy gradient descent on standardised features; every archive and class weighs
   the same), its threshold set so that TARGET_ANSWERED of the answerable questions answer; questions naming a
   year the evidence does not hold abstain before the score is read;
2. the same fit is repeated on random halves of the questions and rated on the other half (held-out rates);
3. the constants in qa/abstention.py (rounded from step 1) are rated on each archive, by question kind, beside
   the old rule (abstain only when nothing reaches `min_similarity`).

    .venv/bin/python bench/calibrate_archive_abstention.py --questions bench/news_dev/questions.jsonl \\
        --questions bench/news_dev/quiz_rewordings.jsonl \\
        --archive reuters-full=/tmp/abstain-reuters/corpus:/tmp/abstain-reuters/index \\
        --archive reuters-1115=/tmp/evalqa/corpus:/tmp/abstain-evalqa-index

Each `--archive NAME=CORPUS:INDEX` names an index already built by `qa index` (this script only reads it).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from calibrate_abstention import OFF_TOPIC, SEED_QUESTIONS

from qa.abstention import BIAS, WEIGHT_BEST, WEIGHT_COVERAGE, WEIGHT_MARGIN, AbstentionEvidence, decide
from qa.answer import abstention_evidence
from qa.config import Settings
from qa.engine import Engine

REPO = Path(__file__).resolve().parents[1]
TARGET_ANSWERED = 0.985
"""The share of answerable questions the fitted threshold keeps answering (the goal is 98 %, with a little room)."""
SPLITS = 20
FEATURES = ("best similarity", "margin", "coverage")


@dataclass(frozen=True)
class Observation:
    archive: str
    question: str
    answerable: bool
    kind: str
    evidence: AbstentionEvidence

    def features(self) -> list[float]:
        e = self.evidence
        return [e.best_similarity, e.margin, e.coverage]


def questions_of(path: Path) -> list[tuple[str, bool, str]]:
    """(question, answerable, kind) per line: an unanswerable question's kind is its note's topic, an answerable
    one's names its file (so each file's answer rate is printed)."""
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            answerable = record["answer"] is not None
            topic = str(record.get("note") or "").split(";")[0].removeprefix("topic: ") or "unanswerable"
            found.append((record["question"], answerable, f"answerable: {path.name}" if answerable else topic))
    return found


def observe(engine: Engine, archive: str, questions: list[tuple[str, bool, str]]) -> list[Observation]:
    encoder = engine.query_encoder
    engine.index.check_model(encoder.name, encoder.dimension)
    return [
        Observation(archive, question, answerable, kind, abstention_evidence(engine.index, encoder, question))
        for question, answerable, kind in questions
    ]


def gather(questions: list[tuple[str, bool, str]], archives: list[str]) -> list[Observation]:
    """The evidence of every question on every archive (NAME=CORPUS:INDEX), then of the seed set on the seeds.

    Questions are embedded as `qa ask` embeds them (the ONNX query encoder); only the seed build loads the model.
    """
    observations: list[Observation] = []
    for spec in archives:
        name, _, folders = spec.partition("=")
        corpus, _, index = folders.partition(":")
        if not Path(index).is_dir():
            sys.exit(f"No index in {index}: build it with `qa index --corpus {corpus} --index {index}`.")
        observations += observe(Engine(Settings(corpus_dir=Path(corpus), index_dir=Path(index))), name, questions)
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(REPO / "corpus", Path(tmp) / "corpus")
        seeds = Engine(Settings(corpus_dir=Path(tmp) / "corpus", index_dir=Path(tmp) / "index"))
        seeds.build_index()
        seed_questions = [(q, True, "answerable") for q in SEED_QUESTIONS]
        seed_questions += [(q, False, "general knowledge") for q in OFF_TOPIC]
        observations += observe(seeds, "seed", seed_questions)
    return observations


def save_observations(path: Path, observations: list[Observation]) -> None:
    records = [{**asdict(o), "evidence": asdict(o.evidence)} for o in observations]
    path.write_text(json.dumps(records), encoding="utf-8")


def load_observations(path: Path) -> list[Observation]:
    observations = []
    for record in json.loads(path.read_text(encoding="utf-8")):
        evidence = record.pop("evidence")
        evidence["unmatched_years"] = tuple(evidence["unmatched_years"])
        observations.append(Observation(**record, evidence=AbstentionEvidence(**evidence)))
    return observations


def fit(observations: list[Observation], *, steps: int = 4000, l2: float = 0.01) -> tuple[np.ndarray, float]:
    """Weights and bias (in raw feature units) of a logistic score, threshold folded into the bias."""
    kept = [o for o in observations if not o.evidence.unmatched_years]
    features = np.array([o.features() for o in kept])
    labels = np.array([o.answerable for o in kept], dtype=float)
    groups = [(o.archive, o.answerable) for o in kept]
    sizes = {group: groups.count(group) for group in set(groups)}
    weights = np.array([1.0 / sizes[group] for group in groups])
    weights *= len(kept) / weights.sum()
    mean, spread = features.mean(axis=0), features.std(axis=0) + 1e-9
    scaled = (features - mean) / spread
    w, b = np.zeros(scaled.shape[1]), 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(scaled @ w + b)))
        gradient = weights * (p - labels)
        w -= 0.1 * (scaled.T @ gradient / len(kept) + l2 * w)
        b -= 0.1 * gradient.mean()
    raw_w = w / spread
    raw_b = b - raw_w @ mean
    answerable_scores = features[labels == 1] @ raw_w + raw_b
    threshold = float(np.quantile(answerable_scores, 1 - TARGET_ANSWERED))
    return raw_w, raw_b - threshold


def answers(observation: Observation, weights: np.ndarray, bias: float, *, min_similarity: float) -> bool:
    e = observation.evidence
    if e.best_similarity < min_similarity or e.unmatched_years:
        return False
    return float(np.dot(weights, observation.features()) + bias) >= 0


def rates(observations: list[Observation], decided: list[bool]) -> tuple[float, float]:
    """(answered share of answerable, abstained share of unanswerable)."""
    answerable = [d for o, d in zip(observations, decided, strict=True) if o.answerable]
    unanswerable = [not d for o, d in zip(observations, decided, strict=True) if not o.answerable]
    return float(np.mean(answerable)), float(np.mean(unanswerable))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--questions", type=Path, action="append", required=True, help="JSONL of {question, answer}; repeatable"
    )
    parser.add_argument("--archive", action="append", default=[], help="NAME=CORPUS:INDEX of a built index")
    parser.add_argument(
        "--evidence", type=Path, help="a JSON file: written with the evidence gathered, read instead when it exists"
    )
    args = parser.parse_args()
    if args.evidence and args.evidence.exists():
        observations = load_observations(args.evidence)
    else:
        observations = gather([q for path in args.questions for q in questions_of(path)], args.archive)
        if args.evidence:
            save_observations(args.evidence, observations)
    settings = Settings()
    archives = list(dict.fromkeys(o.archive for o in observations))

    print("evidence medians (answerable | unanswerable):")
    for archive in archives:
        mine = [o for o in observations if o.archive == archive]
        cells = []
        for position, feature in enumerate(FEATURES):
            medians = [
                np.median([o.features()[position] for o in mine if o.answerable is side]) for side in (True, False)
            ]
            cells.append(f"{feature} {medians[0]:.3f} | {medians[1]:.3f}")
        print(f"  {archive:<14} n={len(mine):<4} " + ";  ".join(cells))

    weights, bias = fit(observations)
    print(
        "\nfitted on all: answer when "
        + " + ".join(f"{w:.2f} * {f}" for w, f in zip(weights, FEATURES, strict=True))
        + f" + ({bias:.2f}) >= 0, no unmatched year, best >= min_similarity"
    )

    rng = np.random.default_rng(15)
    held_out: dict[str, list[tuple[float, float]]] = {archive: [] for archive in archives}
    texts = sorted({o.question for o in observations})
    for _ in range(SPLITS):
        half = set(rng.permutation(texts)[: len(texts) // 2].tolist())
        w, b = fit([o for o in observations if o.question in half])
        for archive in archives:
            rest = [o for o in observations if o.archive == archive and o.question not in half]
            held_out[archive].append(
                rates(rest, [answers(o, w, b, min_similarity=settings.min_similarity) for o in rest])
            )
    print(f"\nheld-out halves ({SPLITS} random splits by question; fit on one half, rated on the other): mean (sd)")
    for archive in archives:
        answered, abstained = np.array(held_out[archive]).T
        print(
            f"  {archive:<14} answered {answered.mean():.3f} ({answered.std():.3f})  "
            f"abstained {abstained.mean():.3f} ({abstained.std():.3f})"
        )

    print(f"\nqa/abstention.py as committed (min_similarity {settings.min_similarity}), against the old rule:")
    for archive in archives:
        mine = [o for o in observations if o.archive == archive]
        now = [decide(o.evidence, min_similarity=settings.min_similarity).answer for o in mine]
        old = [o.evidence.best_similarity >= settings.min_similarity for o in mine]
        (answered, abstained), (old_answered, old_abstained) = rates(mine, now), rates(mine, old)
        kinds = sorted({o.kind for o in mine})
        by_kind = ", ".join(
            f"{kind} {np.mean([d != o.answerable for o, d in zip(mine, now, strict=True) if o.kind == kind]):.2f}"
            for kind in kinds
        )
        print(
            f"  {archive:<14} answered {answered:.3f} abstained {abstained:.3f}   "
            f"(old: {old_answered:.3f} / {old_abstained:.3f});  by kind, the share decided wrongly: {by_kind}"
        )
    print("\nthe committed weights with the bias moved (answered / abstained): a higher bias answers more")
    for shift in (-0.4, -0.2, 0.2, 0.4, 0.6):
        committed = np.array([WEIGHT_BEST, WEIGHT_MARGIN, WEIGHT_COVERAGE])
        cells = []
        for archive in archives:
            mine = [o for o in observations if o.archive == archive]
            decided = [answers(o, committed, BIAS + shift, min_similarity=settings.min_similarity) for o in mine]
            cells.append(f"{archive} {'/'.join(f'{rate:.3f}' for rate in rates(mine, decided))}")
        print(f"  bias {BIAS + shift:+.2f}: " + ",  ".join(cells))
    print("\nreproduce: .venv/bin/python bench/calibrate_archive_abstention.py " + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()
