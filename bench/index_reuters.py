"""Benchmark: a full `qa index` of Reuters-21578, then `qa add` of one article to that index.

Prints articles, passages, passages/s, passage tokens/s, wall time, peak memory and index size on
disk for the build, how its passages were embedded (precision), and the seconds `qa add` takes.
Both run as real `qa` processes, as a user would run them. Beside the tokens/s it prints the fp32
GEMM rate numpy reaches on the model's shapes in the same run, and the share of the ceiling that
rate sets (GEMM FLOP/s / 22 MFLOP per token of all-MiniLM-L6-v2), since the machines that run this
differ. The machines these sessions get also change speed by a quarter or more from one second to
the next (numpy's rate on an idle machine: 110 to 290 GFLOP/s within ten seconds), so the rate is
sampled during the build: every PROBE_EVERY seconds the `qa index` process is paused (SIGSTOP), the
matmul runs for PROBE_SECONDS, and the build goes on (SIGCONT); the build's wall time leaves the
pauses out. The ceiling is the mean of those samples, the rate the hardware offered while the
build ran; the share against the best rate seen in the run (any sample, before or after) is printed with
the same weight, as the floor. `qa index`'s own timing and progress rates include the pauses.
An index left in the work directory by an earlier run is removed first, with its corpus copy:
every run is a build from empty, never an incremental no-op.

    .venv/bin/python bench/index_reuters.py [--data ../shared/eval-data/reuters-21578/reuters21578.jsonl.gz]
        [--workdir DIR] [--limit N]

--limit N indexes only the first N records (written as a .jsonl.gz into the work directory), for
a quick run on a busy machine; without it, the whole collection is indexed.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MODEL_FLOP_PER_TOKEN = 22e6
"""all-MiniLM-L6-v2: six layers of width 384, feed-forward 1536 (about 2 x 11M multiply-adds per token)."""
MODEL_MAX_TOKENS = 256
"""The model's maximum sequence length: what one passage can cost."""
DEFAULT_DATA = REPO.parent / "shared" / "eval-data" / "reuters-21578" / "reuters21578.jsonl.gz"
NEW_ARTICLE = (
    "The port authority said on Monday that container traffic rose for the third month in a row, "
    "helped by new shipping routes to the south. Officials expect the growth to continue into the "
    "autumn, although they warned that a strike by crane operators could slow the terminals.\n\n"
    "Shipping companies welcomed the figures and said they would add two weekly sailings."
)


def directory_size(directory: Path) -> int:
    return sum(path.stat().st_size for path in directory.rglob("*") if path.is_file())


FINISHED_WITH_SKIPS = 3
"""`qa index` finished but left something out (named on stderr): Reuters has copies kept once."""


PROBE_EVERY = 10.0
"""Seconds of build between two samples of the GEMM rate."""
PROBE_SECONDS = 0.5
"""How long each sample runs the matmul, the build paused: about 5% of the build's time, left out of its wall time."""


def qa_command(*args: str) -> list[str]:
    return [str(Path(sys.executable).parent / "qa"), *args]


def check_exit(code: int, args: tuple[str, ...]) -> None:
    if code not in (0, FINISHED_WITH_SKIPS):
        sys.exit(f"`qa {' '.join(args)}` failed with exit code {code}")


def run_qa(*args: str) -> float:
    """Run `qa ARGS` as a real process and return its wall time; stop on failure."""
    started = time.perf_counter()
    result = subprocess.run(qa_command(*args), env={**os.environ, "HF_HUB_OFFLINE": "1"}, check=False)
    check_exit(result.returncode, args)
    return time.perf_counter() - started


def run_qa_sampling_gemm(*args: str) -> tuple[float, list[float]]:
    """Run `qa ARGS` as `run_qa` does, pausing it every PROBE_EVERY seconds to sample the GEMM rate.

    Returns the wall time without the pauses, and the samples (FLOP/s). Pausing stops every thread
    of the process at once, so the build resumes exactly where it was; only the clock moved. On
    any error or interruption (SIGTERM included) the process is let go and killed, never left stopped.
    """
    started = time.perf_counter()
    paused = 0.0
    samples: list[float] = []
    previous_sigterm = signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(128 + number))
    with subprocess.Popen(qa_command(*args), env={**os.environ, "HF_HUB_OFFLINE": "1"}) as process:
        try:
            while process.poll() is None:
                try:
                    process.wait(timeout=PROBE_EVERY)
                    break
                except subprocess.TimeoutExpired:
                    pass
                pause = time.perf_counter()
                try:
                    process.send_signal(signal.SIGSTOP)
                    if process.poll() is None:  # not a sample of an idle machine after the build ended
                        samples.append(gemm_flops(seconds=PROBE_SECONDS, statistic=statistics.median))
                finally:
                    process.send_signal(signal.SIGCONT)
                paused += time.perf_counter() - pause
        except BaseException:
            process.send_signal(signal.SIGCONT)
            process.kill()
            raise
        finally:
            signal.signal(signal.SIGTERM, previous_sigterm)
    check_exit(process.returncode, args)
    return time.perf_counter() - started - paused, samples


