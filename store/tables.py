"""The desk's data held in memory, with the indexes the desk asks by.

Both backends keep their state here; the TinyDB backend adds a journal and snapshots.
Changes arrive as a list of `Change`s, the same unit that is written to the journal, so
replaying a journal and committing a transaction go through one function: `apply`.
"""

from __future__ import annotations

import contextlib
import gc
import json
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from bot.collection import paused
from bot.domain.owed import Owed
from bot.domain.ticket import Ticket
from store.codec import ticket_from_doc, ticket_to_doc
from store.names import ARCHIVED, OUTBOX, TICKETS
from store.owed_codec import owed_from_doc

if TYPE_CHECKING:
    from store.archive import Months

# A change: ("put", table, key, document) or ("del", table, key, None). A ticket is deleted
# only when it moves to an archive file (`store.archive`).
Change = tuple[str, str, str, Any]


class Tables:
    def __init__(self) -> None:
        self.tickets: dict[int, Ticket] = {}
        self.encoded: dict[int, str] = {}  # each ticket's JSON, kept for cheap snapshots
        self.open: set[int] = set()
        self.by_requester: dict[str, set[int]] = {}
        self.records: dict[str, dict[str, Any]] = {}
        self.last_number = 0
        self.owed: dict[str, Owed] = {}  # the outbox, decoded
        self.last_seq = 0  # the highest place in the outbox's line so far
        self._months: Months | None = None  # the archive's index (`archived_month`), built when asked

    def apply(self, changes: Iterable[Change], encoded: dict[int, str] | None = None) -> None:
        """Make committed (or replayed) changes visible.

        `encoded` holds the JSON a durable backend already made of tickets while journaling
        them; it is kept for snapshots so no ticket is encoded twice. Anything else is
        encoded only when a snapshot needs it.
        """
        encoded = encoded or {}
        for op, table, key, doc in changes:
            if table == TICKETS and op == "del":
                self.drop_ticket(int(key))
            elif table == TICKETS:
                ticket = doc if isinstance(doc, Ticket) else ticket_from_doc(doc)
                self.put_ticket(ticket, encoded.get(ticket.number))
            elif op == "put":
                self.records.setdefault(table, {})[key] = doc
                if table == OUTBOX:
                    self._owe(key, doc)
            else:
                self.records.get(table, {}).pop(key, None)
                if table == OUTBOX:
                    self.owed.pop(key, None)
            if table == ARCHIVED:
                self._months = None

    def archived_month(self, number: int) -> str | None:
        """The month whose archive file holds ticket `number`, if it was archived."""
        return self.months().month(number) if number not in self.tickets else None

    def months(self) -> Months:
        """The archive's index (`store.archive.Months`)."""
        if self._months is None:
            from store.archive import Months

            self._months = Months(self.records.get(ARCHIVED, {}))
        return self._months

    def _owe(self, key: str, doc: dict[str, Any]) -> None:
        owed = owed_from_doc(doc)
        self.owed[key] = owed
        self.last_seq = max(self.last_seq, owed.seq)

    def loaded(self) -> None:
        """Index what a snapshot filled `records` with."""
        for key, doc in self.records.get(OUTBOX, {}).items():
            self._owe(key, doc)

    def drop_ticket(self, number: int) -> None:
        """The ticket has moved to its archive file: out of memory and every index."""
        ticket = self.tickets.pop(number, None)
        self.encoded.pop(number, None)
        self.open.discard(number)
        if ticket is not None:
            theirs = self.by_requester.get(ticket.requester)
            if theirs is not None:
                theirs.discard(number)
                if not theirs:
                    del self.by_requester[ticket.requester]

    def put_ticket(self, ticket: Ticket, encoded: str | None = None) -> None:
        number = ticket.number
        self.tickets[number] = ticket
        if encoded is None:
            self.encoded.pop(number, None)
        else:
            self.encoded[number] = encoded
        self.by_requester.setdefault(ticket.requester, set()).add(number)
        if ticket.is_open:
            self.open.add(number)
        else:
            self.open.discard(number)
        self.last_number = max(self.last_number, number)


@contextlib.contextmanager
def collections_held(freeze: bool = True) -> Iterator[None]:
    """No garbage collection while a store's state is loaded, and what was loaded frozen
    (`gc.freeze`) before the collector runs again: each of the collections that the tens of
    thousands of new objects would set off walks every one made before (and none is garbage),
    and the first after it would walk them all once more. Loading 20k tickets took three times
    as long with them (issue 37). The tables live until the next load, as in TinyDBStore.open.
    `freeze=False` for a load while the desk serves (a reload): freezing then would keep for
    ever whatever else is alive or garbage at that moment."""
    with paused():  # the one switch: a report holding it too keeps it off until both are done
        try:
            yield
        finally:
            if freeze:
                gc.freeze()


def encode_ticket(ticket: Ticket) -> str:
    return json.dumps(ticket_to_doc(ticket), ensure_ascii=False, separators=(",", ":"))


def encode_changes(changes: Iterable[Change]) -> tuple[str, dict[int, str]]:
    """The changes as the JSON array written to the journal, and each ticket's own JSON."""
    parts: list[str] = []
    tickets: dict[int, str] = {}
    for op, table, key, doc in changes:
        if isinstance(doc, Ticket):
            tickets[doc.number] = encode_ticket(doc)
            head = json.dumps([op, table, key], separators=(",", ":"))[:-1]
            parts.append(f"{head},{tickets[doc.number]}]")
        else:
            parts.append(json.dumps([op, table, key, doc], ensure_ascii=False, separators=(",", ":")))
    return "[" + ",".join(parts) + "]", tickets
