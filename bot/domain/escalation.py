"""The escalation policy, pure: which notices a ticket is due now, and where each goes.

For each target still counting, three levels, in order: at `warn_at` of the target an
"at risk" notice (to the assignee by DM, or the triage channel while nobody has claimed it);
at 100% a "breached" notice in the triage channel; at `leads_at` a DM to each lead. Each is
raised once per ticket, target, level and round; one that fell due long before it was noticed
(the desk was not running) is still raised, marked late.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.notices import TRIAGE, Level, Notice, to_person
from bot.domain.owed import is_outsider
from bot.domain.policy import Target
from bot.domain.sla import SlaClock, pauses_of, running_targets
from bot.domain.ticket import Status, Ticket


@dataclass(frozen=True)
class EscalationPolicy:
    warn_at: float  # fraction of a target: at risk
    leads_at: float  # fraction of a target: tell the leads (1.0 or more)
    late_after: timedelta  # a notice raised this long after it fell due is marked late
    leads: tuple[str, ...] = ()

    @property
    def levels(self) -> list[tuple[Level, float]]:
        """Each level and the fraction of the target that reaches it, in the order reached."""
        return sorted(
            [(Level.AT_RISK, self.warn_at), (Level.BREACHED, 1.0), (Level.LEADS, self.leads_at)],
            key=lambda pair: pair[1],
        )

    def destinations(self, ticket: Ticket, level: Level) -> tuple[str, ...]:
        if level is Level.LEADS:
            return tuple(to_person(lead) for lead in self.leads)
        taken = ticket.status in (Status.CLAIMED, Status.WAITING) and ticket.assignee
        if level is Level.AT_RISK and taken and not is_outsider(ticket.assignee):
            return (to_person(str(ticket.assignee)),)
        return (TRIAGE,)  # an assignee an import kept by name is not in Slack: the agents hear of it


def _levels_ahead(
    ticket: Ticket, clock: SlaClock, policy: EscalationPolicy, now: datetime
) -> Iterator[tuple[Target, datetime, Iterator[tuple[Level, datetime]]]]:
    """Per running target: when its round started, and (lazily, in order) each level not yet
    raised with the moment it is reached, not counting time spent waiting on the requester.
    Lazy, so callers stop at the first in the future. While the ticket waits on the
    requester its resolution target is paused: nothing of it can fall due."""
    for target, since in running_targets(ticket):
        if target is Target.RESOLUTION and ticket.waiting_since is not None:
            continue
        budget = clock.budget(clock.policy.length(target))
        pauses = pauses_of(ticket, target, now)
        yield (
            target,
            since,
            (
                (level, clock.reach_unpaused(since, budget * fraction, pauses))
                for level, fraction in policy.levels
                if not ticket.has_notice(target, level, since)
            ),
        )


def due_notices(ticket: Ticket, clock: SlaClock, policy: EscalationPolicy, now: datetime) -> list[Notice]:
    """The notices `ticket` has reached by `now` and not yet raised, in the order reached.

    Cheap when nothing is due: per running target it works out one moment, that of the next
    level not yet raised, and stops there.
    """
    if not ticket.is_open:
        return []
    found: list[Notice] = []
    for target, since, ahead in _levels_ahead(ticket, clock, policy, now):
        for level, reached in ahead:
            if reached > now:
                break
            found.append(
                Notice(
                    target=target,
                    level=level,
                    since=since,
                    due_at=reached,
                    raised_at=now,
                    late=now - reached > policy.late_after,
                    owed=policy.destinations(ticket, level),
                )
            )
    return sorted(found, key=lambda notice: notice.due_at)


def next_notice_at(
    ticket: Ticket, clock: SlaClock, policy: EscalationPolicy, now: datetime | None = None
) -> datetime | None:
    """When `ticket` next reaches a level it has not raised (None: nothing more can come)."""
    if not ticket.is_open:
        return None
    moments = []
    for _, _, ahead in _levels_ahead(ticket, clock, policy, now or ticket.opened_at):
        first = next(ahead, None)
        if first is not None:
            moments.append(first[1])
    return min(moments, default=None)
