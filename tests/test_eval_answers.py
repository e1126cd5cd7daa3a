"""`qa eval FILE.jsonl --answers`: answer strings found in what `qa` shows, abstention, and the BM25 baseline
over windows of the same mean length; a tiny corpus written here, numbers known by construction."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from qa.config import Settings
from qa.engine import Engine
from qa.errors import QAError
from qa.eval_answers import answer_rank, evaluate_answers, load_news_questions, normalised
from qa.eval_windows import WindowIndex, WindowShape, fts_query, windows
from tests.support.fake_encoder import HashingEncoder

WORDS_PER_ARTICLE = 30
ARTICLES = {
    "zebra": (
        "Zebras cross the river",
        "Each year about 1.3 million wildebeest and zebras cross the Mara river in Kenya during the great "
        "migration, park rangers said on Tuesday, while hungry crocodiles wait at every crossing.",
    ),
    "etna": (
        "Etna erupts",
        "Mount Etna in Sicily erupted overnight, sending lava down its eastern slope toward the village of "
        "Zafferana, the national volcano institute said, and Catania airport closed for six long hours.",
    ),
    "tax": (
        "Tax reform passed",
        "Parliament passed a tax reform that lowers the income tax rate for small firms to 19 percent from "
        "next January, finance minister Anna Berg told reporters late on Monday evening.",
    ),
    "chess": (
        "Chess final drawn",
        "The world chess championship final in Dubai ended in a draw after ninety moves, and the title will "
        "now be decided by rapid games on Friday, the organisers announced Sunday.",
    ),
}
QUESTIONS = [
    {"question": "Which river do zebras cross during the great migration?", "answer": "Mara river"},
    {"question": "Which airport closed after Mount Etna erupted?", "answer": "CATANIA   airport"},
    {"question": "To what rate does the tax reform lower income tax for small firms?", "answer": "19 percent"},
    # Answerable on paper, but no article holds the answer: a miss for every system at every k.
    {"question": "Who won the world chess championship final?", "answer": "Magnus Carlsen"},
    {"question": "How do you bake sourdough bread at home?", "answer": None},
    {"question": "Who painted the Mona Lisa?", "answer": None, "kind": "unanswerable"},  # other fields ignored
]


def write_corpus(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name, (title, text) in ARTICLES.items():
        assert len(text.split()) == WORDS_PER_ARTICLE, name
        front = f"---\ntitle: {title}\noutlet: Test Wire\ndate: 2024-03-0{len(name)}\n---\n"
        (folder / f"{name}.md").write_text(front + text + "\n", encoding="utf-8")
    return folder


def write_questions(path: Path, records: list[dict] = QUESTIONS) -> Path:
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    return path


def run_qa(*args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "qa", "eval", *map(str, args)], capture_output=True, text=True, check=False
    )


def words_shared(question: str, text: str) -> bool:
    """Whether FTS5's default tokenizer finds a word of the question in the text (ASCII here: \\w+ folded)."""
    import re

    return bool(set(re.findall(r"\w+", question.casefold())) & set(re.findall(r"\w+", text.casefold())))


def test_answers_match_after_folding_case_space_and_width_but_numbers_as_written():
    assert normalised("  Catania\n  AIRPORT ") == "catania airport"
    assert normalised("ＣＳＸ Corp") == "csx corp"  # NFKC: full-width letters are the letters
    texts = ["Nothing here.", "The Mara\nRiver is wide.", "the mara river again"]
    assert answer_rank(texts, "mara river") == 2
    assert answer_rank(texts, "Nile") is None
    assert answer_rank(texts, None) is None
    assert answer_rank(["sales of 1,000 tonnes"], "1000 tonnes") is None  # numbers are matched as written


