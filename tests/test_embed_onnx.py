"""The ONNX query encoder gives sentence-transformers' vectors, loads without torch, and refuses damage."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qa.config import BUNDLED_MODEL
from qa.embed import TokenizedPassages, TokenizesAhead
from qa.encoders import EncoderUnavailableError, QueryEncoder, export_query_encoder, load_query_encoder
from qa.encoders.documents import DocumentEncoder
from qa.encoders.export import DEFAULT_PRECISION, QUESTION_PRECISION, down_projections
from qa.encoders.manifest import MANIFEST_NAME, MODEL_FILE, TOKENIZER_FILE
from qa.encoders.runtime import available_cores
from qa.ingest import read_file
from qa.models import Article
from qa.passages import sentence_spans
from qa.store.embedding import Chunker, PendingArticle
from tests.support.seeds import FORBES, KYIV, SEED_CORPUS

pytestmark = pytest.mark.model  # every test here exports or loads the real model

HEAVY_MODULES = ("torch", "transformers", "sentence_transformers", "optimum")

LONG_PARAGRAPH = (
    "The ministry said on Tuesday that exports of grain through the Black Sea ports had resumed after "
    "a three-week pause, but shipping insurers warned that premiums would remain high while mines "
    "drifted near the coast and port infrastructure was repaired. Traders in Chicago and Paris "
    "reacted calmly, with wheat futures down slightly, while analysts noted that the harvest outlook "
    "for the coming season depended heavily on weather in the southern steppe regions. "
)
ENGLISH = [
    f"{opening} {subject}?"
    for opening, subject in zip(
        [
            "Who denied",
            "When did",
            "Why did",
            "How many",
            "Which outlet reported",
            "What did",
            "Where was",
            "Did anyone confirm",
            "What happened to",
            "Who criticised",
        ]
        * 4,
        [
            "the sale of drones to Russia",
            "the central bank raise interest rates",
            "oil prices fall in March",
            "soldiers were wounded near Bakhmut",
            "the merger of the two airlines",
            "the prime minister promise",
            "the summit held",
            "the ceasefire talks",
            "the grain corridor",
            "the new tax on imports",
            "Elon Musk",
            "the Kyiv Independent",
            "Forbes",
            "inflation in the euro zone",
            "the ECB",
            "the election in Taiwan",
            "NATO's secretary general",
            "Starlink terminals",
            "the IMF loan",
            "coffee exports from Brazil",
            "the strike at the port",
            "the copper price",
            "OPEC+",
            "the chip export ban",
            "the earthquake in Turkey",
            "the trial in New York",
            "the football final",
            "the heatwave",
            "the vaccine rollout",
            "the bond market",
        ]
        + ["the harvest"] * 10,
        strict=True,
    )
]
VERY_LONG = [f"Question {i}: {LONG_PARAGRAPH * (3 + i % 4)} What does this mean for prices?" for i in range(10)]
CYRILLIC = [
    "Кто отрицал продажу дронов России?",
    "Когда началось наступление под Бахмутом?",
    "Что сказал министр обороны Украины?",
    "Сколько стоит пшеница на бирже?",
    "Почему упал курс рубля?",
    "Хто заперечив продаж Starlink росії?",
    "Де відбувся саміт НАТО?",
    "Какие санкции ввёл Евросоюз?",
    "Что известно о переговорах в Стамбуле?",
    "Кто такой Илон Маск?",
]
CJK = [
    "谁否认向俄罗斯出售无人机？",
    "中国央行什么时候降息？",
    "台湾选举的结果是什么？",
    "原油价格为什么下跌？",
    "埃隆·马斯克说了什么？",
    "日本銀行は金利を上げましたか？",
    "東京の地震で何人が負傷しましたか？",
    "スターリンクの端末はどこで使われていますか？",
    "한국은행은 금리를 인상했나요?",
    "삼성전자의 실적은 어땠나요?",
]
ARABIC = [
    "من نفى بيع الطائرات المسيرة لروسيا؟",
    "متى بدأت محادثات وقف إطلاق النار؟",
    "لماذا انخفضت أسعار النفط؟",
    "ماذا قال وزير الخارجية؟",
    "أين عقدت القمة؟",
    "كم عدد الجنود المصابين؟",
    "ما هو موقف أوبك بلس؟",
    "هل ارتفع معدل التضخم في مصر؟",
    "מי הכחיש את המכירה לרוסיה?",
    "کی فروش پهپاد به روسیه را رد کرد؟",
]
EMOJI_AND_MIXED = [
    "🚀 Did SpaceX deny selling Starlink to Russia? 🇷🇺",
    "Oil 🛢️ prices 📉 why?",
    "🔥🔥🔥",
    "Who said 'no sales' 🙅‍♂️ to Moscow?",
    "Inflation 📈 in 🇪🇺 vs 🇺🇸?",
    "👍",
    "Ukraine 🇺🇦 war news today",
    "Café crème prices in Zürich — why so high?",
    "Ελλάδα: ποιος αρνήθηκε τις πωλήσεις;",
    "रूस को ड्रोन बेचने से किसने इनकार किया?",
]
EDGE_CASES = [
    "?",
    "a",
    "   leading and trailing spaces   ",
    "UPPER CASE QUESTION ABOUT NATO",
    "tabs\tand\nnewlines\nin it",
    "https://www.forbes.com/sites/2024/02/11/starlink-russia",
    "1998 2024 3.5% $40bn 7,000",
    "Who denied sales to Russia?" * 20,
    "x" * 3000,
    "naïve façade coöperation résumé",
]
QUESTIONS = ENGLISH + VERY_LONG + CYRILLIC + CJK + ARABIC + EMOJI_AND_MIXED + EDGE_CASES


@pytest.fixture(scope="module")
def export_dir(tmp_path_factory):
    """A real export of the bundled model, written over a stale directory it must replace."""
    directory = tmp_path_factory.mktemp("export") / "encoder"
    directory.mkdir()
    (directory / "stale.bin").write_bytes(b"left over from an older export")
    export_query_encoder(BUNDLED_MODEL, directory)
    return directory


@pytest.fixture(scope="module")
def onnx_encoder(export_dir) -> QueryEncoder:
    return load_query_encoder(export_dir, BUNDLED_MODEL)


def test_the_question_set_is_varied_and_truncates(export_dir):
    # Guards the agreement test below: 100 distinct questions, ten beyond max_seq_length (256 tokens).
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(export_dir / TOKENIZER_FILE))
    tokenizer.no_truncation()
    lengths = [len(tokenizer.encode(question).ids) for question in QUESTIONS]
    assert len(QUESTIONS) == 100 and len(set(QUESTIONS)) == 100
    assert sum(length > 256 for length in lengths) >= 10


def test_onnx_query_vectors_agree_with_sentence_transformers(onnx_encoder, embedder):
    onnx_vectors = np.stack([onnx_encoder.encode_query(question) for question in QUESTIONS])
    reference = np.stack([embedder.encode_query(question) for question in QUESTIONS])
    cosines = (onnx_vectors * reference).sum(axis=1) / (
        np.linalg.norm(onnx_vectors, axis=1) * np.linalg.norm(reference, axis=1)
    )
    worst = int(np.argmin(cosines))
    assert cosines.min() >= 0.9999, f"cosine {cosines[worst]:.6f} for {QUESTIONS[worst][:60]!r}"
    assert onnx_vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(onnx_vectors, axis=1), 1.0, atol=1e-5)


def test_onnx_document_batches_agree_with_sentence_transformers(onnx_encoder, embedder):
    # Batches pad to the longest text; padding must not change any vector, and order is kept.
    texts = QUESTIONS[::3]
    cosines = (onnx_encoder.encode_documents(texts) * embedder.encode_documents(texts)).sum(axis=1)
    assert cosines.min() >= 0.9999


PASSAGE_TOKENS = (5, 50, 127, 128, 129, 150, 250, 255, 256, 257, 300, 600)
"""Passage lengths in tokens (special tokens included): short, around the 128 of the exported
tokenizer.json, around the model's own maximum (256), and far beyond it."""


