"""A BM25 index that grows and shrinks one entry at a time.

Our own rather than `rank-bm25` or `bm25s`: both build their statistics for a whole corpus at
once (`BM25Okapi(corpus)`, `BM25.index(corpus)`), so every resolved ticket would mean
re-indexing every ticket before it. Here an entry is added, replaced or removed in the time its
own words take, and a query only walks the postings of its own words.

Scores are turned into a confidence in [0, 1]: the BM25 score divided by the score a document
would get that holds every query word once at the average length (which is the sum of the
words' IDF). A query whose rare words are all in an entry scores near 1; one that shares only
common words, or words nobody wrote before, scores near 0 — so one threshold fits every query.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from bot.knowledge.tokens import tokens

K1 = 1.2
B = 0.75


@dataclass(frozen=True)
class Entry:
    """Something that answers a request: a resolved ticket, a saved reply or an article."""

    id: str  # "ticket:12", "reply:vpn", "article:vpn.md"
    kind: str  # ticket, reply, article
    title: str  # what it is called where it is shown
    text: str  # what is matched against requests
    answer: str  # what is shown as the answer
    ticket: int | None = None
    category: str | None = None


@dataclass(frozen=True)
class Hit:
    entry: Entry
    score: float  # BM25
    confidence: float  # 0..1, see the module's docstring


class Index:
    def __init__(self) -> None:
        self.entries: dict[str, Entry] = {}
        self._postings: dict[str, dict[str, int]] = {}  # word -> entry id -> count
        self._lengths: dict[str, int] = {}
        self._total = 0

    def __len__(self) -> int:
        return len(self.entries)

    def add(self, entry: Entry) -> None:
        """Index `entry`, replacing one with the same id."""
        self.remove(entry.id)
        words = Counter(tokens(entry.text))
        self.entries[entry.id] = entry
        self._lengths[entry.id] = sum(words.values())
        self._total += self._lengths[entry.id]
        for word, count in words.items():
            self._postings.setdefault(word, {})[entry.id] = count

    def add_all(self, entries: Iterable[Entry]) -> None:
        for entry in entries:
            self.add(entry)

    def remove(self, entry_id: str) -> None:
        entry = self.entries.pop(entry_id, None)
        if entry is None:
            return
        self._total -= self._lengths.pop(entry_id)
        for word in set(tokens(entry.text)):
            postings = self._postings.get(word)
            if postings is not None:
                postings.pop(entry_id, None)
                if not postings:
                    del self._postings[word]

    def _idf(self, word: str) -> float:
        n, df = len(self.entries), len(self._postings.get(word, ()))
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def search(self, query: str, k: int = 3, *, allow: frozenset[str] | None = None) -> list[Hit]:
        """The `k` entries closest to `query`, best first. `allow`: only entries of these kinds."""
        words = set(tokens(query))
        if not words or not self.entries:
            return []
        average = self._total / len(self.entries) or 1.0
        scores: dict[str, float] = {}
        ideal = 0.0
        for word in words:
            idf = self._idf(word)
            ideal += idf
            for entry_id, count in self._postings.get(word, {}).items():
                norm = K1 * (1 - B + B * self._lengths[entry_id] / average)
                scores[entry_id] = scores.get(entry_id, 0.0) + idf * count * (K1 + 1) / (count + norm)
        if allow is not None:
            scores = {i: s for i, s in scores.items() if self.entries[i].kind in allow}
        best = heapq.nlargest(k, scores.items(), key=lambda item: (item[1], item[0]))
        return [Hit(self.entries[i], s, min(1.0, s / ideal) if ideal else 0.0) for i, s in best]
