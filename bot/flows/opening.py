"""What a new ticket owes: the requester's confirmation and the triage card.

Both are recorded in the outbox with the ticket itself; once delivered, each message's place
(`channel:ts`) is written back so later changes update them in place and replies find
their ticket.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.desk import Desk
from bot.domain.owed import Edit, Post, where_of
from bot.domain.sla import target_states
from bot.domain.ticket import Ticket
from bot.flows import owed
from bot.slack.card import ticket_card
from bot.slack.intake_blocks import confirmation, standing
from bot.slack.links import permalink
from bot.slack.said_blocks import raised_for_you
from bot.slack.when import promise
from store.base import Transaction
from store.names import CONFIRMATION

log = logging.getLogger("desk.intake")


def place(channel: str, ts: str) -> str:
    """A message's address as stored: `channel:ts`."""
    return f"{channel}:{ts}"


def split_place(stored: str) -> tuple[str, str]:
    channel, _, ts = stored.partition(":")
    return channel, ts


def source_link(desk: Desk, ticket: Ticket) -> str | None:
    """The link of the message the ticket was made from; a reply in a thread (a :ticket:
    reaction's, whose ticket talks in the thread it is in) links into that thread."""
    if not ticket.source:
        return None
    channel, ts = split_place(ticket.source)
    thread = ticket.origin.thread if channel == ticket.origin.channel else None
    return permalink(desk.workspace, channel, ts, thread)


def confirmation_for(desk: Desk, ticket: Ticket) -> tuple[str, list[dict[str, Any]]]:
    clock = desk.sla_clock(ticket)
    first = target_states(ticket, clock, ticket.opened_at)[0]
    words = desk.known_words(ticket.requester)  # what they read alone: in their language
    said = promise(clock.policy.first_response, first.due, desk.zone, business=clock.business, words=words)
    by = raised_for_you(ticket.raised_by, source_link(desk, ticket), words) if ticket.raised_by else None
    ref = desk.ref(ticket.number)
    now = standing(ticket, ref, desk.zone, words=words)
    return confirmation(ref, ticket.category, ticket.priority, ticket.text, said, by, now, words=words)


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
        tx.put(CONFIRMATION, str(number), place(ticket.origin.channel, prompt))  # redrawn as it moves
    else:
        owed.owe(tx, key, Post(where_of(ticket.origin.channel), text, blocks, remember=("origin", number)))
    owed.card(tx, number, requester_too=False)
    log.info("ticket opened", extra={"ticket": number, "via": ticket.origin.via})


def card_for(desk: Desk, ticket: Ticket) -> tuple[str, list[dict[str, Any]]]:
    clock = desk.sla_clock(ticket)
    states = target_states(ticket, clock, desk.clock.now())
    warn_at = desk.config.escalation.warn_at
    return ticket_card(
        ticket,
        desk.ref(ticket.number),
        states,
        desk.zone,
        business=clock.business,
        warn_at=warn_at,
        source=source_link(desk, ticket),
        areas=desk.staff.areas,
        team=desk.team_of(ticket).name if desk.staff.several else None,
        words=desk.words,
    )
