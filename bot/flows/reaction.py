"""The `:ticket:` reaction (SPEC §9): any message in a channel the desk is in becomes a ticket.

One ticket per message: the requester is the message's author, raised by whoever reacted
(themselves when they reacted to their own message, or to a bot's). The ticket's thread is the
message's own thread, where the desk confirms it; its area is the first category and its
urgency P3 until an agent changes them on the card, as SPEC §9 has it for request channels.
A second reaction, by anyone, and Slack's retries open nothing more: the message's place is
the ticket's thread in the store, recorded with the ticket in one transaction.
"""

from __future__ import annotations

import logging

from bot.desk import Desk
from bot.domain.owed import Conversation, InThread, Post
from bot.domain.priority import Priority
from bot.domain.ticket import Origin, open_ticket
from bot.flows import owed
from bot.flows.names import request_text
from bot.flows.opening import confirmation_for, place
from bot.slack.payloads import author_of, message_words
from store.names import THREADS

log = logging.getLogger("desk.reaction")
TICKET_REACTION = "ticket"  # :ticket:, as Slack names the emoji in reaction_added


async def ticket_from_reaction(
    desk: Desk, reactor: str, channel: str, ts: str, once: str | None
) -> int | None:
    """Open the message's ticket, unless it has one; its number when this call opened it."""
    where = place(channel, ts)
    if await desk.store.record(THREADS, where) is not None:
        return None  # one ticket per message
    message = await desk.slack.message_at(channel, ts)  # a failure: not marked done, Slack retries
    if message is None:
        log.info("reacted message not found (a thread reply or gone)", extra={"channel": channel})
        return None
    requester = author_of(message) or reactor
    text = await request_text(desk, message_words(message))
    categories = desk.config.desk.categories
    now = desk.clock.now()
    async with desk.store.transaction() as tx:
        if tx.done_before(once) or tx.record(THREADS, where) is not None:
            return None
        tx.mark_done(once, now)
        ticket = open_ticket(
            tx.new_ticket_number(),
            requester,
            text,
            categories[0],
            Priority.P3,
            Origin(channel, ts, "reaction"),
            now,
            raised_by=reactor if reactor != requester else None,
            source=where,
        )
        tx.save_ticket(ticket)
        tx.put(THREADS, where, ticket.number)
        words, blocks = confirmation_for(desk, ticket)
        owed.owe(
            tx, f"t{ticket.number}:confirmation", Post(Conversation(channel), words, blocks, InThread(ts))
        )
        owed.card(tx, ticket.number)
    log.info("ticket opened", extra={"ticket": ticket.number, "via": "reaction"})
    return ticket.number
