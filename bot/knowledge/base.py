"""The knowledge base: what the desk already knows, as `Entry`s in one `Index`.

Built at start from the store's resolved tickets, the saved replies (`[replies]`) and the
Markdown articles in `knowledge.path`; then kept up to date as tickets resolve or reopen
(`KnowledgeBase.observe`, a store observer). A ticket counts once it is resolved with words:
its request is matched, and the words that resolved it (the resolution note, else the last
reply to the requester) are the answer shown.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from bot.domain.ticket import Action, Status, Ticket
from bot.knowledge import vectors
from bot.knowledge.index import Entry, Hit, Index
from store.base import Store
from store.names import LINKS, TICKETS

log = logging.getLogger("desk.knowledge")


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
        self.retrieval = vectors.resolve(retrieval)
        self.incidents = self._new_index()  # open tickets others are linked to: "Is this the same as …?"
        self.index = self._new_index(saved)  # `saved`: its vectors' file, beside the store's
        self.index.add_all(reply_entries(replies))
        if folder:
            self.index.add_all(article_entries(folder))

    def _new_index(self, saved: Path | None = None) -> Index:
        return Index() if self.retrieval == "lexical" else vectors.EmbeddedIndex(self.retrieval, saved)

    def save(self) -> None:
        """Keep the sentence vectors beside the store (with the extra, on a store with a file)."""
        if isinstance(self.index, vectors.EmbeddedIndex):
            try:
                self.index.save()
            except OSError as problem:  # a cache: the next start embeds again
                log.warning("knowledge: cannot save the vectors (%s)", problem)

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
            self.learn(written.values())
            for kind, table, key, doc in changes:
                parent = written.get(int(key)) if table == LINKS and kind == "put" and doc else None
                if parent is not None:  # a link writes its parent too (its trail says so)
                    self.learn_incident(parent)
        except Exception:  # the knowledge base must never cost a write
            log.exception("knowledge: could not index a change")

    def suggest(self, text: str, threshold: float, k: int = 3) -> list[Hit]:
        """Up to `k` answers to a request whose confidence reaches `threshold`."""
        return [hit for hit in self.index.search(text, k) if hit.confidence >= threshold]

    def same_as(self, text: str, threshold: float) -> Hit | None:
        """The open incident closest to a new request, when close enough."""
        hits = self.incidents.search(text, 1)
        return hits[0] if hits and hits[0].confidence >= threshold else None

    def similar(self, ticket: Ticket, k: int = 5) -> list[Hit]:
        """The resolved tickets closest to `ticket` (itself left out)."""
        hits = self.index.search(ticket.text, k + 1, allow=frozenset({"ticket"}))
        return [hit for hit in hits if hit.entry.ticket != ticket.number][:k]


async def learn_at_start(kb: KnowledgeBase, store: Store) -> None:
    """The knowledge base from the store: the resolved tickets of its window (the history
    beyond it is not read at start), and open incidents."""
    kb.learn(await store.window_tickets())
    for key, linked in (await store.records(LINKS)).items():
        parent = await store.ticket(int(key)) if linked else None
        if parent is not None:
            kb.learn_incident(parent)
    await asyncio.to_thread(kb.save)
