"""Calibrate the answer-or-abstain decision (qa/abstention.py) on a real archive, at more than one scale.

For every question of a JSONL file (`{"question", "answer"}`, answer null: the archive cannot answer it) and
every archive given, the evidence `qa ask` decides from is gathered once, by the same code
(`qa.answer.abstention_evidence`). The seed corpus (built in a temporary folder) with bench/calibrate_abstention.py's
seed and general-knowledge questions is always added, as the two-article extreme. Then:

1. a logistic combination of best similarity, margin over the question's typical score and coverage of its
   content words is fitted (numpy gradient descent on standardised features; every archive and class weighs
   the same); questions naming a year the evidence does not hold abstain before the score is read;
2. its operating point is then searched (`operating_point`): each weight scaled by one of SCALES, the bias
   set so that EVERY archive answers TARGET_ANSWERED of its answerable questions, the weights abstaining most
   on the archive that abstains least kept; the result is printed as the constants to commit (FITTED);
3. the same two steps are repeated on random halves of the questions and rated on the other half (held-out);
4. the constants in qa/abstention.py are rated on each archive, by question kind, beside the old rule (abstain
   only when nothing reaches `min_similarity`), through qa.abstention.decide itself.

    .venv/bin/python bench/calibrate_archive_abstention.py --questions bench/news_dev/questions.jsonl \\
        --questions bench/news_dev/quiz_rewordings.jsonl \\
        --archive reuters-full=/tmp/abstain2-reuters/corpus:/tmp/abstain2-reuters/index \\
        --archive reuters-1115=/tmp/abstain2-dev-corpus:/tmp/abstain2-dev-index \\
        --evidence /tmp/abstain2-evidence.json

Each `--archive NAME=CORPUS:INDEX` names an index already built by `qa index` (this script only reads it).
"""

from __future__ import annotations

import argparse
import itertools
import json
import shutil
import sys
import tempfile
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
from calibrate_abstention import OFF_TOPIC, SEED_QUESTIONS

from qa.abstention import FITTED, AbstentionEvidence, ScoreWeights, decide
from qa.answer import abstention_evidence
from qa.config import Settings
from qa.engine import Engine

REPO = Path(__file__).resolve().parents[1]
TARGET_ANSWERED = 0.98
"""The share of answerable questions the threshold keeps answering on every archive (the goal: 98 %)."""
SPLITS = 20
SCALES = (0.25, 0.375, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0)
"""Multiples of each logistic weight the operating-point search tries."""
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
        return [e.best_similarity, e.margin, e.scored_coverage]


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


def fit(observations: list[Observation], *, steps: int = 4000, l2: float = 0.01) -> ScoreWeights:
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
    threshold = min(
        _threshold([o for o in observations if o.archive == archive and o.answerable], raw_w, raw_b)
        for archive in dict.fromkeys(o.archive for o in observations if o.answerable)
    )
    best, margin, coverage = (float(w) for w in raw_w)
    return ScoreWeights(best=best, margin=margin, coverage=coverage, bias=float(raw_b - threshold))


def _threshold(answerable: list[Observation], raw_w: np.ndarray, raw_b: float) -> float:
    """The highest score threshold at which TARGET_ANSWERED of one archive's answerable questions still answer
    (a question a year rule or the floor already abstains counts as lost), so every archive meets it, not only
    all of them pooled."""
    floor = Settings().min_similarity
    decidable = [o for o in answerable if not o.evidence.unmatched_years and o.evidence.best_similarity >= floor]
    scores = np.sort([float(np.dot(raw_w, o.features()) + raw_b) for o in decidable])
    may_lose = int(np.floor(len(answerable) * (1 - TARGET_ANSWERED) + 1e-9)) - (len(answerable) - len(decidable))
    return float(scores[max(may_lose, 0)]) if len(scores) else 0.0


