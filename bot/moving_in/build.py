"""An imported record made into the desk's own ticket, pure: its real times, its trail, and its
escalations already handled, so the desk owes nobody anything for its past.

An open ticket enters the queue with its age and its targets counted from its real times;
each escalation level it reached before the move is recorded as raised and delivered (owed
nowhere), so no notice goes out about it; later levels come as for any ticket. A ticket that
waits on its requester waits from the move (the desk reminds them, once, after
`pending.remind_after`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from bot.domain.escalation import EscalationPolicy, due_notices
from bot.domain.notices import Notice
from bot.domain.sla import SlaClock, round_of
from bot.domain.ticket import Action, Origin, Rating, Status, Ticket, TrailEntry, Wait
from bot.moving_in.records import ImportedTicket

VIA = "import"  # how an imported ticket was raised (`Origin.via`)


def area_in(desk_areas: tuple[str, ...], area: str) -> str | None:
    """The desk's area called `area` (without regard to case), or None when it has none."""
    wanted = area.strip().casefold()
    return next((a for a in desk_areas if a.casefold() == wanted), None)


def trail_of(record: ImportedTicket, who: Mapping[str, str]) -> tuple[TrailEntry, ...]:
    """What happened to it, in the desk's words, oldest first."""
    requester = who[record.requester]
    entries = [TrailEntry(record.opened_at, requester, Action.OPENED, VIA)]
    for comment in record.comments:
        author = who.get(comment.author, requester)
        action = (
            Action.FOLLOW_UP if author == requester else Action.REPLIED if comment.public else Action.NOTE
        )
        entries.append(TrailEntry(comment.at, author, action, comment.text))
    assignee = who.get(record.assignee) if record.assignee else None
    if assignee and record.first_response_at:
        entries.append(TrailEntry(record.first_response_at, assignee, Action.CLAIMED))
    if record.resolved_at is not None:
        entries.append(TrailEntry(record.resolved_at, assignee or "desk", Action.RESOLVED))
        if record.rating is not None or record.rating_comment:
            detail = str(record.rating) if record.rating is not None else record.rating_comment
            entries.append(TrailEntry(record.resolved_at, requester, Action.RATED, detail))
    return tuple(sorted(entries, key=lambda e: e.at))


def imported_ticket(
    record: ImportedTicket,
    number: int,
    who: Mapping[str, str],
    category: str,
    clock: SlaClock,
    policy: EscalationPolicy,
    now: datetime,
) -> Ticket:
    """The desk's ticket `number` for `record`, its people found (`who`: key -> person)."""
    requester = who[record.requester]
    assignee = who.get(record.assignee) if record.assignee else None
    status = record.status
    if status in (Status.CLAIMED, Status.WAITING) and assignee is None:
        status = Status.OPEN  # nobody has it here
    first = record.first_response_at
    if first is None and status is not Status.OPEN and assignee is not None:
        first = record.resolved_at or record.updated_at  # taken up then, at the latest
    resolved = record.resolved_at if status is Status.RESOLVED else None
    if status is Status.RESOLVED and first is None:
        first = resolved  # resolving answers it (as `Ticket.resolve` counts it)
    rating = None
    if resolved is not None and (record.rating is not None or record.rating_comment):
        rating = Rating(record.rating, resolved, record.rating_comment)
    ticket = Ticket(
        number=number,
        requester=requester,
        text=record.text,
        category=category,
        priority=record.priority,
        origin=Origin(requester, None, VIA),
        opened_at=record.opened_at,
        status=status,
        assignee=assignee,
        first_response_at=first,
        resolved_at=resolved,
        trail=trail_of(record, who),
        rating=rating,
        waits=(Wait(now),) if status is Status.WAITING else (),
        imported_from=record.key,
    )
    past = tuple(
        Notice(target, level, since, since, since, False, ())
        for target, level in record.escalations
        for since in [round_of(ticket, target)[0]]
    )
    ticket = replace(ticket, notices=past)
    handled = [replace(n, owed=(), late=False) for n in due_notices(ticket, clock, policy, now)]
    return ticket.raise_notices(handled) if handled else ticket
