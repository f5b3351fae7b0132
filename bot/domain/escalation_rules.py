"""The SLA sweep's decision for one ticket, pure (issue 36): which escalation notices it owes now.

The job reads each open ticket into a typed command (`SweepTicket`); `decide` takes the ticket
as stored (None: it left the store), with the notices it has raised already (they are kept on
the ticket), the command, the desk's staff (a team's leads are the last step, SPEC §9), the
policy (`warn_at`, `leads_at`, when a notice counts as late, and the clock each ticket's targets
run on) and `now`, and returns an `Outcome`: the ticket to save with the new notices recorded
(each with the places it still has to reach) and the messages owed: the card redrawn (agents
see the new flag) and each notice to each of its places. Recorded and owed in one transaction,
so a notice is raised once, across restarts and several desks, and delivered once. Pure: no
Slack, no store, `now` passed in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.escalation import EscalationPolicy, due_notices
from bot.domain.notices import Notice
from bot.domain.owed import NoticeOf
from bot.domain.roles import Staff
from bot.domain.sla import SlaClock
from bot.domain.ticket import Ticket


# -- the command ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class SweepTicket:
    """The job: raise the notices ticket `number` has reached and not raised yet."""

    number: int


Command = SweepTicket


@dataclass(frozen=True)
class Policy:
    """The `[escalation]` settings and `clock_of(ticket)`: the clock its targets run on (its
    priority's, in its team)."""

    warn_at: float  # fraction of a target: at risk
    leads_at: float  # fraction of a target: tell the leads
    late_after: timedelta  # a notice raised this long after it fell due is marked late
    clock_of: Callable[[Ticket], SlaClock]

    def for_ticket(self, ticket: Ticket, staff: Staff) -> EscalationPolicy:
        """How `ticket` escalates: its team's leads are the last step (SPEC §9)."""
        return EscalationPolicy(
            warn_at=self.warn_at,
            leads_at=self.leads_at,
            late_after=self.late_after,
            leads=staff.team_of(ticket.category).leads,
        )


# -- the messages owed ----------------------------------------------------------------------------
@dataclass(frozen=True)
class FlagShown:
    """The ticket's card redrawn with the new flag (agents see it; the requester's confirmation
    is not redrawn)."""

    number: int


Message = FlagShown | NoticeOf  # NoticeOf: one notice to one of its places (the outbox's kind)


@dataclass(frozen=True)
class Outcome:
    ticket: Ticket | None  # to save, the new notices recorded (None: nothing is due)
    raised: tuple[Notice, ...] = ()  # the notices raised now, in the order reached
    owed: tuple[Message, ...] = ()


NOTHING = Outcome(None)


# -- the rules ------------------------------------------------------------------------------------
def decide(ticket: Ticket | None, command: Command, staff: Staff, policy: Policy, now: datetime) -> Outcome:
    """The notices `ticket` has reached by `now` and not raised (none once it is closed or
    gone), recorded on it, with the card's flag and each notice to each place it goes owed."""
    if ticket is None or ticket.number != command.number:
        return NOTHING
    notices = due_notices(ticket, policy.clock_of(ticket), policy.for_ticket(ticket, staff), now)
    if not notices:
        return NOTHING
    owed: list[Message] = [FlagShown(ticket.number)]
    owed += [
        NoticeOf(ticket.number, notice.key, destination) for notice in notices for destination in notice.owed
    ]
    return Outcome(ticket.raise_notices(notices), tuple(notices), tuple(owed))
