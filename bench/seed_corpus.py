"""Benchmark on the shipped seed corpus: index build time, passages/s, and a cold `qa ask` process.

Reproduce:  .venv/bin/python bench/seed_corpus.py [--corpus corpus] [--runs 3]
Builds a fresh index in a temporary directory, so the repository's own index/ is left alone.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from qa.config import Settings
from qa.engine import Engine

QUESTION = "Who denied sales to Russia?"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=Path("corpus"))
    parser.add_argument("--runs", type=int, default=3, help="cold `qa ask` processes to time")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        sys.exit(f"No corpus directory at {args.corpus}")

    with tempfile.TemporaryDirectory(prefix="qa-bench-") as scratch:
        index_dir = Path(scratch) / "index"
        engine = Engine(Settings(corpus_dir=args.corpus, index_dir=index_dir))
        started = time.perf_counter()
        engine.load_model()
        model_seconds = time.perf_counter() - started
        started = time.perf_counter()
        report = engine.build_index()
        build_seconds = time.perf_counter() - started

        env = {**os.environ, "QA_INDEX": str(index_dir), "QA_CORPUS": str(args.corpus), "HF_HUB_OFFLINE": "1"}
        qa = Path(sys.executable).with_name("qa")
        command = [str(qa), "ask", QUESTION, "--json"]
        timings = []
        for _ in range(args.runs):
            started = time.perf_counter()
            subprocess.run(command, env=env, check=True, capture_output=True)
            timings.append(time.perf_counter() - started)

    print(f"corpus                 {args.corpus} ({report.articles} articles, {report.passages} passages)")
    print(f"model load (in process) {model_seconds:5.2f} s")
    print(f"index build            {build_seconds:6.2f} s  (model already loaded)")
    print(f"passages/s             {report.passages / build_seconds:6.1f}")
    print(f"cold `qa ask` process  median {statistics.median(timings):.2f} s, "
          f"min {min(timings):.2f} s over {args.runs} runs  ({QUESTION!r})")
    print(f"reproduce: {sys.executable} bench/seed_corpus.py --corpus {args.corpus} --runs {args.runs}")


if __name__ == "__main__":
    main()
