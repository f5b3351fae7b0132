"""Request types and their approval chains: a request held until the right people say yes.

A request of a type with an `approval` list waits as an `Approval` (state `awaiting_approval`)
before it becomes a ticket: level by level, the people of the pending level decide; a level
needs one of them or all. Approved at the last level, it becomes a ticket in its team's queue;
denied at any level, it closes as denied. Who may decide was fixed when the request was made,
from the config and the form (never from a click's payload), and is checked here.

Every function is pure: the current time is an argument, a step returns a new `Approval` with
the step in its trail, or raises a `DeskError` and changes nothing.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.errors import NotPermitted, TransitionNotAllowed
from bot.domain.priority import Priority

MODAL_INPUTS = 8  # fields a type's form may hold beside the request's own summary (Slack: 100 blocks)
REASON_LIMIT = 500


class Kind(StrEnum):
    """What a form field asks for."""

    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    SELECT = "select"
    PERSON = "person"
    DATE = "date"
    NUMBER = "number"


class Need(StrEnum):
    ONE = "one"  # one of the level's approvers is enough
    ALL = "all"  # every one of them must approve


class State(StrEnum):
    AWAITING = "awaiting_approval"
    APPROVED = "approved"
    DENIED = "denied"


@dataclass(frozen=True)
class FormField:
    key: str
    label: str
    kind: Kind
    required: bool = True
    options: tuple[str, ...] = ()  # a select's choices


@dataclass(frozen=True)
class Level:
    """Who approves at one level: fixed people, a user group's members, or the person named in a
    person field of the form."""

    approvers: tuple[str, ...] = ()
    usergroup: str | None = None
    field: str | None = None
    need: Need = Need.ONE


@dataclass(frozen=True)
class RequestType:
    name: str
    description: str
    fields: tuple[FormField, ...]
    priority: Priority
    area: str
    approval: tuple[Level, ...] = ()
    self_approval: bool = False
    reminder: timedelta = timedelta(days=1)  # an approver reminded once after this (business time)
    limit: timedelta = timedelta(days=3)  # the leads told once when a request waits longer

    def field(self, key: str) -> FormField | None:
        return next((f for f in self.fields if f.key == key), None)


@dataclass(frozen=True)
class Step:
    """One line of a request's approval trail."""

    at: datetime
    actor: str
    action: str  # requested, approved, denied, reminded, escalated
    detail: str = ""


@dataclass(frozen=True)
class Approval:
    """A request waiting for approval (and, once decided, how it ended)."""

    id: str
    requester: str
    type_name: str
    category: str
    priority: Priority
    text: str
    fields: tuple[tuple[str, str], ...]  # (label, value as shown: a person as their user id)
    chain: tuple[tuple[str, ...], ...]  # each level's approvers, fixed when it was requested
    needs: tuple[Need, ...]
    requested_at: datetime
    state: State = State.AWAITING
    level: int = 0  # the level deciding now
    level_since: datetime | None = None
    approved_by: tuple[str, ...] = ()  # at the current level, so far
    reminded: int = -1  # the last level whose approvers were reminded
    escalated: bool = False  # the leads were told it is older than its limit
    decided_at: datetime | None = None
    reason: str = ""  # why it was denied
    ticket: int | None = None  # the ticket it became
    trail: tuple[Step, ...] = field(default_factory=tuple)

    @property
    def pending(self) -> bool:
        return self.state is State.AWAITING

    @property
    def ref(self) -> str:
        """How people name the request before it is a ticket (it has no ticket number yet):
        `R-` and the start of its id, in the requester's and approvers' DMs, Homes and /queue."""
        return f"R-{self.id[:6].upper()}"

    @property
    def deciders(self) -> tuple[str, ...]:
        """Who may decide now: the current level's approvers who have not approved yet."""
        if not self.pending:
            return ()
        return tuple(p for p in self.chain[self.level] if p not in self.approved_by)

    @property
    def since(self) -> datetime:
        return self.level_since or self.requested_at

    def decide(self, person: str, approve: bool, reason: str, now: datetime) -> Approval:
        """`person` approves or denies at the current level. Only the level's approvers may; a
        denial needs a reason. An approval that completes the last level approves the request."""
        if not self.pending:
            if self.state is State.APPROVED:
                raise TransitionNotAllowed("This request was already approved, so nothing changed.")
            raise TransitionNotAllowed("This request was already denied, so nothing changed.")
        if person not in self.chain[self.level] and any(
            person in level for level in self.chain[: self.level]
        ):
            raise TransitionNotAllowed("Your level of this request is decided already, so nothing changed.")
        if person not in self.chain[self.level]:
            raise NotPermitted("You are not an approver of this request, so nothing changed.")
        if person in self.approved_by:
            raise TransitionNotAllowed("You have already approved this request.")
        reason = reason.strip()[:REASON_LIMIT]
        if not approve:
            if not reason:
                raise TransitionNotAllowed("Please say why you deny the request.")
            step = Step(now, person, "denied", reason)
            return replace(self, state=State.DENIED, decided_at=now, reason=reason, trail=(*self.trail, step))
        step = Step(now, person, "approved", f"level {self.level + 1}" + (f": {reason}" if reason else ""))
        done = (*self.approved_by, person)
        level_done = self.needs[self.level] is Need.ONE or set(done) >= set(self.chain[self.level])
        if not level_done:
            return replace(self, approved_by=done, trail=(*self.trail, step))
        if self.level + 1 < len(self.chain):
            return replace(
                self, level=self.level + 1, level_since=now, approved_by=(), trail=(*self.trail, step)
            )
        return replace(
            self, state=State.APPROVED, approved_by=done, decided_at=now, trail=(*self.trail, step)
        )

    def check_editable(self) -> None:
        """The fields are locked while approval is pending: approvers approve what they saw."""
        if self.pending:
            raise TransitionNotAllowed(
                "This request is waiting for approval, so its fields are locked. "
                "Ask the approver to deny it and raise a new one to change them."
            )

    def reminder_due(
        self, kind: RequestType, reach: Callable[[datetime, timedelta], datetime]
    ) -> datetime | None:
        """When the current level's approvers are to be reminded (None: done, or not pending).
        `reach(start, span)` counts `span` on the desk's working calendar."""
        if not self.pending or self.reminded >= self.level:
            return None
        return reach(self.since, kind.reminder)

    def escalation_due(
        self, kind: RequestType, reach: Callable[[datetime, timedelta], datetime]
    ) -> datetime | None:
        """When the leads are told the request waits too long (None: told, or not pending)."""
        if not self.pending or self.escalated:
            return None
        return reach(self.requested_at, kind.limit)

    def remind(self, now: datetime) -> Approval:
        step = Step(now, "desk", "reminded", ", ".join(self.deciders))
        return replace(self, reminded=self.level, trail=(*self.trail, step))

    def escalate(self, now: datetime) -> Approval:
        return replace(self, escalated=True, trail=(*self.trail, Step(now, "desk", "escalated")))

    def became(self, number: int) -> Approval:
        return replace(self, ticket=number)


