"""How many answer summaries name a speaker: the news development set through the real `qa ask` path.

Indexes the development set's Reuters stories only (about a hundred stories, a few hundred
passages: small enough for a busy machine) into WORKDIR, then asks every answerable question and
counts the summaries that name a speaker, listing each named speaker with its quoted sentence so
they can be checked by hand. Run it once with this branch and once with the code before issue 15
(PYTHONPATH pointing at that checkout) on the same WORKDIR to compare.

    PYTHONPATH=. HF_HUB_OFFLINE=1 .venv/bin/python bench/speakers/summaries.py \
        [--eval-data ../shared/eval-data] --workdir /tmp/qa-speakers
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from eval_texts import DEFAULT_EVAL_DATA, REUTERS, data_file  # noqa: E402

QUESTIONS = Path(__file__).resolve().parents[1] / "news_dev" / "questions.jsonl"
NAMED = re.compile(r"^(?P<speaker>.+?) \((?P<source>[^()]*\d{4})\): “(?P<sentence>.*)”$")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval-data", type=Path, default=DEFAULT_EVAL_DATA, help="the shared eval-data directory")
    parser.add_argument("--workdir", type=Path, required=True, help="where the corpus subset and index go")
    args = parser.parse_args()
    reuters = data_file(args.eval_data, REUTERS)
    questions = [json.loads(line) for line in QUESTIONS.read_text().splitlines() if line.strip()]
    answerable = [q for q in questions if q["kind"] == "answerable"]
    corpus, index = args.workdir / "corpus", args.workdir / "index"
    if not index.exists():
        wanted = {q["reuters_id"] for q in answerable}
        corpus.mkdir(parents=True, exist_ok=True)
        with gzip.open(reuters, "rt", encoding="utf-8") as source:
            stories = [line for line in source if json.loads(line)["id"] in wanted]
        with gzip.open(corpus / "reuters-dev.jsonl.gz", "wt", encoding="utf-8") as subset:
            subset.writelines(stories)
        command = [sys.executable, "-m", "qa", "index", "--corpus", str(corpus), "--index", str(index)]
        subprocess.run(command, check=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})

    from qa.config import Settings
    from qa.engine import Engine

    engine = Engine(Settings(corpus_dir=corpus, index_dir=index))
    with_summary = named = 0
    for question in answerable:
        summary = engine.ask(question["question"], k=5).summary
        with_summary += summary is not None
        for part in (summary or "").split(" · "):
            found = NAMED.match(part)
            if found and not found.group("speaker").startswith(("Reuters", "unknown outlet")):
                named += 1
                print(f"  {found.group('speaker')!r}: {found.group('sentence')[:110]}")
                break
    print(f"{len(answerable)} answerable questions: {with_summary} summaries, {named} name a speaker")
    print(f"reproduce: PYTHONPATH=. HF_HUB_OFFLINE=1 .venv/bin/python bench/speakers/summaries.py "
          f"--eval-data {args.eval_data} --workdir {args.workdir}")  # fmt: skip


if __name__ == "__main__":
    main()