@pytest.fixture(scope="module")
def document_encoder(export_dir) -> QueryEncoder:
    """The export as a build loads it for passages: one intra-op thread per core."""
    return load_query_encoder(export_dir, BUNDLED_MODEL, threads=available_cores())


@pytest.fixture(scope="module")
def seed_passages(export_dir) -> list[tuple[int, str]]:
    """(tokens, text): real news text from the seed articles, cut at word ends to each length, from
    several starting points, so one batch mixes every length."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(export_dir / TOKENIZER_FILE))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    [forbes] = read_file(SEED_CORPUS / FORBES, corpus_dir=SEED_CORPUS)
    [kyiv] = read_file(SEED_CORPUS / KYIV, corpus_dir=SEED_CORPUS)
    passages = []
    for words in ((forbes.text + "\n\n" + kyiv.text).split(" "), (kyiv.text + "\n\n" + forbes.text).split(" ")):
        # WordPiece splits each word alone, so a prefix's length is the running sum (plus [CLS] and [SEP]).
        ends = 2 + np.cumsum([len(tokenizer.encode(word, add_special_tokens=False).ids) for word in words])
        for start in (0, 97):
            for target in PASSAGE_TOKENS:
                end = start + 1 + int(np.searchsorted(ends[start:] - (ends[start - 1] - 2 if start else 0), target))
                text = " ".join(words[start:end])
                passages.append((len(tokenizer.encode(text).ids), text))
    return passages


@pytest.fixture(scope="module")
def int8_export(tmp_path_factory):
    """An int8 export: what documents of a new index are embedded with (DEFAULT_PRECISION)."""
    directory = tmp_path_factory.mktemp("export-int8") / "encoder"
    export_query_encoder(BUNDLED_MODEL, directory, precision="int8")
    return directory


@pytest.fixture(scope="module")
def int8_encoder(int8_export) -> QueryEncoder:
    """The int8 export as a build loads it for passages: one intra-op thread per core."""
    return load_query_encoder(int8_export, BUNDLED_MODEL, threads=available_cores())


def test_int8_is_the_default_for_documents_and_questions_stay_fp32(int8_encoder):
    assert (DEFAULT_PRECISION, QUESTION_PRECISION) == ("int8", "fp32")
    assert int8_encoder.manifest.precision == "int8" and int8_encoder.backend == "onnxruntime, int8"


def test_int8_keeps_the_feed_forward_down_projections_in_fp32(export_dir, int8_export):
    # The six FFN output MatMuls (1536 -> 384) lose the most when quantized; the other 30 become int8.
    import onnx

    kept = down_projections(onnx.load(str(export_dir / MODEL_FILE)))
    assert len(kept) == 6 and all("/output/dense/" in name for name in kept)
    nodes = onnx.load(str(int8_export / MODEL_FILE)).graph.node
    assert sum(node.op_type in ("MatMulInteger", "DynamicQuantizeMatMul") for node in nodes) == 30
    assert {node.name for node in nodes if node.op_type == "MatMul"} >= set(kept)


def test_the_passages_reach_every_length(seed_passages):
    # Guards the agreement test below: each length is reached (a word may add a few tokens at once).
    reached = sorted({tokens for tokens, _ in seed_passages})
    for target in PASSAGE_TOKENS:
        assert any(target <= tokens <= target + 3 for tokens in reached), (target, reached)


def test_onnx_passage_vectors_agree_with_sentence_transformers_at_every_length(
    document_encoder, embedder, seed_passages
):
    texts = [text for _, text in seed_passages]
    onnx_vectors = document_encoder.encode_documents(texts)
    reference = embedder.encode_documents(texts)  # sentence-transformers' encode_document
    cosines = (onnx_vectors * reference).sum(axis=1)
    worst = int(np.argmin(cosines))
    assert cosines.min() >= 0.9999, f"cosine {cosines[worst]:.6f} at {seed_passages[worst][0]} tokens"


def test_int8_passage_vectors_agree_with_sentence_transformers_at_every_length(int8_encoder, embedder, seed_passages):
    # Issue 19: int8 document vectors within cosine 0.99 of the reference, passages up to 256 tokens and beyond.
    texts = [text for _, text in seed_passages]
    cosines = (int8_encoder.encode_documents(texts) * embedder.encode_documents(texts)).sum(axis=1)
    worst = int(np.argmin(cosines))
    assert cosines.min() >= 0.99, f"cosine {cosines[worst]:.4f} at {seed_passages[worst][0]} tokens"


def test_int8_pooled_sentence_vectors_agree_with_sentence_transformers(int8_encoder, embedder, seed_passages):
    texts = [text for _, text in seed_passages]
    spans = [sentence_spans(text) for text in texts]
    ours, theirs = int8_encoder.encode_passages(texts, spans), embedder.encode_passages(texts, spans)
    assert _cosines(ours.passages, theirs.passages).min() >= 0.99
    sentences = np.concatenate([_cosines(a, b) for a, b in zip(ours.sentences, theirs.sentences, strict=True)])
    assert sentences.min() >= 0.99, (sentences.min(), sentences.mean())


def test_the_tokenizer_pads_per_batch_and_truncates_at_the_models_maximum(document_encoder, onnx_encoder):
    # The exported tokenizer.json pads to 128 and cuts at 128; the encoder must not (see QueryEncoder).
    for encoder in (document_encoder, onnx_encoder):
        tokenizer = encoder._tokenizer
        assert tokenizer.padding is None
        assert tokenizer.truncation["max_length"] == encoder.manifest.max_seq_length == 256
        assert len(tokenizer.encode("news " * 1000).ids) == 256
        assert len(tokenizer.encode("news").ids) == 3


def test_the_manifest_describes_the_export(export_dir, onnx_encoder):
    manifest = json.loads((export_dir / MANIFEST_NAME).read_text())
    assert manifest["model"] == BUNDLED_MODEL
    assert (manifest["dimension"], manifest["max_seq_length"], manifest["pooling"], manifest["normalize"]) == (
        384,
        256,
        "mean",
        True,
    )
    assert sorted(manifest["files"]) == [MODEL_FILE, TOKENIZER_FILE]
    assert onnx_encoder.manifest.checksum == manifest["files"][MODEL_FILE]


def test_export_replaces_the_old_directory_and_leaves_no_scratch(export_dir):
    assert sorted(path.name for path in export_dir.iterdir()) == [MANIFEST_NAME, MODEL_FILE, TOKENIZER_FILE]
    assert [path.name for path in export_dir.parent.iterdir()] == ["encoder"]


def test_loading_and_encoding_never_imports_torch(export_dir):
    code = (
        "import json, sys; from pathlib import Path; "
        "from qa.encoders import load_query_encoder; "
        f"encoder = load_query_encoder(Path({str(export_dir)!r}), {BUNDLED_MODEL!r}); "
        "encoder.encode_query('Who denied sales to Russia?'); encoder.encode_documents(['a', 'b c']); "
        f"print(json.dumps([name for name in {list(HEAVY_MODULES)!r} if name in sys.modules]))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_the_probe_would_see_torch(export_dir):
    # Guards the test above: the same probe reports torch once something imports it.
    code = f"import json, sys, torch; print(json.dumps([n for n in {list(HEAVY_MODULES)!r} if n in sys.modules]))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "torch" in json.loads(result.stdout)


@pytest.fixture
def damaged_copy(export_dir, tmp_path):
    copy = tmp_path / "encoder"
    shutil.copytree(export_dir, copy)
    return copy


def test_a_missing_export_is_reported(tmp_path):
    with pytest.raises(EncoderUnavailableError, match="No exported encoder in .*encoder.json is missing"):
        load_query_encoder(tmp_path / "nothing", BUNDLED_MODEL)


def test_a_corrupted_model_file_is_refused(damaged_copy):
    model = damaged_copy / MODEL_FILE
    data = bytearray(model.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte inside the weights: loadable, but wrong vectors
    model.write_bytes(bytes(data))
    with pytest.raises(EncoderUnavailableError, match="model.onnx is damaged"):
        load_query_encoder(damaged_copy, BUNDLED_MODEL)


def test_a_truncated_model_file_is_refused(damaged_copy):
    model = damaged_copy / MODEL_FILE
    model.write_bytes(model.read_bytes()[:1000])
    with pytest.raises(EncoderUnavailableError, match="model.onnx is damaged"):
        load_query_encoder(damaged_copy, BUNDLED_MODEL)


def test_a_changed_tokenizer_is_refused(damaged_copy):
    tokenizer = damaged_copy / TOKENIZER_FILE
    tokenizer.write_text(tokenizer.read_text().replace('"[UNK]"', '"[UNKNOWN]"', 1))
    with pytest.raises(EncoderUnavailableError, match="tokenizer.json is damaged"):
        load_query_encoder(damaged_copy, BUNDLED_MODEL)


def test_a_garbled_manifest_is_refused(damaged_copy):
    (damaged_copy / MANIFEST_NAME).write_text('{"model": ')
    with pytest.raises(EncoderUnavailableError, match="encoder.json is damaged"):
        load_query_encoder(damaged_copy, BUNDLED_MODEL)


def test_an_export_of_another_model_is_refused(export_dir):
    with pytest.raises(EncoderUnavailableError, match="exported for 'sentence-transformers/all-MiniLM-L6-v2'"):
        load_query_encoder(export_dir, "/models/other-model")


# One forward pass: passage and sentence vectors (issue 19).


def _cosines(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    return (left * right).sum(axis=1) / (np.linalg.norm(left, axis=1) * np.linalg.norm(right, axis=1))


def test_onnx_pooled_sentence_vectors_agree_with_sentence_transformers_at_every_length(
    document_encoder, embedder, seed_passages
):
    texts = [text for _, text in seed_passages]
    spans = [sentence_spans(text) for text in texts]
    onnx = document_encoder.encode_passages(texts, spans)
    reference = embedder.encode_passages(texts, spans)
    assert _cosines(onnx.passages, reference.passages).min() >= 0.9999
    assert _cosines(reference.passages, embedder.encode_documents(texts)).min() >= 0.99999
    for (tokens, text), own, ours, theirs in zip(
        seed_passages, spans, onnx.sentences, reference.sentences, strict=True
    ):
        assert ours.shape == theirs.shape == (len(own), 384)
        cosines = _cosines(ours, theirs)
        worst = int(np.argmin(cosines))
        assert cosines.min() >= 0.9999, f"{cosines[worst]:.6f} at {tokens} tokens: {text[slice(*own[worst])][:60]!r}"


def test_sentence_vectors_are_read_in_context_not_alone(document_encoder, seed_passages):
    # Pooled from the passage's tokens, a sentence's vector differs from the sentence encoded alone.
    text = next(text for tokens, text in seed_passages if 150 <= tokens <= 200)
    own = sentence_spans(text)
    assert len(own) >= 3
    pooled = document_encoder.encode_passages([text], [own]).sentences[0]
    alone = document_encoder.encode_documents([text[start:end] for start, end in own])
    assert _cosines(pooled, alone).min() < 0.99
    assert _cosines(pooled, alone).mean() > 0.5  # but it is still about the same sentence


def test_a_one_sentence_passage_keeps_its_passage_vector(document_encoder, embedder):
    text = "SpaceX denied selling Starlink terminals to Russia."
    for encoder in (document_encoder, embedder):
        encoded = encoder.encode_passages([text], [sentence_spans(text)])
        np.testing.assert_array_equal(encoded.sentences[0], encoded.passages[:1])


def test_sentences_beyond_the_models_maximum_are_encoded_alone(document_encoder, embedder, seed_passages):
    # A 600-token passage: the model sees its first 256 tokens; later sentences get their own pass.
    text = next(text for tokens, text in seed_passages if tokens >= 600)
    own = sentence_spans(text)
    last = text[slice(*own[-1])]
    for encoder in (document_encoder, embedder):
        encoded = encoder.encode_passages([text], [own])
        assert _cosines(encoded.sentences[0][-1:], encoder.encode_documents([last]))[0] >= 0.99999


def test_a_document_prompt_shifts_offsets_but_not_sentences(export_dir, embedder):
    # A model whose documents get a prompt ("passage: ") sees it before each passage; the sentence
    # tokens are found after it in both paths, and they still agree.
    exported = load_query_encoder(export_dir, BUNDLED_MODEL)
    prompted = QueryEncoder(
        exported._session, exported._tokenizer, exported.manifest.model_copy(update={"document_prompt": "passage: "})
    )
    reference = copy.deepcopy(embedder)
    reference.model.prompts = {"document": "passage: "}
    text = "Musk ordered Starlink off near Crimea. Ukraine's drones lost contact. The attack failed."
    own = sentence_spans(text)
    ours, theirs = prompted.encode_passages([text], [own]), reference.encode_passages([text], [own])
    assert _cosines(ours.sentences[0], theirs.sentences[0]).min() >= 0.9999
    unprompted = exported.encode_passages([text], [own])
    assert _cosines(ours.sentences[0], unprompted.sentences[0]).min() > 0.9  # the same words, not the prompt


ODD_CHARACTERS = st.sampled_from(
    [
        "\u200b",  # zero-width space
        "\u200d",  # zero-width joiner
        "\ufeff",
        "\u0301",  # combining acute
        "e\u0301",
        "🚀",
        "👩‍👩‍👧",
        "🇺🇦",
        "مرحبا",
        "שלום",
        "\u202e",  # right-to-left override
        " ",
        "\t",
        "\n",
        "\n\n",
        ".",
        "?!",
        "word",
        "Starlink",
    ]
)
SENTENCE = st.one_of(
    st.lists(ODD_CHARACTERS, max_size=12).map("".join),
    st.text(max_size=40),
)


@given(sentences=st.lists(SENTENCE, min_size=1, max_size=8), separator=st.sampled_from([". ", "\n\n", " ", "! "]))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_sentence_of_arbitrary_text_gets_a_finite_unit_vector(document_encoder, sentences, separator):
    text = separator.join(sentences)
    own = sentence_spans(text)
    encoded = document_encoder.encode_passages([text, "A plain sentence. And another."], [own, [(0, 17), (18, 30)]])
    assert encoded.sentences[0].shape == (len(own), 384)
    assert np.isfinite(encoded.sentences[0]).all() and np.isfinite(encoded.passages).all()
    np.testing.assert_allclose(np.linalg.norm(encoded.sentences[0], axis=1), 1.0, atol=1e-4)
    np.testing.assert_allclose(np.linalg.norm(encoded.passages, axis=1), 1.0, atol=1e-4)


@given(sentences=st.lists(SENTENCE, min_size=1, max_size=5))
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_reference_gives_every_sentence_a_finite_unit_vector(embedder, sentences):
    text = ". ".join(sentences)
    own = sentence_spans(text)
    encoded = embedder.encode_passages([text], [own])
    assert encoded.sentences[0].shape == (len(own), 384)
    assert np.isfinite(encoded.sentences[0]).all()
    np.testing.assert_allclose(np.linalg.norm(encoded.sentences[0], axis=1), 1.0, atol=1e-4)


def test_passages_tokenized_ahead_are_encoded_as_tokenized(document_encoder, seed_passages):
    texts = [text for _, text in seed_passages]
    spans = [sentence_spans(text) for text in texts]
    tokenized = document_encoder.tokenize_passages(texts)
    assert sorted(i for batch in tokenized.batches for i in batch) == list(range(len(texts)))
    lengths = [len(tokenized.encodings[batch[0]].ids) for batch in tokenized.batches]
    assert lengths == sorted(lengths, reverse=True)  # longest first: each forward pass pads little
    one_per_pass = TokenizedPassages(texts, tokenized.encodings, [[i] for i in range(len(texts))])
    progress: list[int] = []
    ahead = document_encoder.encode_passages(texts, spans, tokenized=one_per_pass, on_progress=progress.append)
    assert progress == [1] * len(texts)  # the batches given were used, not made again
    inline = document_encoder.encode_passages(texts, spans)
    np.testing.assert_allclose(ahead.passages, inline.passages, atol=1e-5)
    for own_ahead, own_inline in zip(ahead.sentences, inline.sentences, strict=True):
        np.testing.assert_allclose(own_ahead, own_inline, atol=1e-5)
    with pytest.raises(ValueError, match="not the passages given"):
        document_encoder.encode_passages(texts[:1], spans[:1], tokenized=tokenized)


def test_the_chunker_tokenizes_ahead_once_the_model_is_loaded(exported_encoder):
    text = " ".join(f"Sentence number {n} says something about the harbour." for n in range(80))
    pending = [PendingArticle("a.txt", Article(doc_id="a", text=text, source_path="a.txt"), [], [])]
    encoder = DocumentEncoder(BUNDLED_MODEL, expected=True, precision="fp32")  # the session cache's export
    assert isinstance(encoder, TokenizesAhead)  # what the build checks before it hands the chunker the encoder
    assert encoder.tokenize_passages([text]) is None  # not loaded: the chunking thread never loads the model
    [unloaded] = Chunker(list(pending), min_words=20, max_words=60, tokenizer=encoder).chunks()
    assert unloaded.tokenized is None  # the model's thread tokenizes it
    assert encoder.dimension == 384  # loads the export, as the build's model thread does
    assert encoder.exported
    [chunk] = Chunker(list(pending), min_words=20, max_words=60, tokenizer=encoder).chunks()
    texts = [p.text for p in chunk.passages]
    assert len(texts) > 1
    assert chunk.tokenized is not None and chunk.tokenized.texts == texts
    expected = encoder.encoder.tokenize_passages(texts)
    assert [e.ids for e in chunk.tokenized.encodings] == [e.ids for e in expected.encodings]
    assert chunk.tokenized.batches == expected.batches