def test_windows_cover_every_word_with_a_quarter_of_overlap():
    assert WindowShape.of_length(4) == WindowShape(words=4, stride=3)
    assert WindowShape.of_length(67) == WindowShape(words=67, stride=50)
    words = [f"w{n}" for n in range(11)]
    cut = windows(" ".join(words), WindowShape(words=4, stride=3))
    # starts at 0, 3, 6, then one more ending at the last word (start 7): every word in some window
    assert cut == ["w0 w1 w2 w3", "w3 w4 w5 w6", "w6 w7 w8 w9", "w7 w8 w9 w10"]
    assert windows("short\n text", WindowShape(words=4, stride=3)) == ["short text"]
    assert windows("   ", WindowShape(words=4, stride=3)) == []


def test_the_baseline_quotes_question_words_and_ranks_by_bm25():
    assert fts_query('Who said "NEAR" AND OR ( x*?') == '"who" OR "said" OR "near" OR "and" OR "or" OR "x"'
    assert fts_query("?!") is None
    index = WindowIndex(WindowShape(words=5, stride=4))
    index.add(["the cat sat on the mat today", "a dog barked at the cat"])
    assert index.windows == 4
    # 7 words: windows at 0 and 2 (ending at the last word); 6 words: at 0 and 1.
    assert set(index.search("Which dog barked?", 10)) == {"a dog barked at the", "dog barked at the cat"}
    assert index.search("Where is the mat?", 1) == ["sat on the mat today"]
    assert index.search("?!", 10) == []
    index.close()


def test_baseline_numbers_on_a_tiny_corpus(tmp_path):
    """With the fake encoder (retrieval quality of `qa` is not measured here): the baseline's numbers are
    known by construction, and `qa`'s row agrees with its own per-question outcomes."""
    settings = Settings(corpus_dir=write_corpus(tmp_path / "corpus"), index_dir=tmp_path / "index")
    engine = Engine(settings, embedder=HashingEncoder())
    engine.build_index()
    report = evaluate_answers(load_news_questions(write_questions(tmp_path / "questions.jsonl")), engine)
    engine.close()
    assert (report.questions, report.answerable, report.unanswerable, report.articles) == (6, 4, 2, 4)
    qa, baseline = report.systems
    assert qa.system == "qa" and baseline.system == "bm25-windows"
    # Every article is one 30-word passage, so every hit `qa` shows has 30 words (if it shows any; else the
    # windows are `max_words` long), and each article is one baseline window.
    assert qa.mean_words_per_hit == (30.0 if qa.hits else 0.0)
    assert report.window_words == (30 if qa.hits else settings.max_words)
    assert (report.window_stride, report.windows) == ((22, 4) if qa.hits else (112, 4))
    # Baseline: the three findable answers are found first (each question shares rare words with its
    # article only); "Magnus Carlsen" is in no article; it never abstains (both null questions share a
    # word such as "the" or "at" with some article).
    assert baseline.recall_at == {1: 0.75, 5: 0.75, 10: 0.75}
    assert (baseline.abstained_unanswerable, baseline.answered_answerable, baseline.can_abstain) == (0.0, 1.0, False)
    assert baseline.mean_words_per_hit == 30.0
    texts = [text for _, text in ARTICLES.values()]
    assert baseline.hits == sum(words_shared(q["question"], text) for q in QUESTIONS for text in texts)
    assert [o.baseline_rank for o in report.outcomes] == [1, 1, 1, None, None, None]
    assert [o.line for o in report.outcomes] == [1, 2, 3, 4, 5, 6]
    # `qa`'s row is its outcomes counted.
    ranks = [o.qa_rank for o in report.outcomes[:4]]
    assert qa.recall_at == {k: sum(r is not None and r <= k for r in ranks) / 4 for k in (1, 5, 10)}
    assert qa.abstained_unanswerable == sum(o.qa_abstained for o in report.outcomes[4:]) / 2
    assert qa.answered_answerable == sum(not o.qa_abstained for o in report.outcomes[:4]) / 4


