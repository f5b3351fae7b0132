"""An incident storm: new tickets arriving faster than the triage channel can show a card each.

Slack takes about one message a second in a channel. When more new tickets wait for their
cards than that (`STORM_AT`), the desk folds them into one storm card that groups them by area
and urgency and is updated in place, so people in an outage see one clear picture instead of a
thousand posts trickling in for a quarter of an hour. While the storm lasts every new ticket
joins it; it is over once `QUIET` passes with no new ticket. A ticket leaves the storm card
for a card of its own as soon as someone acts on it (claims it, or writes in its thread).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.domain.notices import Level
from bot.domain.priority import Priority
from bot.domain.ticket import Status, Ticket

STORM_AT = 10  # new cards waiting for the triage channel that make a storm
QUIET = timedelta(minutes=10)  # a storm is over this long after its last new ticket


@dataclass(frozen=True)
class Storm:
    key: str
    started_at: datetime
    last_at: datetime
    tickets: tuple[int, ...]  # in the order they joined
    card: str | None = None  # where the storm card lives, once posted

    @classmethod
    def begin(cls, numbers: Iterable[int], now: datetime) -> Storm:
        return cls(f"{now:%Y%m%dT%H%M%S}", now, now, tuple(numbers))

    def is_on(self, now: datetime) -> bool:
        return now - self.last_at < QUIET

    def join(self, numbers: Iterable[int], now: datetime) -> Storm:
        """New tickets join (and keep the storm on); ones already in it change nothing."""
        known = set(self.tickets)
        joining = tuple(dict.fromkeys(n for n in numbers if n not in known))
        if not joining:
            return self
        return replace(self, last_at=now, tickets=(*self.tickets, *joining))


def foldable(ticket: Ticket) -> bool:
    """A ticket nobody has acted on yet and that has no card of its own: it can wait in the
    storm card."""
    return ticket.status is Status.OPEN and ticket.assignee is None and ticket.card is None


def folds(waiting: int, current: Storm | None, now: datetime) -> bool:
    """Whether `waiting` new cards go into a storm card rather than one post each."""
    if waiting == 0:
        return False
    return waiting >= STORM_AT or (current is not None and current.is_on(now))


@dataclass(frozen=True)
class Group:
    """The storm's tickets of one area and urgency, as they stand."""

    category: str
    priority: Priority
    waiting: tuple[int, ...]  # open and nobody has them, oldest first
    taken: int  # claimed
    resolved: int
    missed: int = 0  # not resolved, and a target was missed
    at_risk: int = 0  # not resolved, a target close to being missed

    @property
    def total(self) -> int:
        return len(self.waiting) + self.taken + self.resolved


def grouped(tickets: Iterable[Ticket]) -> list[Group]:
    """The tickets by area and urgency: most urgent first, then the biggest group."""
    found: dict[tuple[str, Priority], list[Ticket]] = {}
    for ticket in tickets:
        found.setdefault((ticket.category, ticket.priority), []).append(ticket)
    groups = []
    for (category, priority), members in found.items():
        waiting = sorted(
            (t for t in members if t.status is Status.OPEN),
            key=lambda t: (t.opened_at, t.number),
        )
        groups.append(
            Group(
                category,
                priority,
                tuple(t.number for t in waiting),
                sum(1 for t in members if t.status is Status.CLAIMED),
                sum(1 for t in members if t.status is Status.RESOLVED),
                sum(1 for t in members if _lateness(t) == "missed"),
                sum(1 for t in members if _lateness(t) == "at risk"),
            )
        )
    return sorted(groups, key=lambda g: (g.priority.value, -g.total, g.category))


def _lateness(ticket: Ticket) -> str:
    """What the escalation notices raised say about a ticket still being worked on."""
    if not ticket.is_open:
        return ""
    levels = {notice.level for notice in ticket.notices}
    if levels & {Level.BREACHED, Level.LEADS}:
        return "missed"
    return "at risk" if Level.AT_RISK in levels else ""
