"""Drives the intake conversation (`bot.domain.intake.INTAKE`) against the store and Slack.

Every turn is decided and saved in one transaction: the draft's new state, the ticket when
the last answer is in, the key of the message or click that caused it, and what the desk owes
the person (the question, its edits, the confirmation) in the outbox. A Slack retry or a
double click finds that work done and changes nothing; a crash before the commit leaves no
trace, so Slack's retry does the work once.

Nothing here waits for Slack, so a request is kept however long Slack's Web API is away
(issue 34, item 6). A request started outside the DM (`/ticket`, the shortcut) goes on in the
person's DM with the desk; its id is known from their messages (kept in `DMS`) or from
`conversations.open` earlier. When it is not, the draft is started in the person's own id,
which stands for their DM (`where_of`): the outbox opens the DM when it delivers the question
(retrying while Slack is away), and that delivery moves the draft to the DM's id
(`bot.delivery.deliveries`). A message the person writes in the DM before that moves it too.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace
from datetime import datetime
from typing import Any

from bot.delivery.owed import owe
from bot.delivery.places import place
from bot.delivery.records import learn_dm, move_draft
from bot.desk import Desk
from bot.domain.deflection import Answered
from bot.domain.intake import (
    INTAKE,
    Chose,
    Context,
    Draft,
    Input,
    Said,
    Say,
    Stage,
    Suggestion,
    Turn,
    conversation_key,
)
from bot.domain.owed import InThread, Post, Prompt, where_of
from bot.domain.priority import Priority
from bot.domain.ticket import Action, Origin, Ticket, open_ticket
from bot.flows.approvals import Approvals
from bot.flows.assignment import assign_new
from bot.flows.links import follow
from bot.flows.opening import owe_announcement
from bot.slack.answer_blocks import answered, suggested_note, suggestions
from bot.slack.blocks import section
from bot.slack.intake_blocks import Offered, added_note, ended, question, raised_for
from store.base import Transaction
from store.records import ANSWERED, DMS, DRAFTS, HANDLED, THREADS

log = logging.getLogger("desk.intake")


def _thread(draft: Draft) -> InThread | None:
    return InThread(draft.thread) if draft.thread else None


def _draft(tx: Transaction, key: str) -> Draft | None:
    return tx.get(DRAFTS, key)


def in_dm(channel: str, thread: str | None) -> bool:
    """The top of a DM with the desk (Slack's DM ids start with `D`)."""
    return thread is None and channel[:1] == "D"


class Intake:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    def _context(self, now: datetime, found: tuple[Suggestion, ...] = ()) -> Context:
        types = {str(i): bool(kind.fields) for i, (_, kind) in enumerate(Approvals(self.desk).choices())}
        return Context(now=now, categories=self.desk.config.desk.categories, suggestions=found, types=types)

    def offered(self) -> tuple[Offered, ...]:
        """The request types the conversation offers (every team's), valued as /ticket's chooser."""
        return tuple(
            Offered(str(i), kind.name, kind.description)
            for i, (_, kind) in enumerate(Approvals(self.desk).choices())
        )

    async def draft_at(self, person: str, channel: str, thread: str | None) -> Draft | None:
        return await self.desk.store.get(DRAFTS, conversation_key(person, channel, thread))

    def _suggestions(self, draft: Draft, event: Input) -> tuple[Suggestion, ...]:
        """What the knowledge base has for the request, asked only as the urgency is chosen
        (the last answer before the ticket opens) and when the area's team wants it. The
        domain decides whether to show them (never for P1)."""
        settings = self.desk.config.answers
        if not (isinstance(event, Chose) and event.question is Stage.URGENCY) or draft.for_person:
            return ()
        if not settings.enabled or draft.category not in self.desk.config.desk.categories:
            return ()
        if not settings.on_for(self.desk.staff.team_of(draft.category).name):
            return ()
        hits = self.desk.knowledge.suggest(draft.text, settings.threshold)
        incident = self.desk.knowledge.same_as(draft.text, settings.threshold)
        found = [incident] if incident is not None else []
        return tuple(Suggestion(h.entry.id, h.entry.title, h.entry.answer) for h in [*found, *hits][:3])

    async def dm_of(self, person: str) -> str:
        """Where a request `person` starts outside the DM goes on, without asking Slack: their
        DM with the desk when it is known, else their id, which stands for it until the outbox
        delivers the question there."""
        known = self.desk.directory.known_dm(person)
        if known:
            return known
        return await self.desk.store.get(DMS, person) or person

    def _adopt(self, tx: Transaction, person: str, channel: str, thread: str | None) -> None:
        """In the DM: a request started in the person's id before the DM was known (Slack was
        away) belongs here; it is moved, with its question still owed, before anything else."""
        if not in_dm(channel, thread):
            return
        learn_dm(tx, person, channel)
        waiting = _draft(tx, conversation_key(person, person, None))
        if waiting is None or waiting.stage.over or _draft(tx, conversation_key(person, channel, None)):
            return
        moved = move_draft(tx, waiting, channel)
        owed = tx.owed(f"prompt:{moved.id}")
        if owed is not None and isinstance(owed.message, Prompt):
            prompt = replace(owed.message, key=moved.key, channel=channel)
            owe(tx, f"prompt:{moved.id}", prompt)

    async def begin(
        self,
        person: str,
        channel: str,
        thread: str | None,
        via: str,
        text: str,
        once: str | None,
        *,
        for_person: str | None = None,
        source: str | None = None,
    ) -> None:
        """Start a new request from its first words; one already under way there is replaced.
        `for_person`: the request is someone else's (the author of the message it came from),
        raised by `person`, who answers the questions."""
        await self.desk.words_for(person)  # their language, known before the questions are drawn
        now = self.desk.clock.now()
        fresh = Draft(uuid.uuid4().hex[:12], person, channel, thread, via, text, Stage.CATEGORY, now, now)
        fresh = replace(fresh, for_person=for_person if for_person != person else None, source=source)
        turn = INTAKE.begin(fresh, self._context(now))
        async with self.desk.store.transaction() as tx:
            if tx.done_before(once):
                return
            tx.mark_done(once, now)
            self._adopt(tx, person, channel, thread)
            replaced = _draft(tx, turn.draft.key)
            unshown = replaced is not None and replaced.prompt is None
            owed = tx.owed(f"prompt:{replaced.id}") if replaced is not None and unshown else None
            if via in ("command", "dm") and replaced is not None and owed is not None and not owed.parked:
                # Its question is on its way, not yet with the person (Slack was away): `/ticket`
                # now is most likely the same request again, so the words join it, as a line in
                # the DM would. Replacing it threw away what they wrote before (issue 34, item 6).
                # So does a DM line that found no request under way when it came in, but finds
                # one now (a `/ticket` just before it, committed while both waited for Slack).
                joined = INTAKE.handle(replaced, Said(text), self._context(now))
                if joined is not None and joined.say is Say.WAITING:
                    tx.put(DRAFTS, replaced.key, joined.draft)
                    return
            tx.put(DRAFTS, turn.draft.key, turn.draft)
            if replaced is not None and not replaced.stage.over:
                self._owe_show(tx, replace(replaced, stage=Stage.CANCELLED), Say.CANCELLED, once, quiet=True)
            self._owe_show(tx, turn.draft, turn.say, once)

    async def continue_with(
        self,
        person: str,
        channel: str,
        thread: str | None,
        event: Input,
        once: str | None,
        draft_id: str = "",
        hook: str | None = None,
        members: dict[str, tuple[str, ...]] | None = None,
    ) -> bool:
        """Feed the conversation under way in this place; False when there is none to feed.

        `draft_id` (from a button) must match the draft: buttons of a replaced request do nothing.
        `hook`: the click's `response_url`, through which the question is redrawn.
        `members`: the user groups' members a type without fields asks to approve (asked of
        Slack before the transaction).
        """
        await self.desk.words_for(person)  # their language (asked of Slack once, then remembered)
        now = self.desk.clock.now()
        key = conversation_key(person, channel, thread)
        async with self.desk.store.transaction() as tx:
            if tx.done_before(once):
                return True
            draft = _draft(tx, key)
            if draft is None and in_dm(channel, thread):
                waiting = _draft(tx, conversation_key(person, person, None))
                if waiting is not None and not waiting.stage.over:
                    self._adopt(tx, person, channel, thread)  # started before the DM was known
                    draft = _draft(tx, key)
            if draft is None or draft.stage.over or (draft_id and draft.id != draft_id):
                return not isinstance(event, Said)  # words start a new request; stale buttons do nothing
            turn = INTAKE.handle(draft, event, self._context(now, self._suggestions(draft, event)))
            if turn is None:
                return True
            tx.mark_done(once, now)
            if in_dm(channel, thread):
                learn_dm(tx, person, channel)
            if turn.say is Say.OPEN_TICKET:
                ticket = self._open(tx, turn.draft, now)
                if (turn.draft.solved_by or "").startswith("incident:"):  # "Yes, follow it"
                    ticket = follow(tx, self.desk, ticket, int(str(turn.draft.solved_by).partition(":")[2]))
                if turn.draft.for_person:  # the requester hears in their DM; the raiser here
                    owe_announcement(tx, self.desk, ticket, prompt=None)
                    self._owe_raised_for(tx, turn.draft, ticket, hook)
                else:
                    owe_announcement(tx, self.desk, ticket, turn.draft.prompt, hook)
                turn = Turn(replace(turn.draft, ticket=ticket.number), turn.say)
            elif turn.say is Say.RAISE_TYPE:  # a type without form fields: raised now
                approvals = Approvals(self.desk)
                choice = approvals.choice(turn.draft.kind)
                ended = approvals.raise_from_draft(tx, turn.draft, choice, {}, members, now, hook)
                turn = Turn(ended, turn.say)
            elif turn.say is Say.ANSWERED:  # answered without a ticket: counted (/quality, the digest)
                solved = Answered(now, person, turn.draft.category, turn.draft.solved_by)
                tx.put(ANSWERED, turn.draft.id, solved)
                self._owe_show(tx, turn.draft, turn.say, once)
            else:
                self._owe_show(tx, turn.draft, turn.say, once, hook=hook)
            tx.put(DRAFTS, key, turn.draft)
        return True

    def _open(self, tx: Transaction, draft: Draft, now: datetime) -> Ticket:
        """The ticket the finished draft asks for, stored with the thread it will be talked in:
        the conversation's, or (raised for someone else) a new one in the requester's DM."""
        assert draft.category is not None and draft.priority is not None
        requester, raised_by = draft.person, None
        origin = Origin(draft.channel, draft.thread or draft.prompt, draft.via)
        if draft.for_person:
            requester, raised_by = draft.for_person, draft.person
            origin = Origin(draft.for_person, None, draft.via)  # the DM's thread is known once posted
        ticket = open_ticket(
            tx.new_ticket_number(),
            requester,
            draft.text,
            draft.category,
            draft.priority,
            origin,
            now,
            raised_by=raised_by,
            source=draft.source,
        )
        for words in draft.aside:  # written while the question was on its way: kept, not lost
            ticket = ticket.record(Action.FOLLOW_UP, draft.person, words, now)
        if draft.suggested:  # what the desk suggested first, for the agent who takes it
            noted = suggested_note(draft.suggested, self.desk.words)
            ticket = ticket.record(Action.NOTE, draft.person, noted, now)
        ticket = assign_new(tx, self.desk, ticket)
        tx.save_ticket(ticket)
        if origin.thread:
            tx.put(THREADS, place(origin.channel, origin.thread), ticket.number)
        return ticket

    def _owe_show(
        self,
        tx: Transaction,
        draft: Draft,
        say: Say,
        once: str | None,
        *,
        quiet: bool = False,
        hook: str | None = None,
    ) -> None:
        """Owe, with the draft's change, what puts its state in front of the person: its
        question (posted the first time, edited after), or how it ended. `quiet`: a replaced
        request says it ended only where its question was shown or on its way."""
        key = f"prompt:{draft.id}"
        words = self.desk.known_words(draft.person)
        shown = draft.prompt is not None or tx.owed(key) is not None
        if say in (Say.NOT_A_CHOICE, Say.WAITING):
            return
        if say in (Say.CANCELLED, Say.EXPIRED):
            if shown:
                owe(tx, key, self._prompt(draft, *ended(draft, words=words), hook))
            elif say is Say.CANCELLED and not quiet:
                text = ended(draft, words=words)[0]
                owe(
                    tx,
                    f"ended:{draft.id}",
                    Post(where_of(draft.channel), text, [section(text)], _thread(draft)),
                )
            return
        if say is Say.ANSWERED:
            owe(tx, key, self._prompt(draft, *answered(draft, words), hook))
            return
        if draft.stage is Stage.SUGGESTED:
            owe(tx, key, self._prompt(draft, *suggestions(draft, words), hook))
        else:
            asked = question(draft, self.desk.staff.areas, words=words, types=self.offered())
            owe(tx, key, self._prompt(draft, *asked, hook))
        if say is Say.ADDED:
            note = added_note(words)
            owe(
                tx,
                f"added:{draft.id}:{once}",
                Post(where_of(draft.channel), note, [section(note)], _thread(draft)),
            )

    def _owe_raised_for(self, tx: Transaction, draft: Draft, ticket: Ticket, hook: str | None) -> None:
        """The raiser's question, answered: the ticket is open, and the requester told."""
        words = self.desk.known_words(draft.person)
        text, blocks = raised_for(self.desk.ref(ticket.number), ticket.requester, words=words)
        owe(tx, f"prompt:{draft.id}", self._prompt(draft, text, blocks, hook))

    @staticmethod
    def _prompt(draft: Draft, text: str, blocks: list[dict[str, Any]], hook: str | None = None) -> Prompt:
        return Prompt(
            draft.id, draft.key, draft.channel, draft.thread, text, blocks, ts=draft.prompt, hook=hook
        )

    async def expire(self) -> int:
        """Close drafts left untouched for a day and forget finished ones; returns how many closed."""
        now = self.desk.clock.now()
        closed: list[Draft] = []
        async with self.desk.store.transaction() as tx:
            for key, draft in (await self.desk.store.entries(DRAFTS)).items():
                if draft.expired(now):
                    closed.append(replace(draft, stage=Stage.EXPIRED, touched_at=now))
                    tx.put(DRAFTS, key, closed[-1])
                    self._owe_show(tx, closed[-1], Say.EXPIRED, None)
                elif draft.stage.over and now - draft.touched_at > INTAKE.timeout:
                    tx.drop(DRAFTS, key)
            for key, when in (await self.desk.store.entries(HANDLED)).items():
                if now - when > INTAKE.timeout:
                    tx.drop(HANDLED, key)
        return len(closed)

    async def open_from_form(
        self, person: str, text: str, category: str, priority: Priority, once: str | None
    ) -> None:
        """A ticket from the /ticket form: no questions left to ask."""
        await self.desk.words_for(person)  # the confirmation in their language
        now = self.desk.clock.now()
        async with self.desk.store.transaction() as tx:
            if tx.done_before(once):
                return
            tx.mark_done(once, now)
            origin = Origin(person, None, "form")  # the DM's thread is known once confirmed
            ticket = open_ticket(tx.new_ticket_number(), person, text, category, priority, origin, now)
            ticket = assign_new(tx, self.desk, ticket)
            tx.save_ticket(ticket)
            owe_announcement(tx, self.desk, ticket, prompt=None)
