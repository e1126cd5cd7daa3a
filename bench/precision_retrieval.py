"""Retrieval with an fp32 vs an int8 document encoder: SciFact nDCG@10 through the real build and eval (issue 19).

Each precision's export embeds a SciFact index through `Engine.build_index` (passages and their
one-pass sentence vectors, as `qa index` does) and answers the judged test queries through
`qa.eval.evaluate`, the code behind `qa eval`; the int8 index is also asked with fp32 question
vectors ("int8/qfp32"), to choose the questions' precision. int8 may become the default only if hybrid
nDCG@10 stays within 0.005 of fp32.

The corpus is every document judged for a test query plus `--docs` in all (seeded sample of the
rest): the whole 5,183-document corpus embedded twice is more CPU than a shared machine has.
`--keep DIR` keeps the fp32 work directory (DIR/corpus, DIR/index) for bench/calibrate_abstention.py.

Reproduce:  HF_HUB_OFFLINE=1 nice .venv/bin/python bench/precision_retrieval.py \\
    --scifact ../shared/eval-data/beir-scifact [--docs 1500] [--keep /tmp/scifact-work]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

from qa.config import BUNDLED_MODEL, Settings
from qa.encoders import export_query_encoder, load_query_encoder
from qa.encoders.runtime import available_cores
from qa.engine import Engine
from qa.errors import QAError
from qa.eval import BeirDataset, evaluate, load_beir, write_corpus


def subset(dataset: BeirDataset, size: int) -> BeirDataset:
    """All judged documents, then a seeded sample of the others up to `size` documents."""
    relevant = {doc for judged in dataset.qrels.values() for doc in judged}
    others = sorted(set(dataset.corpus) - relevant)
    chosen = relevant | set(random.Random(19).sample(others, max(0, min(len(others), size - len(relevant)))))
    corpus = {doc: dataset.corpus[doc] for doc in sorted(chosen)}
    return BeirDataset(f"{dataset.name}-{len(corpus)}", corpus, dataset.queries, dataset.qrels)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scifact", type=Path, default=Path("../shared/eval-data/beir-scifact"))
    parser.add_argument("--docs", type=int, default=1500, help="documents in the corpus (judged ones always in)")
    parser.add_argument("--keep", type=Path, help="keep the fp32 work directory here")
    args = parser.parse_args()
    try:
        dataset = subset(load_beir(args.scifact), args.docs)
    except QAError as error:
        sys.exit(str(error))
    print(f"{dataset.name}: {len(dataset.corpus)} documents, {len(dataset.qrels)} judged test queries")
    print(f"{'precision':<10}{'mode':<8}{'nDCG@10':>9}{'R@10':>8}{'R@100':>8}{'build s':>9}")
    scores = {}
    query_encoders = {}
    with tempfile.TemporaryDirectory(prefix="qa-precision-") as scratch:
        for precision in ("fp32", "int8"):
            work = Path(scratch) / precision
            export_query_encoder(BUNDLED_MODEL, work / "export", precision=precision)
            encoder = load_query_encoder(work / "export", BUNDLED_MODEL, threads=available_cores())
            settings = Settings(corpus_dir=work / "corpus", index_dir=work / "index")
            file_to_doc = write_corpus(dataset, settings.corpus_dir)
            engine = Engine(settings, embedder=encoder)
            started = time.perf_counter()
            engine.build_index()
            built = time.perf_counter() - started
            query_encoders[precision] = encoder
            for queries in ("fp32", precision) if precision != "fp32" else ("fp32",):
                label = precision if queries == precision else f"{precision}/q{queries}"
                report = evaluate(
                    dataset, engine.index, query_encoders[queries], file_to_doc, modes=("hybrid", "dense")
                )
                for row in report.scores:
                    scores[(label, row.mode)] = row.ndcg_at_10
                    print(
                        f"{label:<10}{row.mode:<8}{row.ndcg_at_10:>9.4f}{row.recall_at_10:>8.4f}"
                        f"{row.recall_at_100:>8.4f}{built:>9.0f}"
                    )
            engine.close()
            if precision == "fp32" and args.keep:
                shutil.rmtree(args.keep, ignore_errors=True)
                shutil.copytree(work, args.keep, ignore=shutil.ignore_patterns("export"))
    drop = scores[("fp32", "hybrid")] - scores[("int8", "hybrid")]
    print(f"hybrid nDCG@10 fp32 - int8: {drop:+.4f} ({'within' if drop <= 0.005 else 'beyond'} 0.005)")
    drop = scores[("fp32", "hybrid")] - scores[("int8/qfp32", "hybrid")]
    print(f"hybrid nDCG@10 fp32 - int8 documents with fp32 questions: {drop:+.4f}")
    keep = f" --keep {args.keep}" if args.keep else ""
    print(
        f"reproduce: HF_HUB_OFFLINE=1 nice {sys.executable} bench/precision_retrieval.py --scifact {args.scifact} "
        f"--docs {args.docs}{keep}"
    )


if __name__ == "__main__":
    main()
