"""Satisfaction: the requester rates the help once a ticket is resolved, and may comment.

The rating request is a DM that changes in place: a click saves the score (a second click
replaces it) and thanks the person; "Change rating" brings the buttons back. Only the
requester may rate; anyone else is refused and nothing changes.

Each request is a typed command (`bot.domain.rating`) carried out by one executor
(`Ratings.carry`): what needs Slack is looked up before (the requester's DM, for a request
sent before the desk kept its place), then under the store's write lock the ticket and where
its rating request is kept are loaded, `decide`d and, in the same transaction, the ticket saved
with every message owed (OWING: the request's redraw, the confirmation's). Refusals are
`DeskError`s, raised, and change nothing; they end at `handlers.errors`. The job that closes
expired surveys (`close_expired`) takes the same road, one survey a transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.delivery import owed
from bot.delivery.places import split_place
from bot.desk import Desk
from bot.domain import rating as rules
from bot.domain.errors import NotPermitted
from bot.domain.owed import Edit, Post
from bot.domain.ticket import Ticket
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


class Ratings:
    """The one executor of the rating commands (`bot.domain.rating`)."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    async def rate(self, person: str, number: int, score: int, where: str) -> None:
        """Save the score (replacing any earlier one) and thank the person in place."""
        await self.carry(rules.Rate(person, number, score, where))

    async def change(self, person: str, number: int, where: str) -> None:
        """Show the score buttons again."""
        await self.carry(rules.ChangeRating(person, number, where))

    async def comment(self, person: str, number: int, words: str, where: str) -> None:
        await self.carry(rules.Comment(person, number, words, where))

    async def comment_form(self, command: rules.AskComment) -> dict:
        """The comment form, holding the comment left before."""
        form = await self.carry(command)
        assert isinstance(form, rules.CommentForm)  # `decide` answers a form, or refuses
        words = await self.desk.words_for(command.person)
        return comment_form(form.number, self.desk.ref(form.number), form.at, form.current, words=words)

    async def carry(self, command: rules.Request) -> rules.Answer | None:
        """Under the write lock, load the survey, `decide`, and commit the ticket and every
        message owed in one transaction; then the answer for whoever acted (None: the redrawn
        request says it). A refusal (`DeskError`) changes nothing and is raised."""
        if isinstance(command, rules.Rate):
            await self.desk.words_for(command.person)  # the redrawn request in their language (asked once)
        dm = await self._dm_if_unkept(command.number)
        now, policy = self.desk.clock.now(), self._policy()
        async with self.desk.store.transaction() as tx:
            at = tx.get(RATINGS_AT, str(command.number))
            survey = rules.Survey(tx.ticket(command.number), str(at) if at is not None else None, dm)
            try:
                outcome = rules.decide(survey, command, self.desk.staff, policy, now)
            except NotPermitted as refused:
                if refused.reason == rules.NOT_THIS_RATING:
                    log.warning(
                        "a rating click from another message; refused",
                        extra={"ticket": command.number, "from": command.where},
                    )
                raise
            self._commit(tx, outcome)
        if isinstance(command, rules.Rate):
            log.info("rated", extra={"ticket": command.number, "score": command.score})
        return outcome.answer

    async def close_expired(self, now: datetime) -> int:
        """Close the rating requests older than `csat.expire_after`: their buttons give way to
        "This survey has closed". Once each: the open survey's record goes with the edit it
        owes, in one transaction. Returns how many closed."""
        closed = 0
        policy = self._policy()
        for key in list(await self.desk.store.entries(OPEN_SURVEYS)):
            async with self.desk.store.transaction() as tx:
                where = tx.get(OPEN_SURVEYS, key)
                survey = rules.Survey(tx.ticket(int(key)), open=str(where) if where is not None else None)
                outcome = rules.decide(survey, rules.CloseSurvey(int(key)), self.desk.staff, policy, now)
                if outcome.survey_over:
                    tx.drop(OPEN_SURVEYS, key)
                self._commit(tx, outcome)
            closed += isinstance(outcome.answer, rules.Closed)
        if closed:
            log.info("surveys closed", extra={"closed": closed})
        return closed

    def _policy(self) -> rules.Policy:
        return rules.Policy(self.desk.config.survey_lasts)

    async def _dm_if_unkept(self, number: int) -> str | None:
        """The requester's DM channel with the desk, asked of Slack only for a rating request
        sent before the desk kept its place (the click must at least come from there)."""
        ticket = await self.desk.store.ticket(number)
        if ticket is None or await self.desk.store.get(RATINGS_AT, str(number)) is not None:
            return None
        return await self.desk.directory.dm_channel(ticket.requester)

    def _commit(self, tx: Transaction, outcome: rules.Outcome) -> None:
        if outcome.ticket is not None:
            tx.save_ticket(outcome.ticket)
        for message in outcome.owed:
            OWING[type(message)](_Owing(self.desk, tx, outcome.ticket), message)


# -- the messages a decision owes, each owed where its reader sees it ---------------------------
@dataclass(frozen=True)
class _Owing:
    """Where a decision's messages are owed: in its transaction, about the ticket as saved."""

    desk: Desk
    tx: Transaction
    ticket: Ticket | None


def _request_redrawn(at: _Owing, said: rules.RequestRedrawn) -> None:
    assert at.ticket is not None  # decided so: the ticket was rated, or its buttons asked back
    channel, ts = split_place(said.at)
    text, blocks = request_for(at.desk, at.ticket, choosing=said.choosing)
    owed.owe(at.tx, f"t{at.ticket.number}:rating-redraw", Edit(channel, ts, text, blocks))


def _confirmation(at: _Owing, _: rules.ConfirmationRedrawn) -> None:
    assert at.ticket is not None
    owed.confirmation(at.tx, at.ticket.number)  # it says how they rated the help


def _survey_closed(at: _Owing, said: rules.SurveyClosed) -> None:
    words = at.desk.known_words(said.requester)
    text, blocks = survey_closed(at.desk.ref(said.number), CLOSED_LATE, span=said.span, words=words)
    channel, ts = split_place(said.at)
    owed.owe(at.tx, f"t{said.number}:rating-redraw", Edit(channel, ts, text, blocks))


OWING: dict[type, Callable[[_Owing, Any], None]] = {
    rules.RequestRedrawn: _request_redrawn,
    rules.ConfirmationRedrawn: _confirmation,
    rules.SurveyClosed: _survey_closed,
}
