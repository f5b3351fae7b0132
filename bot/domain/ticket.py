"""A ticket and its lifecycle, an explicit state machine: open → claimed → resolved (→ reopened).

Every step is a pure function of the ticket and the current time: it returns a new ticket with
the step recorded in its audit trail, or raises a DeskError with a friendly sentence and
changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.errors import NotPermitted, Phrase, TransitionNotAllowed
from bot.domain.notices import Level, Notice
from bot.domain.policy import Target
from bot.domain.priority import Priority

REOPEN_WINDOW = timedelta(days=7)


class Status(StrEnum):
    OPEN = "open"  # waiting for an agent
    CLAIMED = "claimed"  # an agent is on it
    WAITING = "waiting"  # the agent asked the requester and waits for the answer (the clock pauses)
    RESOLVED = "resolved"


class Action(StrEnum):
    """What can happen to a ticket; each lands in the trail."""

    OPENED = "opened"
    CLAIMED = "claimed"
    REASSIGNED = "reassigned"
    REPLIED = "replied"  # an agent's words sent to the requester
    NOTE = "note"  # an agent's internal note
    FOLLOW_UP = "follow_up"  # the requester added something
    RESOLVED = "resolved"
    REOPENED = "reopened"
    RATED = "rated"  # the requester rated the help (or commented on it)
    WAITING = "waiting"  # an agent asked the requester and waits for the answer
    REMINDED = "reminded"  # the desk reminded the requester of the question
    PRIORITY = "priority"  # an agent changed the priority: detail "P3->P1"
    MOVED = "moved"  # an agent changed the area: detail "Hardware->Access"
    ASSIGNED = "assigned"  # the desk gave a new ticket to an agent (it is not answered by that)
    APPROVED = "approved"  # an approver said yes before the ticket was opened (`bot.domain.approval`)


# The state machine: which action may start from which status, and where it leads.
# `None` as a target means "stays where it is". Reopen leads back to claimed when the ticket
# still has an assignee (they pick it up again) and to open otherwise.
# Waiting: asking from an open ticket claims it; the requester's answer (a follow-up) puts it
# back to claimed; reassigning keeps it waiting, with the new assignee.
_ANY: dict[Status, Status | None] = {status: None for status in Status}
TRANSITIONS: dict[Action, dict[Status, Status | None]] = {
    Action.CLAIMED: {Status.OPEN: Status.CLAIMED},
    Action.REASSIGNED: {Status.OPEN: Status.CLAIMED, Status.CLAIMED: Status.CLAIMED, Status.WAITING: None},
    Action.RESOLVED: {
        Status.OPEN: Status.RESOLVED,
        Status.CLAIMED: Status.RESOLVED,
        Status.WAITING: Status.RESOLVED,
    },
    Action.REOPENED: {Status.RESOLVED: Status.CLAIMED},
    Action.REPLIED: _ANY,
    Action.NOTE: _ANY,
    Action.FOLLOW_UP: {**_ANY, Status.WAITING: Status.CLAIMED},
    Action.RATED: {Status.RESOLVED: None},
    Action.WAITING: {Status.OPEN: Status.WAITING, Status.CLAIMED: Status.WAITING, Status.WAITING: None},
    Action.REMINDED: {Status.WAITING: None},
    Action.PRIORITY: {status: None for status in Status if status is not Status.RESOLVED},
    Action.MOVED: {status: None for status in Status if status is not Status.RESOLVED},
    Action.ASSIGNED: {Status.OPEN: None},
    Action.APPROVED: {Status.OPEN: None},
}

SCORES = range(1, 6)


@dataclass(frozen=True)
class Rating:
    """How the requester rated the help: one per ticket, the latest click counts."""

    score: int | None  # 1..5; None while only a comment was left
    at: datetime
    comment: str = ""


@dataclass(frozen=True)
class Origin:
    """Where the request was raised and where the desk talks to the requester about it."""

    channel: str
    thread: str | None = None  # the thread the conversation about the ticket lives in
    via: str = "dm"  # dm, mention, command, form, shortcut


@dataclass(frozen=True)
class Wait:
    """A time the ticket waited on the requester: its resolution clock does not count it."""

    since: datetime
    until: datetime | None = None  # None: still waiting
    reminded: bool = False  # the requester was reminded of the question (once)


@dataclass(frozen=True)
class TrailEntry:
    """One line of the audit trail: who did what, when."""

    at: datetime
    actor: str
    action: Action
    detail: str = ""


@dataclass(frozen=True)
class Ticket:
    number: int
    requester: str
    text: str
    category: str
    priority: Priority
    origin: Origin
    opened_at: datetime
    status: Status = Status.OPEN
    assignee: str | None = None
    first_response_at: datetime | None = None  # when an agent first took it: stops that clock
    resolved_at: datetime | None = None
    resolution_note: str = ""
    reopened_at: datetime | None = None
    card: str | None = None  # where the triage card lives (an opaque message reference)
    trail: tuple[TrailEntry, ...] = field(default_factory=tuple)
    notices: tuple[Notice, ...] = ()  # escalations raised, oldest first
    rating: Rating | None = None
    waits: tuple[Wait, ...] = ()  # times spent waiting on the requester, oldest first
    raised_by: str | None = None  # who raised it for the requester (with the shortcut), if not them
    source: str | None = None  # the message it was made from ("channel:ts"), if any
    fields: tuple[tuple[str, str], ...] = ()  # its request type's form: (label, value), in order
    imported_from: str | None = None  # the desk it moved in from and its id there ("zendesk:35436")

    @property
    def is_open(self) -> bool:
        return self.status is not Status.RESOLVED

    def has_notice(self, target: Target, level: Level, since: datetime) -> bool:
        return any(notice.is_for(target, level, since) for notice in self.notices)

    @property
    def owed_notices(self) -> list[Notice]:
        """Notices raised but not yet delivered everywhere they go."""
        return [notice for notice in self.notices if notice.owed]

    def raise_notices(self, notices: list[Notice]) -> Ticket:
        """Record escalations (before they are sent)."""
        return replace(self, notices=(*self.notices, *notices))

    def notice_delivered(self, key: str, destination: str) -> Ticket:
        """Strike `destination` off the notice named `key`: it got there (or never can)."""
        return replace(
            self, notices=tuple(n.delivered(destination) if n.key == key else n for n in self.notices)
        )

    @property
    def waiting_since(self) -> datetime | None:
        """When the current wait on the requester began (None: not waiting)."""
        last = self.waits[-1] if self.waits else None
        return last.since if self.status is Status.WAITING and last and last.until is None else None

    def wait_on_requester(self, agent: str, question: str, now: datetime) -> Ticket:
        """The agent asked the requester and waits for the answer: the resolution clock pauses.
        From an open ticket, the agent takes it too."""
        changes: dict[str, object] = {}
        if self.status is Status.OPEN:
            changes["assignee"] = agent
        if self.waiting_since is None:
            changes["waits"] = (*self.waits, Wait(now))
        return self._step(Action.WAITING, agent, now, detail=question, **changes)

    def close_unanswered(self, note: str, now: datetime) -> Ticket:
        """Nobody answered the question in time: resolved by the desk, the assignee kept; it can
        be reopened like any resolution."""
        return self._step(Action.RESOLVED, "desk", now, detail=note, resolved_at=now, resolution_note=note)

    @property
    def question(self) -> str:
        """What the requester was last asked (waiting on them)."""
        return next((e.detail for e in reversed(self.trail) if e.action is Action.WAITING), "")

    def remind_requester(self, now: datetime) -> Ticket:
        """The desk reminded the requester of the question it waits on (once per wait)."""
        last = self.waits[-1]
        waits = (*self.waits[:-1], replace(last, reminded=True))
        return self._step(Action.REMINDED, "desk", now, waits=waits)

    def change_priority(self, agent: str, priority: Priority, now: datetime) -> Ticket:
        """A new priority: the targets count from opening under it; notices sent stay sent."""
        if priority is self.priority:
            raise TransitionNotAllowed(
                "{ref} is already {priority} · {word}.",
                ticket=self.number,
                priority=priority.value,
                word=Phrase(priority.word),  # the labels' own words: "High" is in the catalogue
            )
        detail = f"{self.priority.value}->{priority.value}"
        return self._step(Action.PRIORITY, agent, now, detail=detail, priority=priority)

    def move(self, agent: str, category: str, now: datetime, *, release: bool = False) -> Ticket:
        """Another area for the ticket. `release`: its assignee does not work there, so it goes
        back to that area's queue unassigned (an answer given stays given)."""
        if category == self.category:
            raise TransitionNotAllowed("{ref} is already in {area}.", ticket=self.number, area=category)
        changes: dict[str, object] = {}
        if release and self.assignee is not None:
            changes.update(assignee=None, status=Status.OPEN)  # a wait on the requester ends too
            if self.waiting_since is not None:
                changes["waits"] = (*self.waits[:-1], replace(self.waits[-1], until=now))
        moved = self._step(Action.MOVED, agent, now, detail=f"{self.category}->{category}", category=category)
        return replace(moved, **changes)  # type: ignore[arg-type]

    def assign(self, agent: str, now: datetime) -> Ticket:
        """The desk gives the new ticket to an agent (SPEC §9). It stays open, and its
        first-response clock runs until the agent claims it or answers."""
        assigned = self._step(Action.ASSIGNED, "desk", now, detail=agent)
        return replace(assigned, assignee=agent)

    @property
    def assigned_only(self) -> bool:
        """Given to an agent by the desk, who has not taken it up yet."""
        return self.status is Status.OPEN and self.assignee is not None

    def claim(self, agent: str, now: datetime) -> Ticket:
        """The agent takes the ticket; the first-response clock stops. A ticket the desk gave
        to someone who has not taken it up yet may be taken by any agent."""
        if self.status in (Status.CLAIMED, Status.WAITING):
            if self.assignee == agent:
                raise TransitionNotAllowed("You already have {ref}.", ticket=self.number)
            raise TransitionNotAllowed(
                "{ref} is already claimed by {person}. Use /desk reassign to hand it over.",
                ticket=self.number,
                person=self.assignee,
            )
        return self._step(Action.CLAIMED, agent, now, assignee=agent)

    def reassign(self, by: str, to: str, now: datetime) -> Ticket:
        """Hand the ticket to another agent (or assign an unclaimed one)."""
        if self.is_open and self.assignee == to:
            raise TransitionNotAllowed("{person} already has {ref}.", ticket=self.number, person=to)
        previous = self.assignee or ""
        return self._step(Action.REASSIGNED, by, now, assignee=to, detail=f"{previous}->{to}")

    def resolve(self, agent: str, note: str, now: datetime) -> Ticket:
        """Close the ticket. Whoever resolves it is credited with it (the rating is about them);
        an unclaimed ticket counts as answered by them."""
        return self._step(
            Action.RESOLVED,
            agent,
            now,
            assignee=agent,
            detail=note,
            resolved_at=now,
            resolution_note=note,
        )

    def reopen(self, by: str, now: datetime) -> Ticket:
        """The problem is back: allowed within REOPEN_WINDOW of the resolution."""
        resolved_at = self.resolved_at if self.status is Status.RESOLVED else None
        if resolved_at is not None and now - resolved_at > REOPEN_WINDOW:
            raise TransitionNotAllowed(
                "{ref} was resolved more than 7 days ago, so it can't be reopened. "
                "Please raise a new request.",
                ticket=self.number,
            )
        target = Status.CLAIMED if self.assignee else Status.OPEN
        return self._step(Action.REOPENED, by, now, status=target, resolved_at=None, reopened_at=now)

    def rate(self, person: str, score: int, now: datetime) -> Ticket:
        """The requester's score for the help, 1..5; a second one replaces the first."""
        self.check_rater(person)
        if score not in SCORES:
            raise TransitionNotAllowed("A rating is a number from 1 to 5.", ticket=self.number)
        comment = self.rating.comment if self.rating else ""
        return self._step(Action.RATED, person, now, detail=str(score), rating=Rating(score, now, comment))

    def comment_on_help(self, person: str, text: str, now: datetime) -> Ticket:
        """The requester's words about the help, kept with the rating."""
        self.check_rater(person)
        score = self.rating.score if self.rating else None
        return self._step(Action.RATED, person, now, detail=text, rating=Rating(score, now, text))

    def survey_closes_at(self, lasts: timedelta) -> datetime | None:
        """When the rating request of the current resolution closes (None: not resolved)."""
        return self.resolved_at + lasts if self.status is Status.RESOLVED and self.resolved_at else None

    def check_survey_open(self, now: datetime, lasts: timedelta) -> None:
        """A rating or comment after the survey closed changes nothing."""
        closes = self.survey_closes_at(lasts)
        if closes is not None and now >= closes:
            raise NotPermitted(
                "This survey about {ref} has closed, so nothing was changed.", ticket=self.number
            )

    def check_rater(self, person: str) -> None:
        """Only the requester may rate the help or comment on it."""
        if person != self.requester:
            raise NotPermitted("Only the person who raised {ref} can rate it.", ticket=self.number)

    def record(self, action: Action, actor: str, text: str, now: datetime) -> Ticket:
        """Add an internal note or a requester's follow-up to the trail."""
        return self._step(action, actor, now, detail=text)

    def reply(self, agent: str, text: str, now: datetime) -> Ticket:
        """An agent's words to the requester: the first response, if none came before. An
        open ticket nobody else was given becomes theirs."""
        if self.status is Status.OPEN and self.assignee in (None, agent):
            return self._step(Action.REPLIED, agent, now, detail=text, assignee=agent, status=Status.CLAIMED)
        answered = self._step(Action.REPLIED, agent, now, detail=text)
        return answered if answered.first_response_at else replace(answered, first_response_at=now)

    def _step(self, action: Action, actor: str, now: datetime, detail: str = "", **changes: object) -> Ticket:
        allowed = TRANSITIONS[action]
        if self.status not in allowed:
            raise TransitionNotAllowed(_REFUSALS[(action, self.status)], ticket=self.number)
        target = allowed[self.status]
        if target is not None:
            changes.setdefault("status", target)
        if "assignee" in changes and self.first_response_at is None:
            changes["first_response_at"] = now
        if self.waiting_since is not None and changes.get("status", Status.WAITING) is not Status.WAITING:
            last = self.waits[-1]  # no longer waiting: the clock counts again from now
            changes["waits"] = (*self.waits[:-1], replace(last, until=now))
        entry = TrailEntry(at=now, actor=actor, action=action, detail=detail)
        return replace(self, trail=(*self.trail, entry), **changes)  # type: ignore[arg-type]


