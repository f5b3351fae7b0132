"""Sentence embeddings for the knowledge base, with the optional extra `pip install ".[assist]"`.

The model is WordLlama's `l2_supercat` at 256 dimensions (`wordllama` on PyPI): token
embeddings taken from Llama 2 and trained to pool into sentence vectors. Its wheel holds the
weights (`wordllama/weights/l2_supercat_256.safetensors`, 16 MB) and the tokenizer's
configuration, and it runs on numpy alone, so nothing is downloaded, ever: `WordLlama.load` is
called with `disable_download=True` and with the package's own folder as its cache (0.4.0 looks
for its bundled tokenizer under `tokenizer/` but ships it in `tokenizers/`, and would otherwise
fetch it from Hugging Face). A sentence takes about 0.15 ms to embed.

`EmbeddedIndex` is the lexical `Index` with a unit vector per slot beside the postings, added
and removed with its entry. A query is scored against every slot at once (one matrix-vector
product: 100k entries × 256 floats is about 100 MB and a few milliseconds).

- `embeddings`: the score is the cosine similarity alone.
- `hybrid`: the score is `BLEND` × the lexical confidence (at most 1) + (1 − `BLEND`) × the
  cosine similarity. On the labelled set (`bench/answers.py`) the blend finds more answers at
  the first place and shows fewer wrong ones than either alone.

Either raw score becomes a confidence by an affine map that keeps 1 at 1 and puts the point
tuned on the set (`TUNED`) at the desk's default threshold, 0.4, so `[answers] threshold`
means the same on every path: `confidence = (score − floor) / (1 − floor)`.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from bot.knowledge.index import CANDIDATES, Entry, Hit, Index

log = logging.getLogger("desk.knowledge")

DIM = 128  # of the model's 256 (it is trained so its leading dimensions work alone): half the memory
BLEND = 0.5  # the lexical share of the hybrid score
SHRINK = 16  # entries' worth of zero vector in the mean the vectors are centred on
DEFAULT_THRESHOLD = 0.4  # config.answers.DEFAULT_THRESHOLD
# The raw score that the set's split-half tuning put at the default threshold (bench/answers.py
# --tune): the lowest one whose false-suggestion rate stays within 10% on either half.
TUNED = {"hybrid": 0.375, "embeddings": 0.575}


def available() -> bool:
    """Whether the `.[assist]` extra is installed (without importing it: that takes a second)."""
    return importlib.util.find_spec("wordllama") is not None


def resolve(retrieval: str) -> str:
    """The path the desk takes for `[answers] retrieval`: "auto" is hybrid when the extra is
    installed and its model loads, else lexical (a broken install costs the embeddings, not the
    desk); "hybrid" and "embeddings" insist (config/answers.py checks the extra is there)."""
    if retrieval != "auto":
        return retrieval
    if not available():
        return "lexical"
    try:
        model()
    except Exception:
        log.exception("knowledge: the assist extra is installed but its model does not load; lexical only")
        return "lexical"
    return "hybrid"


@cache
def model() -> Any:
    """The WordLlama model from the package's own files (see the module's docstring)."""
    import wordllama  # the extra: imported only when an embedding path is chosen

    folder = Path(wordllama.__file__).parent
    return wordllama.WordLlama.load(cache_dir=folder, trunc_dim=DIM, disable_download=True)


def embed(texts: list[str]) -> np.ndarray:
    """The model's vectors (float32, not normalised) for `texts`. Embedded shortest first, 64 at
    a time: a batch is padded to its longest text, so a long article among short requests would
    otherwise make them all as long (Chinese takes ~3 tokens a character in Llama 2's tokenizer)."""
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    found = np.asarray(model().embed([texts[i] for i in order], batch_size=64), dtype=np.float32)
    vectors = np.empty_like(found)
    vectors[order] = found
    return vectors


class EmbeddedIndex(Index):
    """The lexical index with a sentence vector per entry; `mode` is "hybrid" or "embeddings".

    Vectors are compared after taking out what the knowledge base's entries have in common (their
    mean, shrunk towards zero while there are few: `sum / (count + SHRINK)`): WordLlama's raw
    vectors all lean the same way, Chinese ones most (their byte-level tokens are shared), so raw
    cosines crowd together; centred ones spread out and one threshold fits both languages
    (`bench/answers.py`: the hybrid's shown recall 0.64 -> 0.74 at the same false-suggestion rate).
    The mean is fixed between refreshes, taken again once the entries grew or shrank by a quarter
    (each refresh costs one pass over the vectors: amortised, a constant per entry).
    """

    def __init__(self, mode: str = "hybrid", saved: Path | None = None) -> None:
        if mode not in TUNED:
            raise ValueError(f"expected hybrid or embeddings, got {mode!r}")
        super().__init__()
        self.saved = saved  # the vectors kept beside the store (see `save`), if it has a folder
        self._known: dict[int, np.ndarray] = _read(saved) if saved else {}  # text's key -> vector
        self._changed = False  # vectors computed since the file was written
        self.embedded = 0  # texts this index had the model embed (the others came from the file)
        self.mode = mode
        self.floor = (TUNED[mode] - DEFAULT_THRESHOLD) / (1 - DEFAULT_THRESHOLD)
        self._raw = np.zeros((1024, DIM), dtype=np.float32)  # slot -> the model's vector, grown by doubling
        self._inverse = np.zeros(1024, dtype=np.float32)  # slot -> 1 / |vector - mean|; 0: removed or empty
        self._sum = np.zeros(DIM, dtype=np.float64)  # of the entries' vectors
        self._mean = np.zeros(DIM, dtype=np.float32)  # the one vectors are centred on, until a refresh
        self._counted = 0  # entries when the mean was last taken
        self._adding = False

    def add(self, entry: Entry) -> None:
        self.add_all([entry])

    def add_all(self, entries: Iterable[Entry]) -> None:
        """Index `entries`, embedding them in batches (about 3x faster than one by one)."""
        batch = list({entry.id: entry for entry in entries}.values())  # an id twice: the last stays
        if not batch:
            return
        keys = [_key(e.text) for e in batch]
        missing = [i for i, key in enumerate(keys) if key not in self._known]
        computed = dict(zip(missing, embed([batch[i].text for i in missing]), strict=True))
        self._changed = self._changed or bool(missing)
        self.embedded += len(missing)
        vectors = np.array(
            [computed[at] if at in computed else self._known[keys[at]] for at in range(len(batch))],
            dtype=np.float32,
        ).reshape(len(batch), DIM)
        self._adding = True  # a replaced entry's removal takes no new mean halfway through
        try:
            for entry in batch:
                super().add(entry)
        finally:
            self._adding = False
        slots = np.array([self._slot[entry.id] for entry in batch])
        while slots.max() >= len(self._raw):
            self._raw = np.concatenate([self._raw, np.zeros_like(self._raw)])
            self._inverse = np.concatenate([self._inverse, np.zeros_like(self._inverse)])
        self._raw[slots] = vectors
        self._inverse[slots] = _inverse_all(np.linalg.norm(self._raw[slots] - self._mean, axis=1))
        self._sum += vectors.sum(axis=0, dtype=np.float64)
        self._maybe_refresh()

    def remove(self, entry_id: str) -> None:
        slot = self._slot.get(entry_id)
        super().remove(entry_id)
        if slot is not None:
            self._sum -= self._raw[slot]
            self._raw[slot] = 0.0
            self._inverse[slot] = 0.0
            self._maybe_refresh()

    def save(self) -> None:
        """Write every entry's vector beside the store, for the next start (see `snapshot`)."""
        write = self.snapshot()
        if write is not None:
            write()

    def snapshot(self) -> Callable[[], None] | None:
        """What to write beside the store, taken now; the returned writer may run on a thread.

        A start then embeds only what changed since (100k tickets' vectors take minutes to
        compute on a busy machine, and a second to read). The store stays the truth: a lost,
        old or foreign file (another model, another size) only costs the time to embed again.
        Written whole, to a temporary file renamed over the old one.

        Taken on the event loop, beside `observe`: the writer holds copies (the slots' vectors,
        the texts), so a ticket learnt while the file is written changes nothing it reads, and
        `_known` is let go here, not from the thread under an `add_all` that was reading it.
        None when there is nothing new to write."""
        self._known = {}  # read once, at start
        if self.saved is None or not self._changed:
            return None
        slots = list(self._slot.values())
        texts = [self.entries[str(self._ids[slot])].text for slot in slots]
        vectors = self._raw[slots]  # an index array: a copy, not a view
        saved = self.saved
        self._changed = False

        def write() -> None:
            keys = np.array([_key(text) for text in texts], dtype=np.uint64)
            temporary = saved.with_name(saved.name + ".tmp")
            with _WRITING, _failed_again(self):  # one writer of the .tmp file at a time
                with temporary.open("wb") as out:
                    np.savez(out, model=np.array(MODEL), keys=keys, vectors=vectors)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(temporary, saved)

        return write

    def _maybe_refresh(self) -> None:
        if self._adding:
            return
        count = len(self.entries)
        if self._counted and 0.8 * self._counted <= count <= 1.25 * self._counted:
            return
        self._counted = count
        self._mean = (self._sum / (count + SHRINK)).astype(np.float32)
        used = len(self._ids)
        alive = np.array([i is not None for i in self._ids], dtype=bool)
        norms = np.linalg.norm(self._raw[:used] - self._mean, axis=1)
        self._inverse[:used] = np.where(alive, _inverse_all(norms), 0.0)

    def raw_scores(self, query: str) -> np.ndarray | None:
        """Every slot's raw score for `query` (see the module's docstring); None without words."""
        if not self.entries:
            return None
        lexical = self.lexical(query) if self.mode == "hybrid" else None
        vector = embed([query])[0] - self._mean
        length = float(np.linalg.norm(vector))
        if length == 0:
            return None if lexical is None else BLEND * np.minimum(lexical, 1.0)
        vector /= length
        used = len(self._ids)
        # einsum, not `@`: one thread, where BLAS's would spin against the event loop's (and, on
        # a busy machine, made the query 5x slower at the 99th percentile)
        products = np.einsum("ij,j->i", self._raw[:used], vector)
        cosine = (products - float(self._mean @ vector)) * self._inverse[:used]
        if lexical is None:
            return cosine.astype(np.float64)
        return BLEND * np.minimum(lexical, 1.0) + (1 - BLEND) * cosine

    def search(self, query: str, k: int = 3, *, allow: frozenset[str] | None = None) -> list[Hit]:
        raw = self.raw_scores(query)
        if raw is None:
            return []
        if len(raw) > CANDIDATES:  # the best few, straight from the scores (no copy of the positive ones)
            top = np.argpartition(-raw, CANDIDATES - 1)[:CANDIDATES]
        else:
            top = np.arange(len(raw))
        return self.best(raw, top[raw[top] > 0], k, allow, self.floor)  # removed slots score 0


# A stop can snapshot and write while the start's last write still runs on its thread (the
# learning was cancelled, its thread was not): the two would share the temporary file.
_WRITING = threading.Lock()


@contextmanager
def _failed_again(index: EmbeddedIndex) -> Iterator[None]:
    """A write that fails leaves the index marked changed: written next time."""
    try:
        yield
    except OSError:
        index._changed = True
        raise


MODEL = f"wordllama l2_supercat {DIM}"  # what a saved file must have been made with


def _key(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")


def _read(path: Path) -> dict[int, np.ndarray]:
    """The vectors saved at `path` by their text's key; none when it is missing or foreign."""
    try:
        with np.load(path) as saved:
            if str(saved["model"]) != MODEL or saved["vectors"].shape[1:] != (DIM,):
                log.info("knowledge: %s was made with another model; embedding again", path)
                return {}
            return dict(zip((int(k) for k in saved["keys"]), saved["vectors"], strict=True))
    except FileNotFoundError:
        return {}
    except Exception as problem:  # damaged: the store has what it takes to make it again
        log.warning("knowledge: cannot read %s (%s); embedding again", path, problem)
        return {}


def _inverse(norm: float) -> float:
    return 1.0 / norm if norm > 1e-9 else 0.0


def _inverse_all(norms: np.ndarray) -> np.ndarray:
    return np.divide(1.0, norms, out=np.zeros_like(norms), where=norms > 1e-9)
