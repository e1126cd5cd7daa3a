"""Re-run the checks on the news development question set (issue 15).

Reads questions.jsonl beside this file and the Reuters-21578 JSONL (gzip), then checks:

* every record has the documented fields and types, and kind matches answer / reuters_id being null or not;
* every answerable answer appears verbatim in its story's body (case-insensitive, whitespace collapsed, since
  bodies keep hard line wraps), and not in its question;
* no question appears twice (case and whitespace folded), and no story gives more than two questions;
* for each unanswerable question, how many stories contain all of its content words (a coarse grep; the
  hits it names were read by hand when the set was made, see README.md).

Prints counts per kind, per topic (the note's "topic: ..." prefix), per month of the answerable stories, and how
many stories contain each answer string. Exits 1 if a hard check fails, 2 if the data file is missing.

    python bench/news_dev/check_questions.py --data /work/shared/eval-data/reuters-21578/reuters21578.jsonl.gz
"""

from __future__ import annotations

import argparse
import collections
import gzip
import json
import re
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = Path("/work/shared/eval-data/reuters-21578/reuters21578.jsonl.gz")
FIELDS = {"question": str, "kind": str, "note": str}
STOP = set(
    """a an the of in on at to for from by with and or is are was were be been do does did how what which who whom
    when where why many much long often should you your i my can could most main first called best good there this
    that it its into after up out about between year years part own get make made""".split()
)


def norm(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip().lower()


def content_words(question: str) -> list[str]:
    return [w for w in re.findall(r"[a-z0-9'-]+", question.lower()) if w not in STOP and len(w) > 1]


def topic_of(note: str) -> str:
    m = re.match(r"topic: ([^;]+)", note)
    return m.group(1).strip() if m else "(none)"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="path to reuters21578.jsonl.gz")
    ap.add_argument("--questions", type=Path, default=HERE / "questions.jsonl", help="question file to check")
    args = ap.parse_args(argv)

    if not args.data.is_file():
        print(f"error: Reuters-21578 data not found at {args.data}; pass --data PATH to reuters21578.jsonl.gz",
              file=sys.stderr)
        return 2
    if not args.questions.is_file():
        print(f"error: question file not found at {args.questions}", file=sys.stderr)
        return 2

    stories: dict[int, dict] = {}
    with gzip.open(args.data, "rt", encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            stories[d["id"]] = d
    bodies = {i: norm(d["body"]) for i, d in stories.items() if d["body"]}
    texts = [norm((d["title"] or "") + " " + (d["body"] or "")) for d in stories.values()]

    records = []
    with args.questions.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                records.append((n, json.loads(line)))

    failures: list[str] = []
    kinds: collections.Counter = collections.Counter()
    topics: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    months: collections.Counter = collections.Counter()
    per_story: collections.Counter = collections.Counter()
    seen: dict[str, int] = {}
    spread: list[int] = []
    speakers = 0
    unanswerable_hits: list[tuple[int, str, int]] = []

    for n, r in records:
        for key, typ in FIELDS.items():
            if not isinstance(r.get(key), typ):
                failures.append(f"line {n}: field {key!r} missing or not {typ.__name__}")
        if set(r) != {"question", "answer", "kind", "reuters_id", "note"}:
            failures.append(f"line {n}: unexpected fields {sorted(set(r))}")
        q = r.get("question", "")
        key = norm(q)
        if key in seen:
            failures.append(f"line {n}: duplicate of line {seen[key]}: {q}")
        seen.setdefault(key, n)
        kind = r.get("kind")
        kinds[kind] += 1
        topics[kind][topic_of(r.get("note", ""))] += 1
        if kind == "answerable":
            rid, ans = r.get("reuters_id"), r.get("answer")
            if not isinstance(rid, int) or not isinstance(ans, str) or not ans.strip():
                failures.append(f"line {n}: answerable needs an int reuters_id and a non-empty answer")
                continue
            if not 1 <= len(ans.split()) <= 5:
                failures.append(f"line {n}: answer {ans!r} is not 1-5 words")
            if norm(ans) not in bodies.get(rid, ""):
                failures.append(f"line {n}: answer {ans!r} not found verbatim in story {rid}")
            if norm(ans) in key:
                failures.append(f"line {n}: answer {ans!r} appears in the question")
            per_story[rid] += 1
            months[(stories[rid]["date"] or "unknown")[:7] if rid in stories else "unknown"] += 1
            spread.append(sum(1 for b in bodies.values() if norm(ans) in b))
            speakers += "who-said" in r.get("note", "")
        elif kind == "unanswerable":
            if r.get("answer") is not None or r.get("reuters_id") is not None:
                failures.append(f"line {n}: unanswerable needs answer and reuters_id null")
            pats = [re.compile(r"\b" + re.escape(w)) for w in content_words(q)]
            hits = sum(1 for t in texts if pats and all(p.search(t) for p in pats))
            if hits:
                unanswerable_hits.append((n, q, hits))
        else:
            failures.append(f"line {n}: kind {kind!r} is not answerable or unanswerable")
    for rid, c in per_story.items():
        if c > 2:
            failures.append(f"story {rid} gives {c} questions (at most 2)")

    print(f"questions: {len(records)} in {args.questions}")
    for kind in ("answerable", "unanswerable"):
        print(f"  {kind}: {kinds[kind]}")
        for t, c in sorted(topics[kind].items(), key=lambda x: (-x[1], x[0])):
            print(f"      {t}: {c}")
    print(f"  who-said (speaker) questions: {speakers}")
    print(f"  distinct stories: {len(per_story)} (max {max(per_story.values(), default=0)} questions per story)")
    print("  answerable per month of story: " + ", ".join(f"{m} {c}" for m, c in sorted(months.items())))
    if spread:
        print(f"  stories whose body contains the answer string: median {statistics.median(spread)}, "
              f"max {max(spread)}, answers found in exactly one story: {sum(1 for s in spread if s == 1)}")
    verbatim_ok = kinds["answerable"] - sum("not found verbatim" in f for f in failures)
    print(f"verbatim check: {verbatim_ok}/{kinds['answerable']} answers found in their story's body")
    print(f"duplicate questions: {sum('duplicate' in f for f in failures)}")
    print(f"unanswerable questions whose content words all occur in some story: {len(unanswerable_hits)} "
          f"(read by hand when the set was made; none answers it)")
    for n, q, hits in unanswerable_hits:
        print(f"    line {n}: {hits} stories: {q}")
    if failures:
        print(f"FAILED: {len(failures)} problem(s)")
        for f in failures:
            print(f"  {f}")
    else:
        print("all checks passed")
    print(f"reproduce: python bench/news_dev/check_questions.py --data {args.data}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
