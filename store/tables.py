"""The desk's data held in memory, with the indexes the desk asks by.

Both backends keep their state here; the TinyDB backend adds a journal and snapshots.
Changes arrive as a list of `Change`s, the same unit that is written to the journal, so
replaying a journal and committing a transaction go through one function: `apply`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from bot.domain.ticket import Ticket
from store.codec import ticket_from_doc, ticket_to_doc

TICKETS = "tickets"

# A change: ("put", table, key, document) or ("del", table, key, None).
Change = tuple[str, str, str, Any]


class Tables:
    def __init__(self) -> None:
        self.tickets: dict[int, Ticket] = {}
        self.encoded: dict[int, str] = {}  # each ticket's JSON, kept for cheap snapshots
        self.open: set[int] = set()
        self.by_requester: dict[str, set[int]] = {}
        self.records: dict[str, dict[str, Any]] = {}
        self.last_number = 0

    def apply(self, changes: Iterable[Change]) -> None:
        """Make committed (or replayed) changes visible."""
        for op, table, key, doc in changes:
            if table == TICKETS:
                if isinstance(doc, Ticket):
                    self.put_ticket(doc, encode_ticket(doc))
                else:  # replayed from the journal: encoded again only if a snapshot needs it
                    self.put_ticket(ticket_from_doc(doc))
            elif op == "put":
                self.records.setdefault(table, {})[key] = doc
            else:
                self.records.get(table, {}).pop(key, None)

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


def encode_ticket(ticket: Ticket) -> str:
    return json.dumps(ticket_to_doc(ticket), ensure_ascii=False, separators=(",", ":"))


def encode_change(change: Change) -> list[Any]:
    """A change as it is written to the journal: tickets become documents."""
    op, table, key, doc = change
    if isinstance(doc, Ticket):
        doc = ticket_to_doc(doc)
    return [op, table, key, doc]
