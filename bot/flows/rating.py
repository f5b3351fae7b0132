"""Satisfaction: the requester rates the help once a ticket is resolved, and may comment.

The rating request is a DM that changes in place: a click saves the score (a second click
replaces it) and thanks the person; "Change rating" brings the buttons back. Only the
requester may rate; anyone else is refused and nothing changes.
"""

from __future__ import annotations

import logging

from bot.desk import Desk
from bot.domain.errors import TicketNotFound
from bot.domain.ticket import Ticket
from bot.flows import owed
from bot.flows.opening import split_place
from bot.slack.gateway import SlackFailure
from bot.slack.rating_blocks import comment_form, rating_request
from store.base import Transaction

log = logging.getLogger("desk.rating")


def request_for(desk: Desk, ticket: Ticket, *, choosing: bool) -> tuple[str, list]:
    ref = desk.ref(ticket.number)
    return rating_request(
        ref,
        ticket.number,
        ticket.text,
        ticket.assignee,
        ticket.resolution_note,
        ticket.rating,
        choosing=choosing,
    )


def owe_rating_request(tx: Transaction, desk: Desk, ticket: Ticket) -> None:
    """Owe the requester the rating request by DM (when the desk is set to ask), with the
    resolution that asks for it."""
    if not desk.config.ask_after_resolve:
        return
    text, blocks = request_for(desk, ticket, choosing=True)
    owed.post(
        tx,
        owed.message_key(ticket.number, len(ticket.trail), "rating"),
        f"dm:{ticket.requester}",
        text,
        blocks,
    )


class Ratings:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    async def rate(self, person: str, number: int, score: int, where: str) -> None:
        """Save the score (replacing any earlier one) and thank the person in place."""
        now = self.desk.clock.now()
        ticket = await self.desk.store.update_ticket(number, lambda t: t.rate(person, score, now))
        log.info("rated", extra={"ticket": number, "score": score})
        await self._redraw(ticket, where, choosing=False)

    async def change(self, person: str, number: int, where: str) -> None:
        """Show the score buttons again."""
        ticket = await self._own(person, number)
        await self._redraw(ticket, where, choosing=True)

    async def comment_form(self, person: str, number: int, where: str) -> dict:
        ticket = await self._own(person, number)
        current = ticket.rating.comment if ticket.rating else ""
        return comment_form(number, self.desk.ref(number), where, current)

    async def comment(self, person: str, number: int, words: str, where: str) -> None:
        now = self.desk.clock.now()
        ticket = await self.desk.store.update_ticket(number, lambda t: t.comment_on_help(person, words, now))
        await self._redraw(ticket, where, choosing=False)

    async def _own(self, person: str, number: int) -> Ticket:
        ticket = await self.desk.store.ticket(number)
        if ticket is None:
            raise TicketNotFound(number)
        ticket.check_rater(person)
        return ticket

    async def _redraw(self, ticket: Ticket, where: str, *, choosing: bool) -> None:
        channel, ts = split_place(where)
        text, blocks = request_for(self.desk, ticket, choosing=choosing)
        try:
            await self.desk.slack.update(channel, ts, text, blocks)
        except SlackFailure as failure:
            log.error(
                "could not update a rating request", extra={"ticket": ticket.number, "error": failure.error}
            )
