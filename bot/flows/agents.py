"""Agents work tickets: claim, reassign, reply, resolve, the queue; requesters reopen.

Each action checks the person's role in the domain, applies the domain step under the store's
write lock (so two agents claiming at once cannot both win), then tells the people involved
and updates the card in place. The return value is the private answer for whoever acted;
refusals are `DeskError`s with a friendly sentence, and change nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import Any

from bot.desk import Desk
from bot.domain.errors import NotPermitted, TicketNotFound
from bot.domain.roles import Team
from bot.domain.sla import next_target
from bot.domain.ticket import Action, Status, Ticket
from bot.flows.opening import refresh_card, split_place
from bot.flows.rating import ask_for_rating
from bot.slack.agent_blocks import QueueRow, queue_answer, reply_message, resolution_message
from bot.slack.blocks import section
from bot.slack.gateway import SlackFailure
from bot.slack.intake_blocks import quote
from bot.slack.mrkdwn import plain

log = logging.getLogger("desk.agents")
Answer = tuple[str, list[dict[str, Any]]]


class Agents:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    @property
    def team(self) -> Team:
        return self.desk.config.team

    # -- actions -----------------------------------------------------------------------
    async def claim(self, agent: str, number: int) -> str:
        self.team.require_agent(agent, "claim tickets")
        now = self.desk.clock.now()
        ticket = await self.desk.store.update_ticket(number, lambda t: t.claim(agent, now))
        ref = self.desk.ref(number)
        await self._after(
            ticket,
            self._tell_requester(ticket, f":raising_hand: <@{agent}> is looking at *{ref}* now."),
        )
        return f"You claimed {ref}. Use `/reply {ref} your answer` to talk to <@{ticket.requester}>."

    async def reassign(self, by: str, number: int, to: str) -> str:
        self.team.require_agent(by, "reassign tickets")
        if not self.team.is_agent(to):
            raise NotPermitted(
                "{person} isn't one of the desk's agents, so tickets can't go to them.", person=to
            )
        now = self.desk.clock.now()
        async with self.desk.store.transaction() as tx:  # who had it, read under the same lock
            before = tx.ticket(number)
            if before is None:
                raise TicketNotFound(number)
            ticket = before.reassign(by, to, now)
            tx.save_ticket(ticket)
        ref = self.desk.ref(number)
        previous = before.assignee if before.status is Status.CLAIMED else None
        tasks = [self._tell_requester(ticket, f":raising_hand: <@{to}> is now looking after *{ref}*.")]
        if to != by:
            summary = quote(plain(" ".join(ticket.text.split()), 300))
            tasks.append(self._dm(to, f"<@{by}> handed *{ref}* to you.\n{summary}"))
        if previous and previous not in (by, to):
            tasks.append(self._dm(previous, f"<@{by}> handed *{ref}* to <@{to}>: it is off your list."))
        await self._after(ticket, *tasks)
        return f"{ref} is now with <@{to}>."

    async def resolve(self, agent: str, number: int, note: str) -> str:
        self.team.require_agent(agent, "resolve tickets")
        now = self.desk.clock.now()
        ticket = await self.desk.store.update_ticket(number, lambda t: t.resolve(agent, note.strip(), now))
        ref = self.desk.ref(number)
        text, blocks = resolution_message(ref, number, agent, note)
        await self._after(
            ticket, self._tell_requester(ticket, text, blocks), ask_for_rating(self.desk, ticket)
        )
        return f"Resolved {ref}. <@{ticket.requester}> has been told" + (" with your note." if note else ".")

    async def reply(self, agent: str, number: int, words: str, once: str | None = None) -> str:
        self.team.require_agent(agent, "reply to requesters")
        now = self.desk.clock.now()
        ref = self.desk.ref(number)
        async with self.desk.store.transaction() as tx:
            ticket = tx.ticket(number)
            if ticket is None:
                raise TicketNotFound(number)
            if tx.done_before(once):
                return f"Already sent to <@{ticket.requester}>."
            ticket = ticket.record(Action.REPLIED, agent, words, now)
            tx.save_ticket(ticket)
            tx.mark_done(once, now)
        name = await self._name(agent)
        text, blocks = reply_message(ref, f"{name}, {self.desk.config.desk.name}", words)
        await self._after(
            ticket,
            self._tell_requester(ticket, text, blocks),
            self._in_card_thread(ticket, f"<@{agent}> replied to the requester:\n{quote(words)}"),
            refresh=False,
        )
        return f"Sent to <@{ticket.requester}> in {ref}'s thread."

    async def reopen(self, person: str, number: int) -> str:
        ticket = await self.desk.store.ticket(number)
        if ticket is None or ticket.requester != person:
            raise NotPermitted("Only the person who raised {ref} can reopen it.", ticket=number)
        now = self.desk.clock.now()
        ticket = await self.desk.store.update_ticket(number, lambda t: t.reopen(person, now))
        ref = self.desk.ref(number)
        who = f" <@{ticket.assignee}>, it's back with you." if ticket.assignee else ""
        notice = (
            f":arrows_counterclockwise: <@{person}> says the problem is back: *{ref}* is open again.{who}"
        )
        await self._after(ticket, self._in_card_thread(ticket, notice))
        told = f"<@{ticket.assignee}> has" if ticket.assignee else "The desk's agents have"
        return f":arrows_counterclockwise: You reopened {ref}. {told} been told."

    async def queue(self, agent: str) -> Answer:
        """Unclaimed tickets and those at risk, most urgent and oldest first."""
        self.team.require_agent(agent, "see the queue")
        now = self.desk.clock.now()
        warn_at = self.desk.config.escalation.warn_at
        rows: list[QueueRow] = []
        for ticket in await self.desk.store.open_tickets():
            clock = self.desk.sla_clock(ticket.priority)
            upcoming = next_target(ticket, clock, now)
            at_risk = upcoming is not None and upcoming.used >= warn_at
            if ticket.status is Status.OPEN or at_risk:
                rows.append(QueueRow(self.desk.ref(ticket.number), ticket, upcoming, at_risk, clock.business))
        rows.sort(key=lambda row: (row.ticket.priority.value, row.ticket.opened_at))
        return queue_answer(rows, self.desk.zone, now)

    # -- telling people ----------------------------------------------------------------
    async def _after(self, ticket: Ticket, *tasks: Awaitable[None], refresh: bool = True) -> None:
        """Update the card and send the notices; a failure is logged, the change stands."""
        if refresh:
            tasks = (refresh_card(self.desk, ticket), *tasks)
        for task in tasks:
            try:
                await task
            except SlackFailure as failure:
                log.error(
                    "could not tell about a ticket change",
                    extra={"ticket": ticket.number, "method": failure.method, "error": failure.error},
                )

    async def _tell_requester(
        self, ticket: Ticket, text: str, blocks: list[dict[str, Any]] | None = None
    ) -> None:
        origin = ticket.origin
        await self.desk.slack.post(origin.channel, text, blocks or [section(text)], thread=origin.thread)

    async def _in_card_thread(self, ticket: Ticket, text: str) -> None:
        if ticket.card is None:
            return
        channel, ts = split_place(ticket.card)
        await self.desk.slack.post(channel, plain(text, 300), [section(text)], thread=ts)

    async def _dm(self, user: str, text: str) -> None:
        await self.desk.slack.dm(user, plain(text, 300), [section(text)])

    async def _name(self, user: str) -> str:
        try:
            return await self.desk.slack.display_name(user)
        except SlackFailure:
            return "An agent"
