"""The knowledge base: what the desk already knows, as `Entry`s in one `Index`.

Built from the store's resolved tickets, the saved replies (`[replies]`) and the
Markdown articles in `knowledge.path`; then kept up to date as tickets resolve or reopen
(`KnowledgeBase.observe`, a store observer). The store's tickets are learnt after the desk has
started (`learn_at_start`, a task of its own, a few milliseconds at a time): until then the
base is `learning`, intake offers no suggestions (the request goes on as when none matches)
and the Details modal shows no similar tickets, while `/desk similar` waits for it
(`KnowledgeBase.learnt`). A ticket counts once it is resolved with words:
its request is matched, and the words that resolved it (the resolution note, else the last
reply to the requester) are the answer shown.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import re
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from bot.domain.ticket import Action, Status, Ticket
from bot.knowledge.index import Entry, Hit, Index
from store.base import Store
from store.names import TICKETS
from store.records import LINKS

log = logging.getLogger("desk.knowledge")
SAVED_SUFFIX = ".vectors.npz"  # beside a TinyDB store's file: desk.json.vectors.npz
SLICE = 0.01  # seconds of learning at start before the event loop gets its turn
BATCH = 32  # tickets learnt between two looks at the clock


MENTION = re.compile(r"<[@!][^>]*>")


def resolving_words(ticket: Ticket) -> str:
    """What resolved the ticket: its resolution note, else the last reply to the requester;
    without mentions (`<@U…>`): shown to other people, it names nobody."""
    words = ticket.resolution_note.strip()
    if not words:
        replies = [e.detail for e in ticket.trail if e.action is Action.REPLIED and e.detail.strip()]
        words = replies[-1].strip() if replies else ""
    return " ".join(MENTION.sub("", words).split(" ")).strip()


def ticket_entry(ticket: Ticket, ref: str) -> Entry | None:
    """A resolved ticket as an entry; None while it is open or was resolved without words."""
    if ticket.status is not Status.RESOLVED:
        return None
    answer = resolving_words(ticket)
    if not answer:
        return None
    return Entry(
        f"ticket:{ticket.number}",
        "ticket",
        ref,
        f"{ticket.text}\n{answer}",
        answer,
        ticket=ticket.number,
        category=ticket.category,
    )


def reply_entries(replies: dict[str, str]) -> list[Entry]:
    """Saved replies: their name and words are matched, their words are the answer (with
    `{requester}` and `{ref}`, which only a ticket fills in, read as "there" and "your request")."""
    found = []
    for name, words in replies.items():
        general = words.replace("{requester}", "there").replace("{ref}", "your request")
        found.append(
            Entry(
                f"reply:{name}",
                "reply",
                name,
                f"{name.replace('-', ' ').replace('_', ' ')}\n{general}",
                general,
            )
        )
    return found


def article_entries(folder: str | Path) -> list[Entry]:
    """The Markdown articles in `folder` (and below): the first `# ` line is the title."""
    root = Path(folder)
    if not root.is_dir():
        return []
    found = []
    for path in sorted(root.rglob("*.md")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as problem:
            log.warning("knowledge: cannot read %s (%s)", path, problem)
            continue
        lines = text.strip().splitlines()
        heading = next((line for line in lines if line.startswith("# ")), None)
        title = heading[2:].strip() if heading else path.stem.replace("-", " ")
        body = "\n".join(line for line in lines if line is not heading).strip()
        name = path.relative_to(root).as_posix()
        found.append(Entry(f"article:{name}", "article", title, f"{title}\n{body}", body))
    return found


class KnowledgeBase:
    """The index and how it follows the store. `ref` shows a ticket number (T-12).
    `retrieval`: `[answers] retrieval`, "lexical", "hybrid", "embeddings" or "auto" (hybrid
    when the `.[assist]` extra is installed, else lexical; see `bot/knowledge/vectors.py`)."""

    def __init__(
        self,
        ref: Any,
        replies: dict[str, str],
        folder: str | None,
        retrieval: str = "lexical",
        saved: Path | None = None,
    ) -> None:
        self.ref = ref
        self.retrieval = _resolve(retrieval)
        self.incidents = self._new_index()  # open tickets others are linked to: "Is this the same as …?"
        self.index = self._new_index(saved)  # `saved`: its vectors' file, beside the store's
        self.index.add_all(reply_entries(replies))
        if folder:
            self.index.add_all(article_entries(folder))
        # While the store's tickets are being learnt (`learn_at_start`): False, and the numbers
        # of the tickets written meanwhile (`observe` learnt them as they now stand, so what was
        # read before is stale). A base nobody starts learning is ready as it is.
        self.ready = True
        self._written: set[int] = set()
        self._done = asyncio.Event()
        self._done.set()

    def begin_learning(self) -> None:
        """The store's tickets are about to be read and learnt (`learn_at_start`)."""
        self.ready = False
        self._written = set()
        self._done.clear()

    def end_learning(self) -> None:
        self.ready = True
        self._written = set()
        self._done.set()

    async def learnt(self) -> None:
        """Once the store's tickets are learnt (at once when they are)."""
        await self._done.wait()

    def _new_index(self, saved: Path | None = None) -> Index:
        if self.retrieval == "lexical":
            return Index()
        from bot.knowledge import vectors

        return vectors.EmbeddedIndex(self.retrieval, saved)

    def save(self) -> None:
        """Keep the sentence vectors beside the store (with the extra, on a store with a file)."""
        write = self.snapshot()
        if write is not None:
            write()

    def snapshot(self) -> Callable[[], None] | None:
        """Taken on the event loop: a writer of the sentence vectors to run on a thread, which
        never raises (a cache: the next start embeds again); None when there is nothing to keep."""
        if self.retrieval == "lexical":
            return None
        from bot.knowledge import vectors

        if not isinstance(self.index, vectors.EmbeddedIndex):
            return None
        write = self.index.snapshot()
        if write is None:
            return None

        def kept() -> None:
            try:
                write()
            except OSError as problem:
                log.warning("knowledge: cannot save the vectors (%s)", problem)

        return kept

    def learn(self, tickets: Iterable[Ticket]) -> None:
        """Index these tickets as they now stand (resolved ones in, others out)."""
        learnt = []
        for ticket in tickets:
            entry = ticket_entry(ticket, self.ref(ticket.number))
            if entry is None:
                self.index.remove(f"ticket:{ticket.number}")
            else:
                learnt.append(entry)
            if not ticket.is_open:
                self.incidents.remove(f"incident:{ticket.number}")
        self.index.add_all(learnt)  # at once: sentence vectors are computed in batches

    def learn_incident(self, parent: Ticket) -> None:
        """An open ticket others are linked to: new requests like it are offered to follow it."""
        if parent.is_open:
            ref = self.ref(parent.number)
            self.incidents.add(
                Entry(f"incident:{parent.number}", "incident", ref, parent.text, "", parent.number)
            )

    def observe(self, changes: list[Any]) -> None:
        """A store observer: tickets written resolved are learnt, reopened ones forgotten."""
        try:
            written = {
                t.number: t
                for kind, table, _key, t in changes
                if kind == "put" and table == TICKETS and isinstance(t, Ticket)
            }
            if not self.ready:  # newer than what `learn_at_start` read
                self._written.update(written)
            self.learn(written.values())
            for kind, table, key, doc in changes:
                parent = written.get(int(key)) if table == LINKS.name and kind == "put" and doc else None
                if parent is not None:  # a link writes its parent too (its trail says so)
                    self.learn_incident(parent)
        except Exception:  # the knowledge base must never cost a write
            log.exception("knowledge: could not index a change")

    def suggest(self, text: str, threshold: float, k: int = 3) -> list[Hit]:
        """Up to `k` answers to a request whose confidence reaches `threshold`; none while the
        store's tickets are being learnt (a half-learnt base would offer worse answers)."""
        if not self.ready:
            return []
        return [hit for hit in self.index.search(text, k) if hit.confidence >= threshold]

    def same_as(self, text: str, threshold: float) -> Hit | None:
        """The open incident closest to a new request, when close enough; None while learning."""
        if not self.ready:
            return None
        hits = self.incidents.search(text, 1)
        return hits[0] if hits and hits[0].confidence >= threshold else None

    def similar(self, ticket: Ticket, k: int = 5) -> list[Hit]:
        """The resolved tickets closest to `ticket` (itself left out); none while learning
        (`await learnt()` first to have them)."""
        if not self.ready:
            return []
        hits = self.index.search(ticket.text, k + 1, allow=frozenset({"ticket"}))
        return [hit for hit in hits if hit.entry.ticket != ticket.number][:k]


