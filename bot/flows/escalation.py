"""The SLA sweep: raise the escalation notices open tickets have reached, then deliver them.

Run by the scheduler every `escalation.check_every` and once at start (to catch up on
anything that fell due while the desk was down). Each notice is recorded on its ticket in
the store before it is sent, with the places it still has to reach; a place is struck off
once the message is there. A notice left owed by a crash or a Slack failure is looked for in
its conversation before it is sent again, so it arrives once: never twice, never skipped.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

from bot.desk import Desk
from bot.domain.escalation import EscalationPolicy, due_notices
from bot.domain.notices import TRIAGE, Notice, person_of
from bot.domain.sla import measure, round_of
from bot.domain.ticket import Ticket
from bot.flows import owed
from bot.flows.opening import split_place
from bot.slack.gateway import SlackFailure
from bot.slack.notice_blocks import NoticeFacts, notice_id, notice_message
from store.tables import STORM_OF

log = logging.getLogger("desk.escalation")
BATCH = 100  # tickets looked at between chances for the event loop to serve requests (~1.5 ms)
WRITE_BATCH = 50  # tickets recorded per transaction when many reach a level at once


@dataclass
class Swept:
    """What one sweep did."""

    open_tickets: int = 0
    raised: int = 0
    delivered: int = 0
    waiting: int = 0  # 1 when Slack failed for now: what is owed waits for the next sweep
    seconds: float = 0.0


class Escalation:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self._sweeping = asyncio.Lock()
        self.stopping = False
        self.sweeps = 0  # completed since start, for /healthz

    @property
    def policy(self) -> EscalationPolicy:
        settings = self.desk.config.escalation
        return EscalationPolicy(
            warn_at=settings.warn_at,
            leads_at=settings.leads_at,
            late_after=2 * settings.check_every,
            leads=self.desk.config.desk.leads,
        )

    async def sweep(self) -> Swept:
        """Look at every open ticket once; raise and deliver what is due."""
        async with self._sweeping:
            started = time.perf_counter()
            done = Swept()
            fresh = await self.raise_due(done)
            await self.deliver_owed(fresh, done)
            done.seconds = time.perf_counter() - started
            self.sweeps += 1
            if done.raised or done.delivered or done.waiting:
                log.info(
                    "sla sweep",
                    extra={
                        "open": done.open_tickets,
                        "raised": done.raised,
                        "delivered": done.delivered,
                        "waiting": done.waiting,
                        "ms": round(done.seconds * 1000, 1),
                    },
                )
            return done

    async def finish(self) -> None:
        """Let a sweep in progress end (at its next delivery) before the store closes."""
        self.stopping = True
        async with self._sweeping:
            pass

    # -- raising -----------------------------------------------------------------------
    async def raise_due(self, done: Swept | None = None) -> set[tuple[int, str]]:
        """Record every notice now due; returns (ticket, notice key) of each raised. Tickets are
        looked at, and written, in small batches so requests are served in between."""
        done = done or Swept()
        now = self.desk.clock.now()
        policy = self.policy
        tickets = await self.desk.store.open_tickets()
        done.open_tickets = len(tickets)
        reached: list[int] = []
        for start in range(0, len(tickets), BATCH):
            for ticket in tickets[start : start + BATCH]:
                if due_notices(ticket, self.desk.sla_clock(ticket.priority), policy, now):
                    reached.append(ticket.number)
            await asyncio.sleep(0)
        fresh: set[tuple[int, str]] = set()
        for start in range(0, len(reached), WRITE_BATCH):  # short transactions: requests go between
            async with self.desk.store.transaction() as tx:
                for number in reached[start : start + WRITE_BATCH]:
                    current = tx.ticket(number)  # as it is now, under the write lock
                    if current is None:
                        continue
                    notices = due_notices(current, self.desk.sla_clock(current.priority), policy, now)
                    if notices:
                        tx.save_ticket(current.raise_notices(notices))
                        owed.card(tx, number, self.desk.config.desk.triage_channel)  # the new flag
                        fresh.update((number, notice.key) for notice in notices)
        done.raised = len(fresh)
        return fresh

    # -- delivering --------------------------------------------------------------------
    async def deliver_owed(self, fresh: set[tuple[int, str]], done: Swept | None = None) -> None:
        """Send every notice still owed: those just raised, and any a crash or a Slack
        failure left behind (looked for first, in case they arrived after all)."""
        done = done or Swept()
        for ticket in await self.desk.store.open_tickets():
            for notice in ticket.owed_notices:
                new = (ticket.number, notice.key) in fresh
                for destination in notice.owed:
                    if self.stopping:
                        return
                    if not await self._deliver(ticket, notice, destination, new):
                        done.waiting += 1
                        return  # Slack is struggling: leave the rest for the next sweep
                    done.delivered += 1

    async def _deliver(self, ticket: Ticket, notice: Notice, destination: str, fresh: bool) -> bool:
        """Send one notice to one place and strike the place off; False when Slack could not
        take it now (it stays owed for the next sweep)."""
        number = ticket.number
        if destination == TRIAGE and await self._on_storm_card(ticket):
            log.info("notice shown on the storm card", extra={"ticket": number, "notice": notice.key})
            await self.desk.store.update_ticket(number, lambda t: t.notice_delivered(notice.key, destination))
            return True
        try:
            if fresh or not await self._arrived(ticket, notice, destination):
                await self._send(ticket, notice, destination)
        except SlackFailure as failure:
            if not failure.permanent:
                log.warning(
                    "notice not delivered yet; will try again",
                    extra={"ticket": number, "notice": notice.key, "error": failure.error},
                )
                return False
            log.error(
                "notice cannot be delivered; giving up on it",
                extra={"ticket": number, "notice": notice.key, "to": destination, "error": failure.error},
            )
        await self.desk.store.update_ticket(number, lambda t: t.notice_delivered(notice.key, destination))
        return True

    async def _on_storm_card(self, ticket: Ticket) -> bool:
        """A ticket shown only on a storm card: the card counts its missed targets, so the
        triage channel is not flooded with a notice for each of a storm's tickets."""
        return ticket.card is None and await self.desk.store.record(STORM_OF, str(ticket.number)) is not None

    async def _where(self, ticket: Ticket, destination: str) -> tuple[str, str | None]:
        """The conversation (and thread) a destination means."""
        person = person_of(destination)
        if person is not None:
            return await self.desk.slack.dm_channel(person), None
        if ticket.card is not None:
            return split_place(ticket.card)
        return self.desk.config.desk.triage_channel, None

    async def _send(self, ticket: Ticket, notice: Notice, destination: str) -> None:
        channel, thread = await self._where(ticket, destination)
        text, blocks = notice_message(self._facts(ticket, notice), destination, self.desk.zone)
        await self.desk.slack.post(channel, text, blocks, thread, broadcast=destination == TRIAGE)
        log.info(
            "notice sent",
            extra={"ticket": ticket.number, "notice": notice.key, "to": destination, "late": notice.late},
        )

    async def _arrived(self, ticket: Ticket, notice: Notice, destination: str) -> bool:
        """Whether the notice is in its conversation already (sent just before a crash)."""
        channel, thread = await self._where(ticket, destination)
        wanted = notice_id(ticket.number, notice, destination)
        for message in await self.desk.slack.look_back(channel, thread):
            if any(block.get("block_id") == wanted for block in message.get("blocks") or []):
                return True
        return False

    def _facts(self, ticket: Ticket, notice: Notice) -> NoticeFacts:
        clock = self.desk.sla_clock(ticket.priority)
        _, stopped = round_of(ticket, notice.target)
        state = measure(clock, notice.target, notice.since, stopped, self.desk.clock.now())
        return NoticeFacts(
            ticket=ticket,
            ref=self.desk.ref(ticket.number),
            notice=notice,
            state=state,
            length=clock.policy.length(notice.target),
            business=clock.business,
            triage=self.desk.config.desk.triage_channel,
        )
