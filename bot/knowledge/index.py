"""A BM25 index that grows and shrinks one entry at a time.

Our own rather than `rank-bm25` or `bm25s`: both build their statistics for a whole corpus at
once (`BM25Okapi(corpus)`, `BM25.index(corpus)`), so every resolved ticket would mean
re-indexing every ticket before it. Here an entry is added, replaced or removed in the time its
own words take; a query walks only the postings of its own words, as numpy arrays (kept per
word, rebuilt only for words that changed), so it stays within milliseconds at 100k entries.

Scores are turned into a confidence in [0, 1]: the BM25 score divided by the score a document
would get that holds every query word once at the average length (which is the sum of the
words' IDF). A query whose rare words are all in an entry scores near 1; one that shares only
common words, or words nobody wrote before, scores near 0 — so one threshold fits every query.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.knowledge.tokens import tokens

if TYPE_CHECKING:  # imported when first asked (a desk starts without it: issue 37)
    import numpy as np

K1 = 1.2
B = 0.75
CANDIDATES = 256  # entries ranked in full per query; ample for top 3, or top 5 of one kind


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
    score: float  # the ranking's own: BM25 over the ideal score, or the blend (bot/knowledge/vectors.py)
    confidence: float  # 0..1, see the module's docstring


class _Postings:
    """One word's entries (by slot) and how often it occurs in each."""

    __slots__ = ("arrays", "counts", "slots")

    def __init__(self) -> None:
        self.slots: list[int] = []
        self.counts: list[int] = []
        self.arrays: tuple[np.ndarray, np.ndarray] | None = None

    def as_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        if self.arrays is None:
            import numpy as np

            self.arrays = (np.array(self.slots, dtype=np.int64), np.array(self.counts, dtype=np.float64))
        return self.arrays


class Index:
    def __init__(self) -> None:
        self.entries: dict[str, Entry] = {}
        self._slot: dict[str, int] = {}  # entry id -> its slot in the arrays
        self._ids: list[str | None] = []  # slot -> entry id (None: removed)
        self._lengths: list[int] = []  # slot -> words in the entry
        self._postings: dict[str, _Postings] = {}
        self._total = 0
        # slot -> words as an array for queries, grown by doubling (no rebuild per add); made
        # from `_lengths` at the first query after it ran out of room
        self._length_array: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.entries)

    def add(self, entry: Entry) -> None:
        """Index `entry`, replacing one with the same id."""
        self.remove(entry.id)
        words = Counter(tokens(entry.text))
        slot = len(self._ids)
        self.entries[entry.id] = entry
        self._slot[entry.id] = slot
        self._ids.append(entry.id)
        self._lengths.append(sum(words.values()))
        self._total += self._lengths[slot]
        if self._length_array is not None and slot < len(self._length_array):
            self._length_array[slot] = self._lengths[slot]
        else:
            self._length_array = None
        for word, count in words.items():
            postings = self._postings.get(word)
            if postings is None:
                postings = self._postings[word] = _Postings()
            postings.slots.append(slot)
            postings.counts.append(count)
            postings.arrays = None

    def add_all(self, entries: Iterable[Entry]) -> None:
        for entry in entries:
            self.add(entry)

    def remove(self, entry_id: str) -> None:
        entry = self.entries.pop(entry_id, None)
        if entry is None:
            return
        slot = self._slot.pop(entry_id)
        self._ids[slot] = None
        self._total -= self._lengths[slot]
        for word in set(tokens(entry.text)):
            postings = self._postings.get(word)
            if postings is None or slot not in postings.slots:
                continue
            at = postings.slots.index(slot)
            del postings.slots[at], postings.counts[at]
            postings.arrays = None
            if not postings.slots:
                del self._postings[word]

    def _idf(self, df: int) -> float:
        n = len(self.entries)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def lexical(self, query: str) -> np.ndarray | None:
        """Every slot's score for `query` over the ideal one (see the module's docstring; above 1
        for an entry that repeats the query's words), 0 for entries that share none of its words
        and for removed slots; None when the query has no words."""
        import numpy as np

        words = set(tokens(query))
        if not words or not self.entries:
            return None
        if self._length_array is None:
            self._length_array = np.zeros(max(1024, 2 * len(self._lengths)))
            self._length_array[: len(self._lengths)] = self._lengths
        average = self._total / len(self.entries) or 1.0
        norms = K1 * (1 - B + B * self._length_array[: len(self._ids)] / average)
        scores = np.zeros(len(self._ids))
        ideal = 0.0
        for word in words:
            postings = self._postings.get(word)
            idf = self._idf(len(postings.slots) if postings else 0)
            ideal += idf
            if postings is None:
                continue
            slots, counts = postings.as_arrays()
            scores[slots] += idf * counts * (K1 + 1) / (counts + norms[slots])
        return scores / ideal if ideal else np.zeros(len(self._ids))

    def search(self, query: str, k: int = 3, *, allow: frozenset[str] | None = None) -> list[Hit]:
        """The `k` entries closest to `query`, best first. `allow`: only entries of these kinds."""
        import numpy as np

        scores = self.lexical(query)
        if scores is None:
            return []
        return self.best(scores, np.flatnonzero(scores), k, allow)

    def best(
        self,
        scores: np.ndarray,
        found: np.ndarray,
        k: int,
        allow: frozenset[str] | None,
        floor: float = 0.0,
    ) -> list[Hit]:
        """The `k` best of the slots `found` by `scores` (ties: the older entry); a hit's
        confidence is its score mapped so that `floor` is 0 and 1 stays 1, within [0, 1]."""
        import numpy as np

        if len(found) > CANDIDATES:  # only the best few need sorting
            found = found[np.argpartition(-scores[found], CANDIDATES - 1)[:CANDIDATES]]
        order = found[np.lexsort((found, -scores[found]))]
        hits: list[Hit] = []
        for slot in order:
            entry_id = self._ids[slot]
            if entry_id is None:
                continue
            entry = self.entries[entry_id]
            if allow is not None and entry.kind not in allow:
                continue
            score = float(scores[slot])
            hits.append(Hit(entry, score, max(0.0, min(1.0, (score - floor) / (1 - floor)))))
            if len(hits) == k:
                break
        return hits
