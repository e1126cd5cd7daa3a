"""How fast the build embeds passages through onnxruntime, beside this machine's fp32 GEMM ceiling (issue 19).

One run measures, on Reuters-21578 passages chunked as `qa index` chunks them:
- numpy's fp32 matrix multiply rate (GFLOP/s) and the ceiling it implies for the model (about
  22 MFLOP per token for all-MiniLM-L6-v2: 2 x its 11M weights);
- passage tokens/s of `encode_passages` (passage and sentence vectors from one forward pass) for
  fp32 and int8 exports at several batch sizes, and of the old way (passages, then each sentence
  again) for comparison;
- how close int8 comes to fp32 (cosine of passage and sentence vectors).
Configurations run in rounds, interleaved, and the best of the rounds is kept: the machine is
shared, so absolute rates move with its load; compare rates within one run.

Reproduce:  HF_HUB_OFFLINE=1 nice .venv/bin/python bench/document_encoding.py \\
    --reuters ../shared/eval-data/reuters-21578 [--passages 400] [--rounds 2]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from encoder_backends import reuters_passages  # bench/ is the script's folder, so on sys.path

from qa.config import BUNDLED_MODEL
from qa.embed import encode_sentences_separately
from qa.encoders import export_query_encoder, load_query_encoder, runtime
from qa.encoders.runtime import available_cores
from qa.passages import sentence_spans

FLOP_PER_TOKEN = 22e6
BATCH_SIZES = (8, 16, 32, 64)


def gemm_gflops(size: int = 1024, repeats: int = 8) -> float:
    """The best of several fp32 matrix multiplies, in GFLOP/s (numpy's BLAS, all its threads)."""
    left = np.random.default_rng(0).standard_normal((size, size), dtype=np.float32)
    right = np.random.default_rng(1).standard_normal((size, size), dtype=np.float32)
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        left @ right
        best = min(best, time.perf_counter() - started)
    return 2 * size**3 / best / 1e9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reuters", type=Path, default=Path("../shared/eval-data/reuters-21578"))
    parser.add_argument("--passages", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    passages = reuters_passages(args.reuters, args.passages)
    spans = [sentence_spans(text) for text in passages]
    with tempfile.TemporaryDirectory(prefix="qa-docenc-") as scratch:
        encoders = {}
        for precision in ("fp32", "int8"):
            directory = Path(scratch) / precision
            export_query_encoder(BUNDLED_MODEL, directory, precision=precision)
            encoders[precision] = load_query_encoder(directory, BUNDLED_MODEL, threads=available_cores())
        tokens = sum(len(e.ids) for e in encoders["fp32"]._tokenizer.encode_batch(passages))
        configs = [(p, b, "one pass") for p in ("fp32", "int8") for b in BATCH_SIZES]
        configs += [("fp32", 32, "sentences again"), ("int8", 32, "sentences again")]
        chosen = runtime.BATCH_SIZE
        best: dict[tuple, float] = {}
        gemm = []
        for _ in range(args.rounds):
            gemm.append(gemm_gflops())
            for precision, batch, way in configs:
                runtime.BATCH_SIZE = batch
                encoder = encoders[precision]
                started = time.perf_counter()
                if way == "one pass":
                    encoder.encode_passages(passages, spans)
                else:
                    encode_sentences_separately(encoder, passages, spans)
                elapsed = time.perf_counter() - started
                best[(precision, batch, way)] = min(best.get((precision, batch, way), elapsed), elapsed)
        runtime.BATCH_SIZE = chosen
        fp32 = encoders["fp32"].encode_passages(passages, spans)
        int8 = encoders["int8"].encode_passages(passages, spans)
    ceiling = max(gemm) * 1e9 / FLOP_PER_TOKEN
    print(f"{len(passages)} Reuters-21578 passages, {tokens} tokens; {available_cores()} cores; {args.rounds} rounds")
    print(f"numpy fp32 GEMM: {max(gemm):.0f} GFLOP/s (rounds: {', '.join(f'{g:.0f}' for g in gemm)})")
    print(f"fp32 ceiling at {FLOP_PER_TOKEN / 1e6:.0f} MFLOP/token: {ceiling:,.0f} tokens/s")
    print(f"{'precision':<10}{'batch':>6}  {'sentence vectors':<17}{'tokens/s':>10}{'of ceiling':>12}")
    for (precision, batch, way), seconds in best.items():
        rate = tokens / seconds
        print(f"{precision:<10}{batch:>6}  {way:<17}{rate:>10,.0f}{rate / ceiling:>11.0%}")
    passage_cos = (fp32.passages * int8.passages).sum(axis=1)
    sentence_cos = np.concatenate([(a * b).sum(axis=1) for a, b in zip(fp32.sentences, int8.sentences, strict=True)])
    print(f"int8 vs fp32 passages: mean cosine {passage_cos.mean():.4f}, min {passage_cos.min():.4f}")
    print(f"int8 vs fp32 sentences: mean cosine {sentence_cos.mean():.4f}, min {sentence_cos.min():.4f}")
    print(
        f"reproduce: HF_HUB_OFFLINE=1 nice {sys.executable} bench/document_encoding.py --reuters {args.reuters} "
        f"--passages {args.passages} --rounds {args.rounds}"
    )


if __name__ == "__main__":
    main()
