"""Document-encoding backends on this machine: torch vs ONNX fp32 vs ONNX int8 (issue 5, line 6).

For each backend: passages/s on Reuters-21578 passages (chunked as `qa index` chunks them), mean and
minimum cosine against the torch reference, and retrieval on a BEIR SciFact subset (recall@10,
nDCG@10, and how much of torch's top 10 each backend keeps). A backend may become the default only
where mean cosine >= 0.99 and retrieval is unchanged.

Backends: torch (sentence-transformers, the reference); st-onnx-fp32 / st-onnx-int8 (sentence-
transformers' ONNX backend; int8 = its export_dynamic_quantized_onnx_model); qa-onnx-fp32 /
qa-onnx-int8 (the same graphs run by qa.encoders: onnxruntime + tokenizers, no torch).

Reproduce:  HF_HUB_OFFLINE=1 .venv/bin/python bench/encoder_backends.py \\
    --reuters ../shared/eval-data/reuters-21578 --scifact ../shared/eval-data/beir-scifact \\
    [--passages 400] [--scifact-docs 1500] [--runs 2]
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from qa.config import BUNDLED_MODEL  # noqa: E402
from qa.embed import resolve_model_path  # noqa: E402
from qa.encoders import export_query_encoder, load_query_encoder  # noqa: E402
from qa.passages import chunk_text  # noqa: E402

Encode = Callable[[list[str]], np.ndarray]


def reuters_passages(directory: Path, limit: int) -> list[str]:
    path = directory / "reuters21578.jsonl.gz"
    if not path.is_file():
        sys.exit(f"Reuters-21578 not found: {path} is missing (pass --reuters DIR).")
    passages: list[str] = []
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            body = json.loads(line).get("body") or ""
            passages += [body[start:end] for start, end in chunk_text(body)]
            if len(passages) >= limit:
                return passages[:limit]
    return passages


class SciFact:
    """Test queries with judgements, and a corpus of all their relevant documents plus the first others."""

    def __init__(self, directory: Path, size: int) -> None:
        for name in ("corpus.jsonl", "queries.jsonl", "qrels/test.tsv"):
            if not (directory / name).is_file():
                sys.exit(f"BEIR SciFact not found: {directory / name} is missing (pass --scifact DIR).")
        self.qrels: dict[str, set[str]] = {}
        for row in (directory / "qrels/test.tsv").read_text().splitlines()[1:]:
            query_id, doc_id, score = row.split("\t")
            if int(score) > 0:
                self.qrels.setdefault(query_id, set()).add(doc_id)
        relevant = set().union(*self.qrels.values())
        corpus = [json.loads(line) for line in (directory / "corpus.jsonl").read_text().splitlines()]
        keep = [d for d in corpus if d["_id"] in relevant]
        keep += [d for d in corpus if d["_id"] not in relevant][: max(0, size - len(keep))]
        self.doc_ids = [d["_id"] for d in keep]
        self.documents = [f"{d['title']}. {d['text']}" for d in keep]
        queries = [json.loads(line) for line in (directory / "queries.jsonl").read_text().splitlines()]
        queries = [q for q in queries if q["_id"] in self.qrels]
        self.query_ids = [q["_id"] for q in queries]
        self.questions = [q["text"] for q in queries]

    def evaluate(self, doc_vectors: np.ndarray, query_vectors: np.ndarray) -> dict:
        """recall@10 and nDCG@10 by exact inner-product search, and the top 10 ids per query."""
        top = np.argsort(-(query_vectors @ doc_vectors.T), axis=1)[:, :10]
        recalls, ndcgs = [], []
        for query_id, ranked in zip(self.query_ids, top, strict=True):
            relevant = self.qrels[query_id]
            hits = [self.doc_ids[i] in relevant for i in ranked]
            recalls.append(sum(hits) / len(relevant))
            dcg = sum(1 / math.log2(rank + 2) for rank, hit in enumerate(hits) if hit)
            ideal = sum(1 / math.log2(rank + 2) for rank in range(min(10, len(relevant))))
            ndcgs.append(dcg / ideal)
        return {"recall@10": float(np.mean(recalls)), "ndcg@10": float(np.mean(ndcgs)), "top": top}


def backends(scratch: Path) -> dict[str, Callable[[], tuple[Encode, Encode]]]:
    """Name -> loader returning (encode documents, encode queries); loaded one at a time."""
    from sentence_transformers import SentenceTransformer, export_dynamic_quantized_onnx_model

    path = resolve_model_path(BUNDLED_MODEL)
    onnx_dir = scratch / "st-onnx"

    def st(model: SentenceTransformer) -> tuple[Encode, Encode]:
        def documents(texts: list[str]) -> np.ndarray:
            return model.encode_document(texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)

        def queries(texts: list[str]) -> np.ndarray:
            return model.encode_query(texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)

        return documents, queries

    def st_onnx(file_name: str) -> tuple[Encode, Encode]:
        if not onnx_dir.exists():
            exported = SentenceTransformer(path, backend="onnx", device="cpu", local_files_only=True)
            exported.save(str(onnx_dir))
            export_dynamic_quantized_onnx_model(exported, "avx2", str(onnx_dir), file_suffix="qint8")
        return st(SentenceTransformer(str(onnx_dir), backend="onnx", model_kwargs={"file_name": file_name}))

    def qa_onnx(precision: str) -> tuple[Encode, Encode]:
        directory = scratch / f"qa-{precision}"
        export_query_encoder(BUNDLED_MODEL, directory, precision=precision)
        encoder = load_query_encoder(directory, BUNDLED_MODEL)
        return (
            lambda texts: encoder.encode_documents(texts),
            lambda texts: np.stack([encoder.encode_query(text) for text in texts]),
        )

    return {
        "torch": lambda: st(SentenceTransformer(path, device="cpu", local_files_only=True)),
        "st-onnx-fp32": lambda: st_onnx("onnx/model.onnx"),
        "st-onnx-int8": lambda: st_onnx("onnx/model_qint8.onnx"),
        "qa-onnx-fp32": lambda: qa_onnx("fp32"),
        "qa-onnx-int8": lambda: qa_onnx("int8"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reuters", type=Path, default=Path("../shared/eval-data/reuters-21578"))
    parser.add_argument("--scifact", type=Path, default=Path("../shared/eval-data/beir-scifact"))
    parser.add_argument("--passages", type=int, default=400, help="Reuters passages to encode")
    parser.add_argument("--scifact-docs", type=int, default=1500, help="SciFact documents in the subset")
    parser.add_argument("--runs", type=int, default=2, help="timed passes over the passages (best is kept)")
    parser.add_argument("--only", nargs="*", help="backends to run (torch always runs: it is the reference)")
    args = parser.parse_args()

    passages = reuters_passages(args.reuters, args.passages)
    scifact = SciFact(args.scifact, args.scifact_docs)
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="qa-backends-") as scratch:
        for name, load in backends(Path(scratch)).items():
            if args.only and name != "torch" and name not in args.only:
                continue
            encode_documents, encode_queries = load()
            encode_documents(passages[:32])  # warm-up
            seconds = []
            for _ in range(args.runs):
                started = time.perf_counter()
                vectors = encode_documents(passages)
                seconds.append(time.perf_counter() - started)
            scores = scifact.evaluate(encode_documents(scifact.documents), encode_queries(scifact.questions))
            results[name] = {"per_second": len(passages) / min(seconds), "vectors": vectors, **scores}
            print(f"  measured {name}: {results[name]['per_second']:.1f} passages/s", file=sys.stderr)

    reference = results["torch"]
    print(
        f"{len(passages)} Reuters-21578 passages (chunk_text 40-150 words); SciFact subset: "
        f"{len(scifact.documents)} documents, {len(scifact.questions)} test queries; {os.cpu_count()} CPUs"
    )
    print(
        f"{'backend':<14} {'passages/s':>10} {'speed-up':>8} {'mean cos':>9} {'min cos':>8} "
        f"{'recall@10':>9} {'nDCG@10':>8} {'top-10 kept':>11}"
    )
    for name, result in results.items():
        cosines = (result["vectors"] * reference["vectors"]).sum(axis=1)
        kept = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(result["top"], reference["top"], strict=True)])
        print(
            f"{name:<14} {result['per_second']:>10.1f} {result['per_second'] / reference['per_second']:>7.2f}x "
            f"{cosines.mean():>9.5f} {cosines.min():>8.5f} {result['recall@10']:>9.4f} "
            f"{result['ndcg@10']:>8.4f} {kept:>11.3f}"
        )
    print(
        f"reproduce: HF_HUB_OFFLINE=1 {sys.executable} bench/encoder_backends.py --reuters {args.reuters} "
        f"--scifact {args.scifact} --passages {args.passages} --scifact-docs {args.scifact_docs} --runs {args.runs}"
    )


if __name__ == "__main__":
    main()
