"""`/desk summary T-12` and `/desk draft T-12` (issue 39): a ticket thread summed up, and a
draft reply the agent edits before sending it, from the endpoint `[summaries]` configures.

Only agents of the ticket's team may ask (the store's ticket and the config's teams say who,
never the request). The ticket is read from the store, then the endpoint is called outside any
transaction, on the event loop's own I/O: a slow or dead endpoint keeps nobody else waiting.
A draft is sent the way every reply is (`Agents.reply`, through the outbox) once the agent
submits the Reply form it fills.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.desk import Desk
from bot.domain.errors import TicketNotFound
from bot.domain.ticket import Ticket
from bot.slack import refusals
from bot.summaries import SAID, ServiceFailed, SummaryService, thread_text

DOING = refusals.SUMMARISE


@dataclass(frozen=True)
class Written:
    """What the endpoint wrote (None when it failed), and how many replies it was given."""

    text: str | None
    replies: int


class Summaries:
    def __init__(self, desk: Desk, service: SummaryService) -> None:
        self.desk = desk
        self.service = service

    @property
    def on(self) -> bool:
        return self.service.on

    async def ticket_for(self, agent: str, number: int) -> Ticket:
        """The ticket, if `agent` is one of its team's agents; a refusal otherwise."""
        self.desk.staff.require_agent(agent, DOING)
        ticket = await self.desk.store.ticket(number)
        if ticket is None:
            raise TicketNotFound(number)
        self.desk.staff.require_agent_for(agent, ticket, DOING)
        return ticket

    async def summary(self, agent: str, ticket: Ticket) -> Written:
        """The thread in a paragraph, in the agent's language."""
        language = (await self.desk.words_for(agent)).language
        return await self._write(ticket, lambda thread: self.service.summary(thread, language))

    async def draft(self, ticket: Ticket) -> Written:
        """A reply to the requester, in their language."""
        language = (await self.desk.words_for(ticket.requester)).language
        return await self._write(ticket, lambda thread: self.service.draft(thread, language))

    async def _write(self, ticket: Ticket, ask: Callable[[str], Awaitable[str]]) -> Written:
        replies = sum(1 for e in ticket.trail if e.action in SAID and e.detail.strip())
        try:
            text = await ask(thread_text(ticket, self.desk.ref(ticket.number)))
        except ServiceFailed:
            return Written(None, replies)
        return Written(text, replies)
