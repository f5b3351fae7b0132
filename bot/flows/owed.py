"""Recording what the desk owes people, inside the transaction that made the change.

The outbox's worker (`bot.flows.outbox`) delivers what is recorded here. Each entry is keyed
by the message's id, so recording the same message twice (a retried request) owes it once.
"""

from __future__ import annotations

import time
from typing import Any

from store.base import Transaction

OUTBOX = "outbox"  # store table: message id -> what to send, where, and how it went so far
METADATA_TYPE = "desk_message"  # Slack message metadata naming the desk's messages
Blocks = list[dict[str, Any]]


def _entry(tx: Transaction, key: str, doc: dict[str, Any], *, redraw: bool = False) -> None:
    """Put an entry. A message already owed is owed once; one that is redrawn (a card, an
    edit) keeps its place in line and takes the new content."""
    current = tx.record(OUTBOX, key)
    if current is not None:
        if not redraw:
            return
        doc = {**doc, "seq": current["seq"], "version": current.get("version", 0) + 1}
    tx.put(OUTBOX, key, doc)


def _new(to: str, op: str, **fields: Any) -> dict[str, Any]:
    return {
        "seq": time.time_ns(),
        "version": 0,
        "to": to,
        "op": op,
        "attempts": 0,
        "next_at": 0.0,
        "parked": None,
        **fields,
    }


# -- recording (inside the transaction that made the change) ----------------------------------
def post(
    tx: Transaction,
    key: str,
    to: str,
    text: str,
    blocks: Blocks,
    *,
    thread: str | None = None,
    broadcast: bool = False,
    then: tuple[str, int] | None = None,
) -> None:
    """Owe a new message. `to` is a channel, a user's id or `dm:<user>`; `thread` a ts,
    `card:<n>` (the ticket's card) or `origin:<n>` (the requester's ticket thread), found
    when it is sent. `then` records where it went: `("card", n)` or `("origin", n)`."""
    doc = _new(to, "post", text=text, blocks=blocks, thread=thread, broadcast=broadcast)
    doc["then"] = list(then) if then else None
    _entry(tx, key, doc)


def update(tx: Transaction, key: str, channel: str, ts: str, text: str, blocks: Blocks) -> None:
    """Owe an edit of a message the desk posted (the latest content wins)."""
    _entry(tx, key, _new(channel, "update", ts=ts, text=text, blocks=blocks), redraw=True)


def card(tx: Transaction, number: int, triage: str) -> None:
    """Owe the ticket's card as the ticket stands when it is sent: posted the first time,
    updated after. One entry per ticket, however many changes come before it is sent."""
    _entry(tx, f"t{number}:card", _new(triage, "card", ticket=number), redraw=True)


def message_key(number: int, change: int, what: str) -> str:
    """A message's id: the ticket, the change (its trail length) and what the message is."""
    return f"t{number}:{change}:{what}"


def storm_card(tx: Transaction, storm: str, triage: str) -> None:
    """Owe the storm card, drawn when it is sent: posted the first time, updated after. It has
    a line of its own (`storm:<channel>`) so its updates never hold back the channel's posts."""
    _entry(tx, f"storm:{storm}", _new(f"storm:{triage}", "storm", storm=storm), redraw=True)
