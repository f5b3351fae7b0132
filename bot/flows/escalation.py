"""The SLA sweep: raise the escalation notices open tickets have reached.

Run by the scheduler every `escalation.check_every` and once at start (to catch up on
anything that fell due while the desk was down). The one executor of `rules.SweepTicket`
(issue 36): each open ticket is read into the command, `rules.decide` (pure) says which notices
it owes, and each notice is recorded on its ticket with the places it has to reach and, in the
same transaction, owed to each place through the outbox, which strikes the place off the
notice once the message is there. So a notice arrives once, in order with its ticket's card:
never twice, never skipped.

The sweep is the desk's clock-driven pass: it also moves tickets waiting on the requester on
(`bot.flows.pending`) and closes rating requests past `csat.expire_after`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any

from bot.delivery import owed
from bot.delivery.owed import owe
from bot.desk import Desk
from bot.domain import escalation_rules as rules
from bot.domain.escalation import EscalationPolicy
from bot.domain.owed import NoticeOf
from bot.domain.ticket import Ticket
from bot.flows.approvals import Approvals
from bot.flows.pending import Pending
from bot.flows.rating import Ratings
from store.base import Transaction

log = logging.getLogger("desk.escalation")
BATCH = 100  # tickets looked at between chances for the event loop to serve requests (~1.5 ms)
Blocks = list[dict[str, Any]]
WRITE_BATCH = 50  # tickets recorded per transaction when many reach a level at once


@dataclass
class Swept:
    """What one sweep did."""

    open_tickets: int = 0
    raised: int = 0
    owed: int = 0  # notices handed to the outbox
    waiting_moved: int = 0  # tickets waiting on the requester reminded or closed
    surveys_closed: int = 0  # rating requests past csat.expire_after
    approvals_moved: int = 0  # requests held for approval reminded or escalated
    seconds: float = 0.0


class Escalation:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk
        self._sweeping = asyncio.Lock()
        self.sweeps = 0  # completed since start, for /healthz
        self.pending = Pending(desk)
        self.ratings = Ratings(desk)
        self.approvals = Approvals(desk)

    def policy_for(self, ticket: Ticket) -> EscalationPolicy:
        """How the ticket escalates: its team's leads are the last step (SPEC §9)."""
        return self._policy().for_ticket(ticket, self.desk.staff)

    def _policy(self) -> rules.Policy:
        settings = self.desk.config.escalation
        return rules.Policy(
            warn_at=settings.warn_at,
            leads_at=settings.leads_at,
            late_after=2 * settings.check_every,
            clock_of=self.desk.sla_clock,
        )

    async def sweep(self) -> Swept:
        """Look at every open ticket once; raise and deliver what is due."""
        async with self._sweeping:
            started = time.perf_counter()
            done = Swept()
            fresh = await self.raise_due(done)
            await self.deliver_owed(fresh, done)
            done.waiting_moved = await self.pending.run(self.desk.clock.now())
            done.surveys_closed = await self.ratings.close_expired(self.desk.clock.now())
            done.approvals_moved = await self.approvals.run(self.desk.clock.now())
            done.seconds = time.perf_counter() - started
            self.sweeps += 1
            if done.raised or done.owed:
                log.info(
                    "sla sweep",
                    extra={
                        "open": done.open_tickets,
                        "raised": done.raised,
                        "owed": done.owed,
                        "ms": round(done.seconds * 1000, 1),
                    },
                )
            return done

    async def finish(self) -> None:
        """Let a sweep in progress end before the store closes."""
        async with self._sweeping:
            pass

    # -- raising -----------------------------------------------------------------------
    async def raise_due(self, done: Swept | None = None) -> set[tuple[int, str]]:
        """Record every notice now due; returns (ticket, notice key) of each raised. Tickets are
        looked at, and written, in small batches so requests are served in between."""
        done = done or Swept()
        now = self.desk.clock.now()
        policy, staff = self._policy(), self.desk.staff
        tickets = await self.desk.store.open_tickets()
        done.open_tickets = len(tickets)
        reached: list[int] = []
        for start in range(0, len(tickets), BATCH):
            for ticket in tickets[start : start + BATCH]:
                if rules.decide(ticket, rules.SweepTicket(ticket.number), staff, policy, now).ticket:
                    reached.append(ticket.number)
            await asyncio.sleep(0)
        fresh: set[tuple[int, str]] = set()
        for start in range(0, len(reached), WRITE_BATCH):  # short transactions: requests go between
            async with self.desk.store.transaction() as tx:
                for number in reached[start : start + WRITE_BATCH]:
                    current = tx.ticket(number)  # as it is now, under the write lock
                    outcome = rules.decide(current, rules.SweepTicket(number), staff, policy, now)
                    self._commit(tx, outcome)
                    fresh.update((number, notice.key) for notice in outcome.raised)
        done.raised = len(fresh)
        return fresh

    def _commit(self, tx: Transaction, outcome: rules.Outcome) -> None:
        """Record the new notices on the ticket and owe, in the same transaction, the card's
        flag and each notice to each of its places."""
        if outcome.ticket is None:
            return  # nothing due (or raised meanwhile by another desk)
        tx.save_ticket(outcome.ticket)
        for message in outcome.owed:
            if isinstance(message, rules.FlagShown):
                owed.card(tx, message.number, requester_too=False)
            else:
                owe(tx, notice_key(message.ticket, message.notice, message.destination), message)

    # -- delivering --------------------------------------------------------------------
    async def deliver_owed(self, fresh: set[tuple[int, str]], done: Swept | None = None) -> None:
        """Make sure every notice still owed somewhere is in the outbox. Those just raised are
        there already; one owed without an entry (left by an older desk) may have been sent,
        so it is looked for first."""
        done = done or Swept()
        owed_now = await self.desk.store.owed()
        missing = [
            (
                notice_key(ticket.number, notice.key, destination),
                NoticeOf(ticket.number, notice.key, destination),
            )
            for ticket in await self.desk.store.open_tickets()
            for notice in ticket.owed_notices
            for destination in notice.owed
            if (ticket.number, notice.key) not in fresh
        ]
        missing = [(key, message) for key, message in missing if key not in owed_now]
        done.owed = len(fresh) + len(missing)
        if missing:
            async with self.desk.store.transaction() as tx:
                for key, message in missing:
                    owe(tx, key, message, look_first=True)


def notice_key(number: int, notice: str, destination: str) -> str:
    """The outbox id of one delivery of a notice."""
    return f"t{number}:notice:{notice}:{destination}"
