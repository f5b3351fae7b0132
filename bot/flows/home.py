"""The App Home tab, live (SPEC §11): published through the outbox when someone opens it, and
again whenever a ticket it shows changes.

A Home is one outbox entry per person (`HomeOf`), drawn when it is published, so however many
changes come while it waits it is published once, as things stand then. It is owed when a
ticket's card is delivered (every change to a ticket redraws its card) for the ticket's
requester and assignee, for the agents, who see the queue's counts (waiting ten seconds for
more changes), and for the leads, who see the week's figures (waiting a minute), so a busy
desk publishes each Home a few times a minute at most (`views.publish` is Tier 4, 100+ a
minute: https://api.slack.com/methods/views.publish). Only people who have opened the tab
are kept up to date.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from bot.delivery.owed import owe
from bot.desk import Desk
from bot.domain.digest import backlog_at
from bot.domain.owed import HomeOf
from bot.domain.sla import next_target
from bot.domain.ticket import Action, Ticket
from bot.domain.trend import WEEKS
from bot.flows.approvals import Approvals
from bot.flows.trends import trend_of
from bot.slack.home import HomeFacts, HomeRow, QueueCounts, home_view
from bot.slack.when import at
from store.base import Transaction
from store.records import AWAY, HOMES

LEADS_WAIT = 60.0  # seconds a lead's Home waits for more changes before it is published
QUEUE_WAIT = 10.0  # an agent's Home, for the queue's counts (their own tickets: OTHERS_WAIT)
OTHERS_WAIT = 1.0


def home_key(person: str) -> str:
    return f"home:{person}"


class Homes:
    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    async def opened(self, person: str) -> None:
        """The person opened the Home tab: publish it, and keep it up to date from now on."""
        async with self.desk.store.transaction() as tx:
            if tx.get(HOMES, person) is None:
                tx.put(HOMES, person, self.desk.clock.now())
            owe(tx, home_key(person), HomeOf(person))

    def owe_for(self, tx: Transaction, ticket: Ticket) -> None:
        """A ticket changed: the Homes that show it are owed again (those who opened theirs)."""
        team = self.desk.staff
        people = {ticket.requester, *(p for p in (ticket.assignee,) if p)}
        last = ticket.trail[-1] if ticket.trail else None
        if last is not None and last.action is Action.REASSIGNED:
            people.add(last.detail.partition("->")[0])  # off the previous assignee's list
        for person in sorted(people - {""}):
            if tx.get(HOMES, person) is not None:
                wait = LEADS_WAIT if team.is_lead(person) else OTHERS_WAIT
                owe(tx, home_key(person), HomeOf(person), after=wait)
        for watcher in sorted((team.leads | team.agents) - people):  # the week, the queue's counts
            if tx.get(HOMES, watcher) is not None:
                wait = LEADS_WAIT if team.is_lead(watcher) else QUEUE_WAIT
                owe(tx, home_key(watcher), HomeOf(watcher), after=wait)

    async def view(self, person: str) -> dict[str, Any]:
        """The person's Home as things stand now."""
        desk, team = self.desk, self.desk.staff
        now = desk.clock.now()
        warn_at = desk.config.escalation.warn_at
        open_now = await desk.store.open_tickets()

        def row(ticket: Ticket) -> HomeRow:
            clock = desk.sla_clock(ticket)
            upcoming = next_target(ticket, clock, now)
            risky = upcoming is not None and upcoming.at_risk(warn_at) and not upcoming.breached
            return HomeRow(desk.ref(ticket.number), ticket, upcoming, risky, clock.business)

        mine = [row(t) for t in await desk.store.tickets_of(person)]  # their open ones
        facts = HomeFacts(desk.config.desk.name, desk.config.desk.ticket_prefix, desk.zone, mine)
        if team.is_agent(person):
            assigned = [row(t) for t in open_now if t.assignee == person]
            assigned.sort(key=lambda r: (not r.at_risk, r.ticket.priority.value, r.ticket.opened_at))
            teams = {t.name for t in team.agent_of(person)}  # the queue of their teams
            theirs = [t for t in open_now if desk.team_of(t).name in teams]
            backlog = backlog_at(theirs, desk.sla_clock, warn_at, now)  # as the digest counts it
            queue = QueueCounts(
                backlog.unclaimed, len(backlog.at_risk), len(backlog.overdue), backlog.assigned
            )
            record = await desk.store.get(AWAY, person)
            away = (
                None
                if record is None or not record.holds(now)
                else (
                    at(record.until, desk.zone, words=await desk.words_for(person))
                    if record.until is not None
                    else ""
                )
            )
            facts = replace(facts, assigned=assigned, queue=queue, away=away)
        if team.is_lead(person):
            week = timedelta(days=7)
            if team.several:  # each team they lead, apart
                weeks = [
                    (led.name, await trend_of(desk, led, now, week, WEEKS)) for led in team.led_by(person)
                ]
                facts = replace(facts, team_weeks=tuple(weeks))
            else:
                facts = replace(facts, week=await trend_of(desk, None, now, week, WEEKS))
        facts = replace(facts, approvals=tuple(await Approvals(desk).home_blocks(person)))
        shown = home_view(facts, words=await desk.words_for(person))
        if team.is_lead(person):  # requests waiting for approval, and how long decisions take
            since = now - timedelta(days=7)
            led = list(team.led_by(person))
            extra = await Approvals(desk).figures_block(since, now, None, led, await desk.words_for(person))
            if len(shown["blocks"]) + len(extra) <= 100:
                shown["blocks"] += extra
        return shown
