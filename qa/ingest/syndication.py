"""The same story carried by several outlets: find near-duplicate texts so they are stored once.

Texts are compared as sets of 5-word shingles (lower-cased words, punctuation dropped): a wire
story re-run by another outlet with a new headline, a changed first line or a trimmed ending still
shares most of its shingles. MinHash band keys, stored with each article, find
candidates quickly and incrementally (qa/store/folding.py); each candidate is then confirmed
with the exact Jaccard similarity, so the threshold means the same thing at any scale.

SYNDICATION_THRESHOLD was measured on Reuters-21578 with bench/ingest_syndication_threshold.py:
wires re-sent, corrected or re-headlined (similar headline within 3 days) against different
stories that LSH still proposed (dissimilar headline, or more than a week apart). A wrong merge
misattributes a story, so we take the lowest threshold with precision >= 0.95: 0.65 gave
precision 0.959 and recall 0.575 over 5,348 labelled pairs (0.35 maximises F1 at 0.812 but
with precision 0.861). Texts under MIN_WORDS words are never matched: short dividend notices and
earnings tables share their wording across companies.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from functools import cache

import numpy as np

from qa.models import Article, Syndication

SYNDICATION_THRESHOLD = 0.65
"""Exact Jaccard of 5-word shingles at or above which two texts are one story (measured; see above)."""
SHINGLE_WORDS = 5
MIN_WORDS = 50
"""Shorter texts are templates (dividend notices, earnings tables) as often as stories: never matched."""
NUM_PERM = 128
MINHASH_SEED = 1
BANDS = 25
ROWS = 5
"""The LSH banding datasketch's MinHashLSH chooses for the candidate threshold 0.5 with 128 permutations
(checked against it in tests/ingest/test_syndication.py)."""
CANDIDATE_MARGIN = 0.15
"""LSH proposes candidates this far below the threshold; the exact Jaccard check then decides."""
BANDS_VERSION = f"minhash{NUM_PERM}-shingles{SHINGLE_WORDS}-min{MIN_WORDS}-t{SYNDICATION_THRESHOLD}"
"""Names how `band_keys` are made; keys stored under another version must be computed again."""
_WORD = re.compile(r"\w+")


def shingles(text: str) -> set[str]:
    """Overlapping 5-word sequences; a text shorter than that is one shingle of all its words."""
    words = _WORD.findall(text.lower())
    if len(words) < SHINGLE_WORDS:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}


def long_enough(text: str) -> bool:
    """Whether `text` is long enough for its wording alone to identify a story."""
    return len(_WORD.findall(text)) >= MIN_WORDS


def jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def signature(shingle_set: set[str]) -> np.ndarray:
    """The MinHash of `shingle_set` as datasketch 2's `MinHash(num_perm=128)` makes it (its default
    "affine32" scheme: SHA-1 to 32 bits, a MurmurHash3 pre-mix, then odd-multiplier affine permutations),
    computed here because importing datasketch imports scipy: about a second on every `qa add`."""
    a, b = _permutations()
    digests = b"".join([hashlib.sha1(s.encode("utf-8")).digest()[:4] for s in shingle_set])
    hashed = np.frombuffer(digests, dtype="<u4")  # each digest's first 4 bytes, little-endian
    if not hashed.size:
        return np.full(NUM_PERM, np.iinfo(np.uint32).max, dtype=np.uint32)
    return (_murmur_finalizer(hashed).reshape(-1, 1) * a + b).min(axis=0)


@cache
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """The permutation parameters datasketch draws for seed 1 (multipliers odd, so each is a bijection)."""
    generator = np.random.RandomState(MINHASH_SEED)
    multipliers = generator.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    offsets = generator.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return multipliers, offsets


def _murmur_finalizer(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer (wrapping uint32 arithmetic): spreads weak hashes before permuting."""
    values = values ^ (values >> np.uint32(16))
    values = values * np.uint32(0x85EBCA6B)
    values = values ^ (values >> np.uint32(13))
    values = values * np.uint32(0xC2B2AE35)
    return values ^ (values >> np.uint32(16))


def candidate_threshold(threshold: float = SYNDICATION_THRESHOLD) -> float:
    return max(0.05, threshold - CANDIDATE_MARGIN)


def band_keys(text: str) -> list[int]:
    """LSH band keys of `text`, as signed 64-bit integers for SQLite; empty for a text too short to match.

    Two texts sharing any key are candidates for the same story (then checked with `jaccard`);
    persisted with each article, they let a new article find its copies without rereading the corpus.
    """
    if not long_enough(text):
        return []
    values = signature(shingles(text))
    keys = []
    for band in range(BANDS):
        digest = hashlib.blake2b(values[band * ROWS : (band + 1) * ROWS].tobytes(), digest_size=8, salt=bytes([band]))
        keys.append(int.from_bytes(digest.digest(), "little", signed=True))
    return keys


def syndication_of(article: Article) -> Syndication:
    """How `article` is listed under another copy of its story: "also published by ..."."""
    return Syndication(
        outlet=article.outlet,
        published=article.published,
        url=article.url,
        doc_id=article.doc_id,
        source_path=article.source_path,
    )


def list_copy(original: Article, copy: Article) -> bool:
    """Record `copy` under `original` as "also published by"; False when it adds nothing (a re-run)."""
    listing = syndication_of(copy)
    shown = [shown_as(original), *(shown_as(s) for s in original.also_published_by)]
    if not adds_a_source(listing, shown):
        return False
    original.also_published_by.append(listing)
    return True


def shown_as(listing: Syndication | Article) -> tuple:
    """What a reader sees of a copy: (outlet, published, url)."""
    return (listing.outlet, listing.published, listing.url)


def adds_a_source(listing: Syndication, shown: Iterable[tuple]) -> bool:
    """Whether a copy tells the reader something new: who carried the story, when or where.

    One with neither outlet nor URL, or whose every known value matches a copy already shown
    (an undated re-run by the same outlet), is the same article again.
    """
    if listing.outlet is None and listing.url is None:
        return False
    own = shown_as(listing)
    return not any(
        all(mine is None or mine == theirs for mine, theirs in zip(own, other, strict=True)) for other in shown
    )
