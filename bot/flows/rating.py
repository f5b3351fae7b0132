"""Satisfaction: the requester rates the help once a ticket is resolved, and may comment.

The rating request is a DM that changes in place: a click saves the score (a second click
replaces it) and thanks the person; "Change rating" brings the buttons back. Only the
requester may rate; anyone else is refused and nothing changes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from bot.delivery import owed
from bot.delivery.places import split_place
from bot.desk import Desk
from bot.domain.errors import NotPermitted, TicketNotFound
from bot.domain.owed import Edit, Post
from bot.domain.ticket import Ticket
from bot.slack import refusals
from bot.slack.rating_blocks import CLOSED_LATE, comment_form, rating_request, survey_closed
from store.base import Transaction
from store.records import OPEN_SURVEYS, RATINGS_AT

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
        words=desk.known_words(ticket.requester),
    )


def owe_rating_request(tx: Transaction, desk: Desk, ticket: Ticket) -> None:
    """Owe the requester the rating request by DM (when the desk is set to ask), with the
    resolution that asks for it."""
    if not desk.config.ask_after_resolve:
        return
    text, blocks = request_for(desk, ticket, choosing=True)
    request = Post(owed.requesters_dm(tx, ticket), text, blocks, remember=("rating", ticket.number))
    owed.owe(tx, owed.message_key(ticket.number, len(ticket.trail), "rating"), request)


def _checked(ticket: Ticket, person: str) -> Ticket:
    ticket.check_rater(person)
    return ticket


class Ratings:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    async def rate(self, person: str, number: int, score: int, where: str) -> None:
        """Save the score (replacing any earlier one) and thank the person in place."""
        now = self.desk.clock.now()
        await self.desk.words_for(person)  # the redrawn request in their language (asked once)
        await self._change(
            number, lambda t: self._open(t, now).rate(person, score, now), where, choosing=False
        )
        log.info("rated", extra={"ticket": number, "score": score})

    async def change(self, person: str, number: int, where: str) -> None:
        """Show the score buttons again."""
        now = self.desk.clock.now()
        await self._change(number, lambda t: _checked(self._open(t, now), person), where, choosing=True)

    async def comment_form(self, person: str, number: int, where: str) -> dict:
        ticket = self._open(await self._own(person, number), self.desk.clock.now())
        where = await self._request_of(number, where)
        current = ticket.rating.comment if ticket.rating else ""
        words = await self.desk.words_for(person)
        return comment_form(number, self.desk.ref(number), where, current, words=words)

    async def comment(self, person: str, number: int, words: str, where: str) -> None:
        now = self.desk.clock.now()
        step = lambda t: self._open(t, now).comment_on_help(person, words, now)  # noqa: E731
        await self._change(number, step, where, choosing=False)

    def _open(self, ticket: Ticket, now: datetime) -> Ticket:
        ticket.check_survey_open(now, self.desk.config.survey_lasts)
        return ticket

    async def close_expired(self, now: datetime) -> int:
        """Close the rating requests older than `csat.expire_after`: their buttons give way to
        "This survey has closed". Once each: the open survey's record goes with the edit it
        owes, in one transaction. Returns how many closed."""
        closed = 0
        lasts = self.desk.config.survey_lasts
        for key in list(await self.desk.store.entries(OPEN_SURVEYS)):
            async with self.desk.store.transaction() as tx:
                where, ticket = tx.get(OPEN_SURVEYS, key), tx.ticket(int(key))
                closes = ticket.survey_closes_at(lasts) if ticket is not None else None
                if where is None or (closes is not None and now < closes):
                    continue
                tx.drop(OPEN_SURVEYS, key)
                if ticket is None or closes is None:
                    continue  # reopened meanwhile: that closed it
                text, blocks = survey_closed(
                    self.desk.ref(ticket.number),
                    CLOSED_LATE,
                    span=lasts,
                    words=self.desk.known_words(ticket.requester),
                )
                owed.owe(tx, f"t{ticket.number}:rating-redraw", Edit(where.channel, where.ts, text, blocks))
                closed += 1
        if closed:
            log.info("surveys closed", extra={"closed": closed})
        return closed

    async def _request_of(self, number: int, where: str) -> str:
        """Where the ticket's rating request is, from the store; the click (or the form it
        opened) must come from that message, or nothing changes. A request sent before the
        desk kept its place must at least be in the requester's DM with the desk."""
        ticket = await self.desk.store.ticket(number)
        if ticket is None:
            raise TicketNotFound(number)
        stored = await self.desk.store.get(RATINGS_AT, str(number))
        if stored is not None and str(stored) == where:
            return where
        if stored is None and split_place(where)[0] == await self.desk.directory.dm_channel(ticket.requester):
            return where
        log.warning("a rating click from another message; refused", extra={"ticket": number, "from": where})
        raise NotPermitted(refusals.NOT_THIS_RATING, ticket=number)

    async def _own(self, person: str, number: int) -> Ticket:
        ticket = await self.desk.store.ticket(number)
        if ticket is None:
            raise TicketNotFound(number)
        ticket.check_rater(person)
        return ticket

    async def _change(
        self, number: int, step: Callable[[Ticket], Ticket], where: str, *, choosing: bool
    ) -> None:
        """Apply the step and, in the same transaction, owe the rating request redrawn."""
        channel, ts = split_place(await self._request_of(number, where))
        async with self.desk.store.transaction() as tx:
            ticket = tx.ticket(number)
            if ticket is None:
                raise TicketNotFound(number)
            ticket = step(ticket)
            tx.save_ticket(ticket)
            text, blocks = request_for(self.desk, ticket, choosing=choosing)
            owed.owe(tx, f"t{number}:rating-redraw", Edit(channel, ts, text, blocks))
            owed.confirmation(tx, number)  # it says how they rated the help
