"""Which MatMuls to quantize: int8 variants of the export against fp32, accuracy and speed side by side (issue 19).

Each variant is onnxruntime's dynamic quantization (signed per-channel weights) of the fp32 export,
with some MatMuls left in fp32. For each: passage and pooled-sentence cosine to fp32 (mean, minimum)
on Reuters-21578 passages chunked as `qa index` chunks them, plus passages joined to reach the
model's 256-token maximum; then passage tokens/s of `encode_passages`, every variant in each round,
rounds interleaved (the order flips each round) and the best round kept: the machine is shared,
so only rates within one run compare. The fp32 export agrees with sentence-transformers to 1e-4
(tests/test_embed_onnx.py), so cosine to fp32 stands for cosine to the reference.

Reproduce:  HF_HUB_OFFLINE=1 nice .venv/bin/python bench/int8_variants.py \\
    --reuters ../shared/eval-data/reuters-21578 [--passages 300] [--speed-passages 150] [--rounds 4]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import onnx
from encoder_backends import reuters_passages  # bench/ is the script's folder, so on sys.path
from onnxruntime.quantization import QuantType, quantize_dynamic

from qa.config import BUNDLED_MODEL
from qa.encoders import export_query_encoder, load_query_encoder
from qa.encoders.export import down_projections
from qa.encoders.manifest import MANIFEST_NAME, MODEL_FILE, TOKENIZER_FILE, read_manifest, sha256_of
from qa.encoders.runtime import available_cores
from qa.passages import sentence_spans


def layer_nodes(graph_model, *parts: str) -> list[str]:
    return [n.name for n in graph_model.graph.node if n.op_type == "MatMul" and any(p in n.name for p in parts)]


def variants(graph_model) -> dict[str, dict]:
    """Variant name -> quantize_dynamic options (besides signed per-channel weights)."""
    matmul = {"op_types_to_quantize": ["MatMul"]}
    return {
        "int8 every MatMul + Gather": {},
        "int8 every MatMul": matmul,
        "int8 MatMul, reduce_range": {**matmul, "reduce_range": True},
        "int8 but attention output": {**matmul, "nodes_to_exclude": layer_nodes(graph_model, "attention/output")},
        "int8 but layer 0": {**matmul, "nodes_to_exclude": layer_nodes(graph_model, "layer.0/")},
        "int8 but FFN down (chosen)": {**matmul, "nodes_to_exclude": down_projections(graph_model)},
        "int8 but FFN down+layer 0": {
            **matmul,
            "nodes_to_exclude": down_projections(graph_model) + layer_nodes(graph_model, "layer.0/"),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reuters", type=Path, default=Path("../shared/eval-data/reuters-21578"))
    parser.add_argument("--passages", type=int, default=300)
    parser.add_argument("--speed-passages", type=int, default=150)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    passages = reuters_passages(args.reuters, args.passages)
    passages += [" ".join(passages[i : i + 3]) for i in range(0, 60, 3)]  # some at the 256-token maximum
    spans = [sentence_spans(text) for text in passages]
    with tempfile.TemporaryDirectory(prefix="qa-int8-") as scratch:
        export = Path(scratch) / "fp32"
        export_query_encoder(BUNDLED_MODEL, export, precision="fp32")
        fp32 = load_query_encoder(export, BUNDLED_MODEL, threads=available_cores())
        lengths = [len(e.ids) for e in fp32._tokenizer.encode_batch(passages)]
        reference = fp32.encode_passages(passages, spans)
        encoders = {"fp32": fp32}
        print(f"{len(passages)} passages, {sum(lengths)} tokens, {sum(n >= 256 for n in lengths)} at 256 tokens")
        print(f"{'variant':<28}{'passage mean':>13}{'min':>8}{'sentence mean':>14}{'min':>8}{'1st pct':>9}")
        source = onnx.load(str(export / MODEL_FILE))
        for name, options in variants(source).items():
            directory = Path(scratch) / f"v{len(encoders)}"
            directory.mkdir()
            quantize_dynamic(
                export / MODEL_FILE, directory / MODEL_FILE, weight_type=QuantType.QInt8, per_channel=True, **options
            )
            encoders[name] = load_query_encoder(_as_export(export, directory), BUNDLED_MODEL, threads=available_cores())
            encoded = encoders[name].encode_passages(passages, spans)
            by_passage = (encoded.passages * reference.passages).sum(axis=1)
            by_sentence = np.concatenate(
                [(a * b).sum(axis=1) for a, b in zip(encoded.sentences, reference.sentences, strict=True)]
            )
            print(
                f"{name:<28}{by_passage.mean():>13.4f}{by_passage.min():>8.4f}{by_sentence.mean():>14.4f}"
                f"{by_sentence.min():>8.4f}{np.percentile(by_sentence, 1):>9.4f}"
            )
        timed = reuters_passages(args.reuters, 500 + args.speed_passages)[500:]
        timed_spans = [sentence_spans(text) for text in timed]
        tokens = sum(len(e.ids) for e in fp32._tokenizer.encode_batch(timed))
        best: dict[str, float] = {}
        names = list(encoders)
        for round_number in range(args.rounds):
            for name in names if round_number % 2 == 0 else names[::-1]:
                started = time.perf_counter()
                encoders[name].encode_passages(timed, timed_spans)
                best[name] = min(best.get(name, float("inf")), time.perf_counter() - started)
    print(f"speed: {len(timed)} other passages, {tokens} tokens, {available_cores()} cores, best of {args.rounds}")
    for name in names:
        print(f"{name:<28}{tokens / best[name]:>9,.0f} tokens/s  {best['fp32'] / best[name]:.2f}x fp32")
    print(
        f"reproduce: HF_HUB_OFFLINE=1 nice {sys.executable} bench/int8_variants.py --reuters {args.reuters} "
        f"--passages {args.passages} --speed-passages {args.speed_passages} --rounds {args.rounds}"
    )


def _as_export(fp32: Path, directory: Path) -> Path:
    """`directory` made a whole export: fp32's tokenizer and a manifest naming the quantized model's checksum."""
    shutil.copy(fp32 / TOKENIZER_FILE, directory / TOKENIZER_FILE)
    manifest = read_manifest(fp32)
    files = {**manifest.files, MODEL_FILE: sha256_of(directory / MODEL_FILE)}
    (directory / MANIFEST_NAME).write_text(manifest.model_copy(update={"files": files}).model_dump_json())
    return directory


if __name__ == "__main__":
    main()
