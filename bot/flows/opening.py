"""What a new ticket owes: the requester's confirmation and the triage card.

Both are recorded in the outbox with the ticket itself; once delivered, each message's place
(`channel:ts`) is written back so later changes update them in place and replies find
their ticket.
"""

from __future__ import annotations

import logging

from bot.delivery import owed
from bot.delivery.drawing import confirmation_for
from bot.desk import Desk
from bot.domain.owed import Edit, Post, where_of
from bot.domain.ticket import Ticket
from store.base import Transaction
from store.records import CONFIRMATION, Place

log = logging.getLogger("desk.intake")


def owe_announcement(
    tx: Transaction, desk: Desk, ticket: Ticket, prompt: str | None, hook: str | None = None
) -> None:
    """Record, with the new ticket, the two messages it owes: the requester's confirmation
    (in place of the question they answered, or a new DM whose thread becomes the ticket's
    thread, for tickets raised with the form) and the card in the triage channel."""
    text, blocks = confirmation_for(desk, ticket)
    number = ticket.number
    key = f"t{number}:confirmation"
    if prompt is not None:
        owed.owe(tx, key, Edit(ticket.origin.channel, prompt, text, blocks, hook))  # hook: the click on it
        tx.put(CONFIRMATION, str(number), Place(ticket.origin.channel, prompt))  # redrawn as it moves
    else:
        owed.owe(tx, key, Post(where_of(ticket.origin.channel), text, blocks, remember=("origin", number)))
    owed.card(tx, number, requester_too=False)
    log.info("ticket opened", extra={"ticket": number, "via": ticket.origin.via})