def gemm_flops(*, seconds: float = 3.0, statistic: Callable[[list[float]], float] = max) -> float:
    """fp32 FLOP/s of numpy's matmul on the model's feed-forward shape (a batch of 4096 tokens, 384 -> 1536).

    The matmul runs again and again for `seconds`; `statistic` (max, or the median) of their rates."""
    import numpy as np

    rng = np.random.default_rng(0)
    tokens = rng.standard_normal((4096, 384), dtype=np.float32)
    weights = rng.standard_normal((384, 1536), dtype=np.float32)
    tokens @ weights  # warm up the BLAS threads
    rates = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        tokens @ weights
        rates.append(2 * 4096 * 384 * 1536 / (time.perf_counter() - started))
    return statistic(rates)


def passage_tokens(index: Path) -> int:
    """Tokens the model sees for every stored passage (special tokens included, cut at its maximum length)."""
    import sqlite3

    from tokenizers import Tokenizer

    from qa.config import BUNDLED_MODEL
    from qa.embed import resolve_model_path

    tokenizer = Tokenizer.from_file(str(Path(resolve_model_path(BUNDLED_MODEL)) / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(MODEL_MAX_TOKENS)
    database = sqlite3.connect(f"file:{index / 'qa.sqlite3'}?mode=ro", uri=True)
    try:
        texts = [row[0] for row in database.execute("SELECT text FROM passages")]
    finally:
        database.close()
    return sum(len(encoding.ids) for encoding in tokenizer.encode_batch(texts))


def add_in_process(workdir: Path, corpus: Path, index: Path) -> dict[str, float]:
    """Seconds per step of `Engine.add` for one more article, the model already loaded (as in `qa chat`)."""
    from qa.config import Settings
    from qa.engine import Engine

    article = workdir / "port-traffic-2.txt"
    article.write_text(NEW_ARTICLE.replace("third month", "fourth month"), encoding="utf-8")
    engine = Engine(Settings(corpus_dir=corpus, index_dir=index))
    engine.load_model()
    _ = engine.embedder.model
    marks: list[tuple[str, float]] = [("hash, read, embed", time.perf_counter())]

    def on_progress(stage: str, done: int, total: int) -> None:
        names = {"embedding": "stage the chunk", "saving": "publish + encoder check"}
        if stage in names and marks[-1][0] != names[stage]:
            marks.append((names[stage], time.perf_counter()))

    engine.add([article], on_progress=on_progress)
    marks.append(("end", time.perf_counter()))
    engine.close()
    return {name: end - start for (name, start), (_, end) in zip(marks, marks[1:], strict=False)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="Reuters-21578 JSONL (.jsonl.gz)")
    parser.add_argument("--workdir", type=Path, default=None, help="where the corpus copy and index go")
    parser.add_argument("--limit", type=int, default=None, help="index only the first N records")
    args = parser.parse_args()
    if not args.data.is_file():
        sys.exit(f"Reuters-21578 not found at {args.data}; pass --data PATH")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="qa-bench-reuters-"))
    corpus, index = workdir / "corpus", workdir / "index"
    for earlier in (index, corpus):  # `qa add` of an earlier run copied its article into the corpus
        if earlier.exists():
            print(f"removing {earlier} of an earlier run: this run builds from empty", flush=True)
            shutil.rmtree(earlier)
    corpus.mkdir(parents=True)
    link = corpus / args.data.name
    if args.limit is not None:
        with gzip.open(args.data, "rt", encoding="utf-8") as source, gzip.open(link, "wt", encoding="utf-8") as subset:
            subset.writelines(itertools.islice(source, args.limit))
    else:
        shutil.copyfile(args.data, link)  # a copy: `qa index` does not read links leaving the corpus
    paths = ["--corpus", str(corpus), "--index", str(index)]

    flops_before = gemm_flops()
    build_seconds, samples = run_qa_sampling_gemm("index", *paths)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # the `qa index` process, the only child so far
    peak_mib = usage.ru_maxrss / 1024
    cpu_seconds = usage.ru_utime + usage.ru_stime
    tokens = passage_tokens(index)
    flops_after = gemm_flops()
    during = statistics.mean(samples) if samples else max(flops_before, flops_after)
    ceiling = during / MODEL_FLOP_PER_TOKEN

    from qa.store.index import Index

    opened = Index.open(index)
    try:
        counts = opened.status().counts
        approximate = opened.status().approximate
        embedded_by = opened.status().document_encoder
    finally:
        opened.close()
    if not counts.articles:
        sys.exit(f"nothing was indexed from {corpus}: see qa's messages above")
    database_mib = sum(path.stat().st_size for path in index.glob("qa.sqlite3*")) / 2**20
    vectors_mib = sum(path.stat().st_size for path in index.glob("vectors-*.faiss")) / 2**20
    other_mib = directory_size(index) / 2**20 - database_mib - vectors_mib

    article = workdir / "port-traffic.txt"
    article.write_text(NEW_ARTICLE, encoding="utf-8")
    add_seconds = run_qa("add", str(article), "--outlet", "Bench Wire", "--date", "2024-05-06", "--quiet", *paths)
    stages = add_in_process(workdir, corpus, index)

    scope = f"first {args.limit} records" if args.limit is not None else "full build"
    print(f"Reuters-21578 {scope} ({args.data.name}), index in {index}")
    print(f"  articles        {counts.articles}")
    print(f"  passages        {counts.passages}")
    print(f"  wall time       {build_seconds:.1f} s (the pauses for GEMM samples left out)")
    print(f"  passages/s      {counts.passages / build_seconds:.1f}")
    print(f"  passage tokens  {tokens} ({tokens / build_seconds:.0f} tokens/s over the whole build)")
    rate = tokens / build_seconds
    best = max([flops_before, flops_after, *samples])
    print(f"  embedded by     {embedded_by}")
    if samples:
        where = f"the mean of {len(samples)} samples during the build"
        print(
            f"  fp32 GEMM       {during / 1e9:.0f} GFLOP/s during the build: the mean of {len(samples)} samples "
            f"(min {min(samples) / 1e9:.0f}, max {max(samples) / 1e9:.0f}; numpy, 4096x384 @ 384x1536, "
            f"{PROBE_SECONDS} s every {PROBE_EVERY:.0f} s, the build paused); best {flops_before / 1e9:.0f} "
            f"before and {flops_after / 1e9:.0f} after it"
        )
    else:
        where = "the better of before and after: the build was too short to sample"
        print(
            f"  fp32 GEMM       best {flops_before / 1e9:.0f} GFLOP/s before, {flops_after / 1e9:.0f} after the build"
        )
    print(
        f"  of the ceiling  {100 * rate / ceiling:.0f}% against the GEMM rate of {where}; "
        f"{100 * rate * MODEL_FLOP_PER_TOKEN / best:.0f}% against the best rate seen in the run "
        f"(ceiling = GEMM rate / {MODEL_FLOP_PER_TOKEN / 1e6:.0f} MFLOP per token)"
    )
    cores = cpu_seconds / build_seconds
    print(f"  CPU time        {cpu_seconds:.1f} s user+system of the qa process ({cores:.2f} cores busy)")
    print(f"  peak memory     {peak_mib:.0f} MiB (max RSS of the qa index process)")
    print(
        f"  index on disk   {database_mib:.1f} MiB SQLite + {vectors_mib:.1f} MiB FAISS (this and the previous "
        f"generation, {'approximate' if approximate else 'exact'} search) + {other_mib:.1f} MiB other"
    )
    print(f"  qa add 1 article  {add_seconds:.1f} s as a process; in a warm process the steps take:")
    for stage, seconds in stages.items():
        print(f"    {stage:<22} {seconds:.2f} s")
    limit = f" --limit {args.limit}" if args.limit is not None else ""
    print(f"reproduce: .venv/bin/python bench/index_reuters.py --data {args.data}{limit}")


if __name__ == "__main__":
    main()