@pytest.mark.model
def test_qa_eval_answers_on_a_tiny_corpus(tmp_path):
    """The real command with the real model: each findable answer is in `qa`'s first hit, the chess question
    is answered but its answer is nowhere, and both general-knowledge questions abstain."""
    corpus, questions = write_corpus(tmp_path / "corpus"), write_questions(tmp_path / "questions.jsonl")
    index = tmp_path / "index"
    result = run_qa(questions, "--answers", "--corpus", corpus, "--index", index, "--json")
    assert result.returncode == 0, result.stderr
    assert "answering questions: 6/6" in result.stderr  # progress, on stderr
    report = json.loads(result.stdout)
    qa, baseline = report["systems"]
    assert qa["recall_at"] == {"1": 0.75, "5": 0.75, "10": 0.75}
    assert (qa["abstained_unanswerable"], qa["answered_answerable"]) == (1.0, 1.0)
    assert qa["mean_words_per_hit"] == 30.0
    assert (report["window_words"], report["window_stride"], report["windows"]) == (30, 22, 4)
    assert baseline["recall_at"] == {"1": 0.75, "5": 0.75, "10": 0.75}
    assert (baseline["abstained_unanswerable"], baseline["answered_answerable"]) == (0.0, 1.0)
    assert [o["qa_rank"] for o in report["outcomes"]] == [1, 1, 1, None, None, None]

    # The same run as a table (the index is kept, so only the questions are asked again).
    table = run_qa(questions, "--answers", "--corpus", corpus, "--index", index, "--quiet")
    assert table.returncode == 0, table.stderr
    assert table.stderr == ""
    lines = table.stdout.splitlines()
    assert lines[0] == "news QA: 6 questions (4 answerable, 2 with a null answer) over 4 articles"
    assert lines[1].startswith("baseline: SQLite FTS5 BM25 over 30-word windows (stride 22, 4 windows)")
    assert lines[3].split() == ["system", "R@1", "R@5", "R@10", "abstained", "answered", "words/hit", "hits",
                                "questions/s"]  # fmt: skip
    assert lines[4].split()[:7] == ["qa", "0.750", "0.750", "0.750", "1.000", "1.000", "30.0"]
    assert lines[5].split()[:7] == ["bm25-windows", "0.750", "0.750", "0.750", "never", "1.000", "30.0"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"question": "a?", "answer": "b"}\nnot json\n', r"line 2 is not valid JSON"),
        ('\n["a?", "b"]\n', r"line 2 is not a JSON object"),
        ('{"question": "a?", "answer": "b"}\n{"answer": "b"}\n', r'line 2 has no "question" text'),
        ('{"question": "  ", "answer": "b"}\n', r'line 1 has no "question" text'),
        ('{"question": "a?"}\n', r'line 1 has no "answer" \(give the answer string, or null'),
        ('{"question": "a?", "answer": 42}\n', r'line 1: "answer" must be a non-empty string, or null'),
        ('{"question": "a?", "answer": " "}\n', r'line 1: "answer" must be a non-empty string'),
        ("\n\n", r"holds no questions"),
    ],
)
def test_malformed_questions_are_named_by_line(tmp_path, content, message):
    path = tmp_path / "questions.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(QAError, match=message):
        load_news_questions(path)


def test_the_command_names_bad_input_before_loading_anything(tmp_path):
    corpus = write_corpus(tmp_path / "corpus")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "Which river?", "answer": "Mara"}\n{"question": "Who?", "answer": [1]}\n')
    result = run_qa(bad, "--answers", "--corpus", corpus)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == f'Error: {bad}: line 2: "answer" must be a non-empty string, or null for a question ' \
        "that should abstain.\n"  # fmt: skip

    questions = write_questions(tmp_path / "questions.jsonl")
    missing = run_qa(tmp_path / "nowhere.jsonl", "--answers", "--corpus", corpus)
    assert (missing.returncode, missing.stderr) == (
        1,
        f"Error: The questions file {tmp_path}/nowhere.jsonl does not exist.\n",
    )
    no_corpus = run_qa(questions, "--answers", "--corpus", tmp_path / "no-corpus")
    assert no_corpus.returncode == 1
    assert no_corpus.stderr == f"Error: The corpus folder {tmp_path}/no-corpus does not exist.\n"
    usage = run_qa(questions, "--answers")
    assert usage.returncode == 2 and "--answers needs --corpus FOLDER" in usage.stderr
    assert not (tmp_path / "index").exists()