_REFUSALS: dict[tuple[Action, Status], str] = {
    (Action.WAITING, Status.RESOLVED): Phrase("{ref} is resolved, so there is nobody to wait on."),
    (Action.REOPENED, Status.WAITING): Phrase("{ref} is still open, so there is nothing to reopen."),
    (Action.RATED, Status.WAITING): Phrase(
        "{ref} is open again, so it can't be rated now. You'll be asked again once it is resolved."
    ),
    (Action.PRIORITY, Status.RESOLVED): Phrase("{ref} is resolved. Reopen it before changing its priority."),
    (Action.MOVED, Status.RESOLVED): Phrase("{ref} is resolved. Reopen it before moving it."),
    **{
        (Action.REMINDED, status): Phrase("{ref} is not waiting on anyone.")
        for status in Status
        if status is not Status.WAITING
    },
    (Action.CLAIMED, Status.RESOLVED): Phrase("{ref} is already resolved, so there is nothing to claim."),
    (Action.REASSIGNED, Status.RESOLVED): Phrase("{ref} is resolved. Reopen it before reassigning it."),
    (Action.RESOLVED, Status.RESOLVED): Phrase("{ref} is already resolved."),
    (Action.REOPENED, Status.OPEN): Phrase("{ref} is still open, so there is nothing to reopen."),
    (Action.REOPENED, Status.CLAIMED): Phrase("{ref} is still open, so there is nothing to reopen."),
    (Action.RATED, Status.OPEN): Phrase(
        "{ref} is open again, so it can't be rated now. You'll be asked again once it is resolved."
    ),
    (Action.RATED, Status.CLAIMED): Phrase(
        "{ref} is open again, so it can't be rated now. You'll be asked again once it is resolved."
    ),
}


def open_ticket(
    number: int,
    requester: str,
    text: str,
    category: str,
    priority: Priority,
    origin: Origin,
    now: datetime,
    *,
    raised_by: str | None = None,
    source: str | None = None,
) -> Ticket:
    """A new ticket, its first trail entry saying who raised it and how."""
    entry = TrailEntry(at=now, actor=raised_by or requester, action=Action.OPENED, detail=origin.via)
    return Ticket(
        number=number,
        requester=requester,
        text=text,
        category=category,
        priority=priority,
        origin=origin,
        opened_at=now,
        trail=(entry,),
        raised_by=raised_by,
        source=source,
    )
