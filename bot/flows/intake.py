"""Drives the intake conversation (`bot.domain.intake.INTAKE`) against the store and Slack.

Every turn is decided and saved in one transaction: the draft's new state, the ticket when
the last answer is in, and the key of the message or click that caused it. A Slack retry or a
double click finds that work done and changes nothing. Messages go out after the commit.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace
from datetime import datetime

from bot.desk import Desk
from bot.domain.intake import INTAKE, Context, Draft, Input, Said, Say, Stage, Turn, conversation_key
from bot.domain.priority import Priority
from bot.domain.ticket import Origin, Ticket, open_ticket
from bot.flows.opening import owe_announcement, place
from bot.slack.gateway import SlackFailure
from bot.slack.intake_blocks import added_note, ended, question
from store.base import Transaction
from store.codec import draft_from_doc, draft_to_doc
from store.tables import DRAFTS, HANDLED, THREADS

log = logging.getLogger("desk.intake")


def _draft(tx: Transaction, key: str) -> Draft | None:
    doc = tx.record(DRAFTS, key)
    return draft_from_doc(doc) if doc else None


class Intake:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    def _context(self, now: datetime) -> Context:
        return Context(now=now, categories=self.desk.config.desk.categories)

    async def begin(
        self, person: str, channel: str, thread: str | None, via: str, text: str, once: str | None
    ) -> None:
        """Start a new request from its first words; one already under way there is replaced."""
        now = self.desk.clock.now()
        fresh = Draft(uuid.uuid4().hex[:12], person, channel, thread, via, text, Stage.CATEGORY, now, now)
        turn = INTAKE.begin(fresh, self._context(now))
        async with self.desk.store.transaction() as tx:
            if tx.done_before(once):
                return
            tx.mark_done(once, now)
            replaced = _draft(tx, turn.draft.key)
            tx.put(DRAFTS, turn.draft.key, draft_to_doc(turn.draft))
        if replaced is not None and not replaced.stage.over and replaced.prompt:
            await self._show(replace(replaced, stage=Stage.CANCELLED), Say.CANCELLED)
        await self._show(turn.draft, turn.say)

    async def continue_with(
        self,
        person: str,
        channel: str,
        thread: str | None,
        event: Input,
        once: str | None,
        draft_id: str = "",
    ) -> bool:
        """Feed the conversation under way in this place; False when there is none to feed.

        `draft_id` (from a button) must match the draft: buttons of a replaced request do nothing.
        """
        now = self.desk.clock.now()
        key = conversation_key(person, channel, thread)
        ticket: Ticket | None = None
        async with self.desk.store.transaction() as tx:
            if tx.done_before(once):
                return True
            draft = _draft(tx, key)
            if draft is None or draft.stage.over or (draft_id and draft.id != draft_id):
                return not isinstance(event, Said)  # words start a new request; stale buttons do nothing
            turn = INTAKE.handle(draft, event, self._context(now))
            if turn is None:
                return True
            tx.mark_done(once, now)
            if turn.say is Say.OPEN_TICKET:
                ticket = self._open(tx, turn.draft, now)
                owe_announcement(tx, self.desk, ticket, turn.draft.prompt)
                turn = Turn(replace(turn.draft, ticket=ticket.number), turn.say)
            tx.put(DRAFTS, key, draft_to_doc(turn.draft))
        if ticket is None:
            await self._show(turn.draft, turn.say)
        return True

    def _open(self, tx: Transaction, draft: Draft, now: datetime) -> Ticket:
        """The ticket the finished draft asks for, stored with the thread it will be talked in."""
        assert draft.category is not None and draft.priority is not None
        origin = Origin(draft.channel, draft.thread or draft.prompt, draft.via)
        ticket = open_ticket(
            tx.new_ticket_number(), draft.person, draft.text, draft.category, draft.priority, origin, now
        )
        tx.save_ticket(ticket)
        if origin.thread:
            tx.put(THREADS, place(origin.channel, origin.thread), ticket.number)
        return ticket

    async def _show(self, draft: Draft, say: Say) -> None:
        """Put the draft's state in front of the person: its question, or how it ended."""
        slack = self.desk.slack
        try:
            if say in (Say.CANCELLED, Say.EXPIRED):
                if draft.prompt:
                    text, blocks = ended(draft)
                    await slack.update(draft.channel, draft.prompt, text, blocks)
                elif say is Say.CANCELLED:
                    await slack.post(draft.channel, ended(draft)[0], thread=draft.thread)
                return
            if say is Say.NOT_A_CHOICE:
                return
            text, blocks = question(draft, self.desk.config.desk.categories)
            if draft.prompt:
                await slack.update(draft.channel, draft.prompt, text, blocks)
                if say is Say.ADDED:
                    await slack.post(draft.channel, added_note(), thread=draft.thread)
                return
            posted = await slack.post(draft.channel, text, blocks, thread=draft.thread)
        except SlackFailure as failure:
            log.error("could not show the intake", extra={"method": failure.method, "error": failure.error})
            return
        async with self.desk.store.transaction() as tx:
            current = _draft(tx, draft.key)
            if current is not None and current.id == draft.id:
                tx.put(DRAFTS, draft.key, draft_to_doc(replace(current, prompt=posted.ts)))

    async def expire(self) -> int:
        """Close drafts left untouched for a day and forget finished ones; returns how many closed."""
        now = self.desk.clock.now()
        closed: list[Draft] = []
        async with self.desk.store.transaction() as tx:
            for key, doc in (await self.desk.store.records(DRAFTS)).items():
                draft = draft_from_doc(doc)
                if draft.expired(now):
                    closed.append(replace(draft, stage=Stage.EXPIRED, touched_at=now))
                    tx.put(DRAFTS, key, draft_to_doc(closed[-1]))
                elif draft.stage.over and now - draft.touched_at > INTAKE.timeout:
                    tx.delete(DRAFTS, key)
            for key, when in (await self.desk.store.records(HANDLED)).items():
                if now - datetime.fromisoformat(when) > INTAKE.timeout:
                    tx.delete(HANDLED, key)
        for draft in closed:
            await self._show(draft, Say.EXPIRED)
        return len(closed)

    async def open_from_form(
        self, person: str, text: str, category: str, priority: Priority, once: str | None
    ) -> None:
        """A ticket from the /ticket form: no questions left to ask."""
        now = self.desk.clock.now()
        async with self.desk.store.transaction() as tx:
            if tx.done_before(once):
                return
            tx.mark_done(once, now)
            origin = Origin(person, None, "form")  # the DM's thread is known once confirmed
            ticket = open_ticket(tx.new_ticket_number(), person, text, category, priority, origin, now)
            tx.save_ticket(ticket)
            owe_announcement(tx, self.desk, ticket, prompt=None)
