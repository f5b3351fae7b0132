"""Answers about tickets: one ticket's status, a person's open tickets, and help.

Each returns `(text, blocks)` for whichever way the question came (DM, mention, /ticket).
A requester sees only their own tickets; anyone else's answers exactly like a missing one.
"""

from __future__ import annotations

from typing import Any

from bot.delivery.owed import owe
from bot.desk import Desk
from bot.domain.errors import DeskError
from bot.domain.owed import Conversation, Post
from bot.domain.phrases import Help, MyTickets, Phrase, StatusOf
from bot.domain.sla import next_target
from bot.slack.blocks import section
from bot.slack.status_blocks import assigned_tickets, help_answer, my_tickets, status_answer

Answer = tuple[str, list[dict[str, Any]]]


def _plain(text: str) -> Answer:
    return text, [section(text)]


async def status_of(desk: Desk, person: str, reference: str) -> Answer:
    try:
        number = desk.parse_ref(reference)
        ticket = desk.staff.visible(await desk.store.ticket(number), number, person)
    except DeskError as error:
        return _plain(await desk.explain_to(person, error))
    now = desk.clock.now()
    clock = desk.sla_clock(ticket)
    upcoming = next_target(ticket, clock, now)
    warn_at = desk.config.escalation.warn_at
    ref = desk.ref(ticket.number)
    words = await desk.words_for(person)
    return status_answer(
        ticket, ref, upcoming, desk.zone, now, business=clock.business, warn_at=warn_at, words=words
    )


async def tickets_of(desk: Desk, person: str) -> Answer:
    """The person's open tickets, newest first; for an agent, first those assigned to them."""
    tickets = await desk.store.tickets_of(person, open_only=True)
    rows = [(desk.ref(t.number), t) for t in reversed(tickets)]
    words = await desk.words_for(person)
    now = desk.clock.now()
    if not desk.staff.is_agent(person):
        return my_tickets(rows, now, words=words)
    assigned = [(desk.ref(t.number), t) for t in await desk.store.open_tickets() if t.assignee == person]
    requested = my_tickets(rows, now, words=words) if rows else None
    return assigned_tickets(assigned, requested, now, words=words)


async def answer(desk: Desk, person: str, phrase: Phrase) -> Answer | None:
    """The answer when `phrase` is a question about tickets ("status T-4", "my tickets",
    "help"); None when it asks for something else (a new request, cancel)."""
    if isinstance(phrase, StatusOf):
        return await status_of(desk, person, phrase.reference)
    if isinstance(phrase, MyTickets):
        return await tickets_of(desk, person)
    if isinstance(phrase, Help):
        return await help_for(desk, person)
    return None


async def help_for(desk: Desk, person: str) -> Answer:
    settings = desk.config.desk
    words = await desk.words_for(person)
    return help_answer(settings.name, settings.ticket_prefix, agent=desk.staff.is_agent(person), words=words)


async def reply(desk: Desk, heard: str, person: str, channel: str, answer: Answer) -> bool:
    """Owe the answer to a question asked in a DM, with the mark that it was answered (a
    retry of the question answers nothing twice). False when it was answered already."""
    text, blocks = answer
    async with desk.store.transaction() as tx:
        if tx.done_before(heard):
            return False
        tx.mark_done(heard, desk.clock.now())
        owe(tx, f"{heard}:answer", Post(Conversation(channel), text, blocks or [section(text)]))
    return True
