"""Tickets made of a message in a channel: a request channel's new message (SPEC §9) and a
message someone put :ticket: on. The message's thread is the ticket's: the desk confirms there
with the reference and the first target, and offers the urgency and area to set.

The message's place is the ticket's thread in the store, recorded with the ticket in one
transaction, so a message opens one ticket however often Slack delivers it.
"""

from __future__ import annotations

import logging

from bot.delivery import owed
from bot.delivery.drawing import confirmation_in_thread
from bot.delivery.places import place
from bot.desk import Desk
from bot.domain.owed import Conversation, InThread, Post
from bot.domain.priority import Priority
from bot.domain.roles import Team
from bot.domain.ticket import Origin, Ticket, open_ticket
from bot.flows.assignment import assign_new
from bot.flows.names import NO_TEXT
from bot.slack.payloads import Heard
from store.base import Transaction
from store.records import THREADS

log = logging.getLogger("desk.intake")


def redraw_confirmation(tx: Transaction, desk: Desk, ticket: Ticket) -> None:
    """After a change of urgency or area, the confirmation shows it (and the new first
    target): drawn when it is sent, as the ticket stands then."""
    owed.confirmation(tx, ticket.number)


async def open_from_message(
    desk: Desk,
    *,
    requester: str,
    text: str,
    category: str,
    channel: str,
    ts: str,
    via: str,
    once: str | None,
    raised_by: str | None = None,
    thread: str | None = None,
) -> int | None:
    """Open the message's ticket at P3 in `category`, unless the message has one; its number
    when this call opened it. `thread`: the parent's ts when the message is a reply in a
    thread; the ticket's conversation is that thread (Slack threads only under a parent), and
    its follow-ups too unless the thread already is another ticket's."""
    where = place(channel, ts)
    talk_in = thread or ts
    now = desk.clock.now()
    async with desk.store.transaction() as tx:
        if tx.done_before(once) or tx.get(THREADS, where) is not None:
            return None
        tx.mark_done(once, now)
        ticket = open_ticket(
            tx.new_ticket_number(),
            requester,
            text,
            category,
            Priority.P3,
            Origin(channel, talk_in, via),
            now,
            raised_by=raised_by if raised_by != requester else None,
            source=where,
        )
        ticket = assign_new(tx, desk, ticket)
        tx.save_ticket(ticket)
        tx.put(THREADS, where, ticket.number)
        if thread and tx.get(THREADS, place(channel, thread)) is None:
            tx.put(THREADS, place(channel, thread), ticket.number)
        words, blocks = confirmation_in_thread(desk, ticket)
        confirm = Post(
            Conversation(channel), words, blocks, InThread(talk_in), remember=("confirmation", ticket.number)
        )
        owed.owe(tx, f"t{ticket.number}:confirmation", confirm)
        owed.card(tx, ticket.number, requester_too=False)
    log.info("ticket opened", extra={"ticket": ticket.number, "via": via})
    return ticket.number


ANNOUNCEMENT = ":mega:"  # a request channel's message starting with it is news, not a request


async def from_request_channel(desk: Desk, team: Team, heard: Heard) -> int | None:
    """A new top-level message in one of the team's request channels opens a ticket at once,
    unless one of the team's agents wrote it or it is an announcement (SPEC §9)."""
    if heard.thread is not None or team.is_agent(heard.user) or heard.text.lstrip().startswith(ANNOUNCEMENT):
        return None
    return await open_from_message(
        desk,
        requester=heard.user,
        text=heard.text.strip() or NO_TEXT,
        category=team.categories[0],
        channel=heard.channel,
        ts=heard.ts,
        via="channel",
        once=heard.key,
    )