def chain_for(
    kind: RequestType,
    requester: str,
    values: dict[str, str],
    members: Callable[[str], tuple[str, ...]] = lambda group: (),
) -> tuple[tuple[str, ...], ...]:
    """Each level's approvers for a request of `kind` with these form values: fixed people, a
    user group's `members`, or the person a field names. Unless the type allows it, the
    requester never approves their own request. A level left with nobody raises, saying why."""
    chain: list[tuple[str, ...]] = []
    for number, level in enumerate(kind.approval, start=1):
        people = list(level.approvers)
        if level.usergroup:
            people += members(level.usergroup)
        if level.field and values.get(level.field):
            people.append(values[level.field])
        if not kind.self_approval:
            people = [p for p in people if p != requester]
        if not people:
            asked = kind.field(level.field) if level.field else None
            named = asked.label if asked else ""
            if named and values.get(level.field or "") == requester:
                raise NotPermitted(
                    "You can't approve your own request: choose someone else as “{field}”.", field=named
                )
            raise NotPermitted(
                "Nobody can approve level {level} of this request, so it can't be raised.", level=number
            )
        chain.append(tuple(dict.fromkeys(people)))
    return tuple(chain)


def request(
    id: str,
    kind: RequestType,
    requester: str,
    category: str,
    text: str,
    values: dict[str, str],
    chain: tuple[tuple[str, ...], ...],
    now: datetime,
) -> Approval:
    """A new request of `kind`, waiting at its first level."""
    shown = tuple((f.label, values[f.key]) for f in kind.fields if values.get(f.key))
    return Approval(
        id=id,
        requester=requester,
        type_name=kind.name,
        category=category,
        priority=kind.priority,
        text=text,
        fields=shown,
        chain=chain,
        needs=tuple(level.need for level in kind.approval),
        requested_at=now,
        level_since=now,
        trail=(Step(now, requester, "requested", kind.name),),
    )


def percentile(values: list[timedelta], share: float) -> timedelta | None:
    """The `share` percentile (nearest rank) of approval times; None for none."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1))
    return ordered[rank]


@dataclass(frozen=True)
class ApprovalFigures:
    """How approvals went for leads: time to a decision (p50, p90) of those decided in a period,
    and how many wait now."""

    decided: int
    p50: timedelta | None
    p90: timedelta | None
    pending: int

    @property
    def any(self) -> bool:
        return bool(self.decided or self.pending)


def approval_figures(
    held: list[Approval], since: datetime, until: datetime, categories: tuple[str, ...] | None = None
) -> ApprovalFigures:
    """The figures over requests of `categories` (every one for None)."""
    theirs = [a for a in held if categories is None or a.category in categories]
    times = [
        a.decided_at - a.requested_at
        for a in theirs
        if a.decided_at is not None and since <= a.decided_at < until
    ]
    pending = sum(1 for a in theirs if a.pending)
    return ApprovalFigures(len(times), percentile(times, 0.5), percentile(times, 0.9), pending)
