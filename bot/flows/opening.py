"""What happens once a ticket is stored: the requester's confirmation and the triage card.

The ticket is already safe in the store when these run; each message's place (`channel:ts`)
is written back so later changes update them in place and replies find their ticket.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from functools import partial
from typing import Any

from bot.desk import Desk
from bot.domain.sla import target_states
from bot.domain.ticket import Origin, Ticket
from bot.slack.card import ticket_card
from bot.slack.gateway import Posted, SlackFailure
from bot.slack.intake_blocks import confirmation
from bot.slack.when import promise
from store.tables import THREADS

log = logging.getLogger("desk.intake")


def place(channel: str, ts: str) -> str:
    """A message's address as stored: `channel:ts`."""
    return f"{channel}:{ts}"


def split_place(stored: str) -> tuple[str, str]:
    channel, _, ts = stored.partition(":")
    return channel, ts


def confirmation_for(desk: Desk, ticket: Ticket) -> tuple[str, list[dict[str, Any]]]:
    clock = desk.sla_clock(ticket.priority)
    first = target_states(ticket, clock, ticket.opened_at)[0]
    said = promise(clock.policy.first_response, first.due, desk.zone, business=clock.business)
    return confirmation(desk.ref(ticket.number), ticket.category, ticket.priority, ticket.text, said)


async def confirm(desk: Desk, ticket: Ticket, prompt: str | None) -> None:
    """Tell the requester: in place of the question they answered, or as a new DM whose thread
    becomes the ticket's thread (tickets raised with the form)."""
    text, blocks = confirmation_for(desk, ticket)
    if prompt is not None:
        await desk.slack.update(ticket.origin.channel, prompt, text, blocks)
        return
    posted = await desk.slack.dm(ticket.requester, text, blocks)
    await _remember(desk, ticket.number, posted, origin=Origin(posted.channel, posted.ts, ticket.origin.via))


def card_for(desk: Desk, ticket: Ticket) -> tuple[str, list[dict[str, Any]]]:
    clock = desk.sla_clock(ticket.priority)
    states = target_states(ticket, clock, desk.clock.now())
    warn_at = desk.config.escalation.warn_at
    return ticket_card(
        ticket, desk.ref(ticket.number), states, desk.zone, business=clock.business, warn_at=warn_at
    )


async def refresh_card(desk: Desk, ticket: Ticket) -> None:
    """Redraw the ticket's card in place, as the ticket stands now."""
    if ticket.card is None:
        return
    channel, ts = split_place(ticket.card)
    text, blocks = card_for(desk, ticket)
    await desk.slack.update(channel, ts, text, blocks)


async def post_card(desk: Desk, ticket: Ticket) -> None:
    """Post the ticket's card to the triage channel and remember where it is."""
    text, blocks = card_for(desk, ticket)
    posted = await desk.slack.post(desk.config.desk.triage_channel, text, blocks)
    await _remember(desk, ticket.number, posted, card=place(posted.channel, posted.ts))


async def _remember(desk: Desk, number: int, posted: Posted, **where: Any) -> None:
    """Store where a message about the ticket went (`card=` or `origin=`) and map its thread
    to the ticket, so replies there find it."""
    async with desk.store.transaction() as tx:
        current = tx.ticket(number)
        if current is not None:
            tx.save_ticket(replace(current, **where))
            tx.put(THREADS, place(posted.channel, posted.ts), number)


async def announce(desk: Desk, ticket: Ticket, prompt: str | None) -> None:
    """Confirmation first (the requester is waiting for it), then the card."""
    for step in (partial(confirm, desk, ticket, prompt), partial(post_card, desk, ticket)):
        try:
            await step()
        except SlackFailure as failure:
            log.error(
                "could not announce a new ticket",
                extra={"ticket": ticket.number, "method": failure.method, "error": failure.error},
            )
    log.info("ticket opened", extra={"ticket": ticket.number, "via": ticket.origin.via})