def operating_point(observations: list[Observation], start: ScoreWeights) -> ScoreWeights:
    """The weights, near the logistic fit's direction, that abstain most on the archive abstaining least while
    every archive still answers TARGET_ANSWERED of its answerable questions.

    The logistic fit maximises likelihood over all questions, not the rate at the threshold that matters; each
    weight is scaled by one of SCALES (so the search stays within a few multiples of the fit) and the bias set
    per `_threshold`; ties go to the highest mean abstention, then to the fit's own weights."""
    archives = list(dict.fromkeys(o.archive for o in observations))
    best_key: tuple[float, float, float] | None = None
    chosen = start
    for best_scale, margin_scale, coverage_scale in itertools.product(SCALES, repeat=3):
        raw_w = np.array([start.best * best_scale, start.margin * margin_scale, start.coverage * coverage_scale])
        threshold = min(
            _threshold([o for o in observations if o.archive == archive and o.answerable], raw_w, 0.0)
            for archive in dict.fromkeys(o.archive for o in observations if o.answerable)
        )
        weights = ScoreWeights(*(float(w) for w in raw_w), bias=-threshold)
        abstained = [
            rates([o for o in observations if o.archive == archive], _decided(observations, archive, weights))[1]
            for archive in archives
            if any(not o.answerable for o in observations if o.archive == archive)
        ]
        closeness = -abs(np.log([best_scale, margin_scale, coverage_scale])).sum()
        key = (min(abstained), float(np.mean(abstained)), float(closeness))
        if best_key is None or key > best_key:
            best_key, chosen = key, weights
    return chosen


def _decided(observations: list[Observation], archive: str, weights: ScoreWeights) -> list[bool]:
    floor = Settings().min_similarity
    return [answers(o, weights, min_similarity=floor) for o in observations if o.archive == archive]


def answers(observation: Observation, weights: ScoreWeights, *, min_similarity: float) -> bool:
    """What `qa ask` would decide with these weights: qa.abstention.decide itself."""
    return decide(observation.evidence, min_similarity=min_similarity, weights=weights).answer


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

    fitted = operating_point(observations, fit(observations))
    print(
        "\nfitted on all (logistic direction, then the operating point): answer when "
        + " + ".join(
            f"{w:.2f} * {f}" for w, f in zip((fitted.best, fitted.margin, fitted.coverage), FEATURES, strict=True)
        )
        + f" + ({fitted.bias:.2f}) >= 0, no unmatched year, best >= min_similarity"
    )

    rng = np.random.default_rng(15)
    held_out: dict[str, list[tuple[float, float]]] = {archive: [] for archive in archives}
    texts = sorted({o.question for o in observations})
    for _ in range(SPLITS):
        half = set(rng.permutation(texts)[: len(texts) // 2].tolist())
        chosen = [o for o in observations if o.question in half]
        half_fit = operating_point(chosen, fit(chosen))
        for archive in archives:
            rest = [o for o in observations if o.archive == archive and o.question not in half]
            held_out[archive].append(
                rates(rest, [answers(o, half_fit, min_similarity=settings.min_similarity) for o in rest])
            )
    print(f"\nheld-out halves ({SPLITS} random splits by question; fit on one half, rated on the other): mean (sd)")
    for archive in archives:
        answered, abstained = np.array(held_out[archive]).T
        print(
            f"  {archive:<14} answered {answered.mean():.3f} ({answered.std():.3f})  "
            f"abstained {abstained.mean():.3f} ({abstained.std():.3f})"
        )

    print("\nthe weights fitted on all, on each archive (answered / abstained):")
    for archive in archives:
        mine = [o for o in observations if o.archive == archive]
        print(f"  {archive:<14} " + "/".join(f"{r:.3f}" for r in rates(mine, _decided(observations, archive, fitted))))
    print(f"\nqa/abstention.py as committed (min_similarity {settings.min_similarity}), against the old rule:")
    for archive in archives:
        mine = [o for o in observations if o.archive == archive]
        now = [answers(o, FITTED, min_similarity=settings.min_similarity) for o in mine]
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
        moved = replace(FITTED, bias=FITTED.bias + shift)
        cells = []
        for archive in archives:
            mine = [o for o in observations if o.archive == archive]
            decided = [answers(o, moved, min_similarity=settings.min_similarity) for o in mine]
            cells.append(f"{archive} {'/'.join(f'{rate:.3f}' for rate in rates(mine, decided))}")
        print(f"  bias {moved.bias:+.2f}: " + ",  ".join(cells))
    print("\nreproduce: .venv/bin/python bench/calibrate_archive_abstention.py " + " ".join(sys.argv[1:]))


if __name__ == "__main__":
    main()