def _resolve(retrieval: str) -> str:
    """`bot.knowledge.vectors.resolve`, without importing it (nor numpy) for the lexical path:
    a desk without the extra starts without them (issue 37)."""
    if retrieval == "lexical" or (retrieval == "auto" and importlib.util.find_spec("wordllama") is None):
        return "lexical"
    from bot.knowledge import vectors

    return vectors.resolve(retrieval)


async def learn_at_start(kb: KnowledgeBase, store: Store, slice_seconds: float = SLICE) -> None:
    """The knowledge base from the store: the resolved tickets of its window (the history
    beyond it is not read at start), and open incidents. Run beside the desk once it has
    started: `slice_seconds` of learning at a time, then the event loop's other work (20k
    tickets take about two seconds of CPU). A ticket written meanwhile was learnt by
    `observe` as it now stands, so its older copy read here is skipped. Ready at the end,
    whatever happened (a failure is logged: the base then holds what it learnt)."""
    kb.begin_learning()
    try:
        tickets = await store.window_tickets()
        began = time.perf_counter()
        for start in range(0, len(tickets), BATCH):
            kb.learn([t for t in tickets[start : start + BATCH] if t.number not in kb._written])
            if time.perf_counter() - began >= slice_seconds:
                await asyncio.sleep(0)
                began = time.perf_counter()
        for key, linked in (await store.entries(LINKS)).items():
            parent = await store.ticket(int(key)) if linked else None
            if parent is not None:
                kb.learn_incident(parent)
        kb.end_learning()
        log.info("knowledge: learnt", extra={"entries": len(kb.index)})
        write = kb.snapshot()  # here, between `observe`s; only the writing on a thread
        if write is not None:
            await asyncio.to_thread(write)
    except Exception:
        log.exception("knowledge: could not learn the store's tickets")
    finally:
        kb.end_learning()
