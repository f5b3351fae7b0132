"""The approvals' decisions, as one pure decision: an approver's Approve or Deny on a request
held for approval, and the sweep's reminder and escalation (SPEC §13).

The edge reads a Slack request once into a typed command (`Approve`, `Deny`; the job's `Sweep`);
`decide` takes the request as stored (None: there is none), the command, the desk's staff, its
policy (the request types and their teams, and how a span is counted on the desk's calendar)
and `now`, and returns an `Outcome`: the request to save, the messages owed (typed: the Slack
side words them), whether it becomes a ticket now, and the answer for whoever acted. A refusal
is a `DeskError` and changes nothing. Who may decide comes from the stored chain (fixed from the
config and the form when it was requested, never from the click): it is checked here, once,
by the request's own step (`Approval.decide`). Pure: no Slack, no store, `now` passed in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.approval import Approval, RequestType, State
from bot.domain.errors import DeskError, Phrase
from bot.domain.roles import Staff, Team

# -- what people may be refused, and why (worded by the catalogue) -------------------------------
GONE = Phrase("I can't find that request any more, so nothing changed.")


class RequestNotFound(DeskError):
    """No such request (or it left the store): nothing changed."""

    def __init__(self) -> None:
        super().__init__(GONE)


# -- the commands -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Approve:
    """`approver` approves `request` at its pending level (`reason`: an optional note), from
    the DM at `where` (`(channel, ts)`; None: not known, nothing to redraw in place)."""

    request: str
    approver: str
    reason: str = ""
    where: tuple[str, str] | None = None


@dataclass(frozen=True)
class Deny:
    """`approver` denies `request`, saying why (`reason`, needed), from the DM at `where`."""

    request: str
    approver: str
    reason: str
    where: tuple[str, str] | None = None


@dataclass(frozen=True)
class Sweep:
    """The job: remind the pending level's approvers once after the type's `reminder`, and
    tell the team's leads once when the request waits longer than its `limit`."""

    request: str


Decision = Approve | Deny
Command = Decision | Sweep


Reach = Callable[[datetime, timedelta], datetime]


@dataclass(frozen=True)
class Policy:
    """The desk's request types with their teams (the config's order) and `reach(start, span)`,
    `span` counted on the desk's working calendar (reminders keep business hours)."""

    kinds: tuple[tuple[Team, RequestType], ...]
    reach: Reach


# -- the messages owed ----------------------------------------------------------------------------
@dataclass(frozen=True)
class DecisionShown:
    """The DM `approver` decided on (`where`), redrawn with their decision (decided at `level`)."""

    where: tuple[str, str]
    approver: str
    approve: bool
    level: int


@dataclass(frozen=True)
class LevelSettled:
    """Every other DM of `level` still showing Approve / Deny says who decided and when (the one
    clicked, at `clicked`, says it already)."""

    level: int
    approver: str
    approve: bool
    clicked: tuple[str, str] | None


@dataclass(frozen=True)
class DeniedTold:
    """To the requester: their request was denied by `approver`, and why."""

    approver: str


@dataclass(frozen=True)
class BecomesTicket:
    """The request, approved at its last level, opens as a ticket in its team's queue (as any
    new ticket: assignment, card, confirmation); the request records its number."""


@dataclass(frozen=True)
class LevelAsked:
    """The pending level's approvers are owed the request with Approve / Deny (`reminder`: the
    sweep's reminder)."""

    reminder: bool = False


@dataclass(frozen=True)
class WaitingSettled:
    """The requester's "waiting for approval" DM says how it ended (the ticket it became)."""


@dataclass(frozen=True)
class LeadsTold:
    """To each of `leads`: the request waits longer than its type's limit."""

    leads: tuple[str, ...]


Message = DecisionShown | LevelSettled | DeniedTold | BecomesTicket | LevelAsked | WaitingSettled | LeadsTold


# -- the answers for whoever acted ---------------------------------------------------------------
@dataclass(frozen=True)
class Decided:
    """The decision is recorded: the redrawn DM says so (nothing more is said)."""

    state: State


@dataclass(frozen=True)
class Swept:
    """The job moved the request (reminded, escalated, or both)."""


Answer = Decided | Swept


@dataclass(frozen=True)
class Outcome:
    request: Approval | None  # to save (None: nothing changes)
    owed: tuple[Message, ...] = ()
    answer: Answer | None = None
    forget_forms: bool = False  # decided: where the approvers' forms were opened is not needed


# -- the rules ------------------------------------------------------------------------------------
def decide(held: Approval | None, command: Command, staff: Staff, policy: Policy, now: datetime) -> Outcome:
    """What `command` does to the request `held`; a `DeskError` if refused. `staff` is not
    consulted: who may decide was fixed in the request's chain."""
    if isinstance(command, Sweep):
        return _sweep(held, policy, now)
    if held is None:
        raise RequestNotFound()
    approve = isinstance(command, Approve)
    after = held.decide(command.approver, approve, command.reason, now)  # who may, and how it ends
    owed: list[Message] = []
    if command.where is not None:
        owed.append(DecisionShown(command.where, command.approver, approve, held.level))
    if after.level != held.level or not after.pending:
        owed.append(LevelSettled(held.level, command.approver, approve, command.where))
    if after.state is State.DENIED:
        owed.append(DeniedTold(command.approver))
    elif after.state is State.APPROVED:
        owed.append(BecomesTicket())
    elif after.level != held.level:
        owed.append(LevelAsked())
    if not after.pending:
        owed.append(WaitingSettled())
    return Outcome(after, tuple(owed), Decided(after.state), forget_forms=not after.pending)


def kind_of(held: Approval, policy: Policy) -> tuple[Team, RequestType] | None:
    """The request's type and the team it belongs to (None: the type left the config)."""
    return next(
        ((t, k) for t, k in policy.kinds if k.name == held.type_name and held.category in t.categories),
        None,
    )


def _sweep(held: Approval | None, policy: Policy, now: datetime) -> Outcome:
    """What is due now: the reminder once a level waits past the type's `reminder`, the leads
    told once the request is older than its `limit`. Nothing for a request decided, gone, or of
    a type the config no longer has (nobody to ask about it)."""
    if held is None or not held.pending:
        return Outcome(None)
    found = kind_of(held, policy)
    if found is None:
        return Outcome(None)
    team, kind = found
    after, owed = held, list[Message]()
    remind_at = after.reminder_due(kind, policy.reach)
    if remind_at is not None and remind_at <= now:
        after = after.remind(now)
        owed.append(LevelAsked(reminder=True))
    late_at = after.escalation_due(kind, policy.reach)
    if late_at is not None and late_at <= now:
        after = after.escalate(now)
        owed.append(LeadsTold(team.leads))
    if after == held:
        return Outcome(None)
    return Outcome(after, tuple(owed), Swept())
