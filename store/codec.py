"""Tickets and intake drafts as JSON-ready documents and back. Times are stored as ISO 8601 in UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.domain.intake import Draft, Stage, Suggestion
from bot.domain.notices import Level, Notice
from bot.domain.policy import Target
from bot.domain.priority import Priority
from bot.domain.storm import Storm
from bot.domain.ticket import Action, Origin, Rating, Status, Ticket, TrailEntry, Wait

FORMAT_VERSION = 1
# The enums' members by value: a dict look-up, where calling the enum (`Status("open")`) goes
# through `EnumType.__call__` (a desk decodes its whole window at start, 20k tickets or more).
_PRIORITY = {member.value: member for member in Priority}
_STATUS = {member.value: member for member in Status}
_ACTION = {member.value: member for member in Action}
_TARGET = {member.value: member for member in Target}
_LEVEL = {member.value: member for member in Level}


def _made(cls: type[Any], fields: dict[str, Any]) -> Any:
    """An instance of the frozen dataclass `cls` with every one of its `fields` given, made
    without its `__init__` (which sets each field through `object.__setattr__`: half the cost
    of decoding a ticket). The same object as `cls(**fields)`: these classes check nothing
    at init (`tests/test_ticket.py` holds them to that)."""
    made = object.__new__(cls)
    made.__dict__.update(fields)
    return made


def _time(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def ticket_to_doc(ticket: Ticket) -> dict[str, Any]:
    return {
        "v": FORMAT_VERSION,
        "number": ticket.number,
        "requester": ticket.requester,
        "text": ticket.text,
        "category": ticket.category,
        "priority": ticket.priority.value,
        "origin": [ticket.origin.channel, ticket.origin.thread, ticket.origin.via],
        "opened_at": _time(ticket.opened_at),
        "status": ticket.status.value,
        "assignee": ticket.assignee,
        "first_response_at": _time(ticket.first_response_at),
        "resolved_at": _time(ticket.resolved_at),
        "resolution_note": ticket.resolution_note,
        "reopened_at": _time(ticket.reopened_at),
        "card": ticket.card,
        "trail": [[_time(e.at), e.actor, e.action.value, e.detail] for e in ticket.trail],
        "notices": [_notice_to_doc(n) for n in ticket.notices],
        "rating": _rating_to_doc(ticket.rating),
        "waits": [[_time(w.since), _time(w.until), w.reminded] for w in ticket.waits],
        "raised_by": ticket.raised_by,
        "source": ticket.source,
        **({"fields": [list(f) for f in ticket.fields]} if ticket.fields else {}),
        **({"imported": ticket.imported_from} if ticket.imported_from else {}),
    }


def _rating_to_doc(rating: Rating | None) -> list[Any] | None:
    return None if rating is None else [rating.score, _time(rating.at), rating.comment]


def _rating_from_doc(doc: list[Any] | None) -> Rating | None:
    if doc is None:
        return None
    score, at, comment = doc
    return Rating(score, datetime.fromisoformat(at), comment)


def _notice_to_doc(notice: Notice) -> list[Any]:
    when = [_time(notice.since), _time(notice.due_at), _time(notice.raised_at)]
    return [notice.target.value, notice.level.value, *when, notice.late, list(notice.owed)]


def _notice_from_doc(doc: list[Any]) -> Notice:
    target, level, since, due_at, raised_at, late, owed = doc
    parse = datetime.fromisoformat  # (each of the three is always there: a TypeError if not)
    return Notice(
        _TARGET[target], _LEVEL[level], parse(since), parse(due_at), parse(raised_at), bool(late), tuple(owed)
    )


def ticket_from_doc(doc: dict[str, Any]) -> Ticket:
    """The ticket a document holds. The window's decoding at start (issue 37): the enums by
    look-up, the dataclasses made without their `__init__` (`_made`), and each time string
    parsed once however often the trail repeats it."""
    channel, thread, via = doc["origin"]
    parsed: dict[str, datetime] = {}

    def parse(text: str) -> datetime:
        found = parsed.get(text)
        if found is None:
            found = parsed[text] = datetime.fromisoformat(text)
        return found

    opened = parse(doc["opened_at"])
    first, resolved, reopened = doc["first_response_at"], doc["resolved_at"], doc["reopened_at"]
    get = doc.get
    trail = tuple(
        _made(
            TrailEntry,
            {"at": parse(at) if at else opened, "actor": actor, "action": _ACTION[action], "detail": detail},
        )
        for at, actor, action, detail in doc["trail"]
    )
    notices, rating, waits, fields = get("notices"), get("rating"), get("waits"), get("fields")
    return _made(
        Ticket,
        {
            "number": int(doc["number"]),
            "requester": doc["requester"],
            "text": doc["text"],
            "category": doc["category"],
            "priority": _PRIORITY[doc["priority"]],
            "origin": _made(Origin, {"channel": channel, "thread": thread, "via": via}),
            "opened_at": opened,
            "status": _STATUS[doc["status"]],
            "assignee": doc["assignee"],
            "first_response_at": parse(first) if first else None,
            "resolved_at": parse(resolved) if resolved else None,
            "resolution_note": doc["resolution_note"],
            "reopened_at": parse(reopened) if reopened else None,
            "card": doc["card"],
            "trail": trail,
            "notices": tuple(_notice_from_doc(n) for n in notices) if notices else (),
            "rating": _rating_from_doc(rating),
            "waits": tuple(_wait_from_doc(w) for w in waits) if waits else (),
            "raised_by": get("raised_by"),
            "source": get("source"),
            "fields": tuple((label, value) for label, value in fields) if fields else (),
            "imported_from": get("imported"),
        },
    )


def _wait_from_doc(doc: list[Any]) -> Wait:
    since, until, reminded = doc
    return Wait(datetime.fromisoformat(since), _parse(until), bool(reminded))


def draft_to_doc(draft: Draft) -> dict[str, Any]:
    return {
        "v": FORMAT_VERSION,
        "id": draft.id,
        "person": draft.person,
        "channel": draft.channel,
        "thread": draft.thread,
        "via": draft.via,
        "text": draft.text,
        "stage": draft.stage.value,
        "started_at": _time(draft.started_at),
        "touched_at": _time(draft.touched_at),
        "category": draft.category,
        "priority": draft.priority.value if draft.priority else None,
        "prompt": draft.prompt,
        "ticket": draft.ticket,
        "aside": list(draft.aside),
        "for_person": draft.for_person,
        "source": draft.source,
        "suggested": [[x.id, x.title, x.answer] for x in draft.suggested],
        "solved_by": draft.solved_by,
        "kind": draft.kind,
    }


def draft_from_doc(doc: dict[str, Any]) -> Draft:
    started, touched = _parse(doc["started_at"]), _parse(doc["touched_at"])
    assert started is not None and touched is not None
    return Draft(
        id=doc["id"],
        person=doc["person"],
        channel=doc["channel"],
        thread=doc["thread"],
        via=doc["via"],
        text=doc["text"],
        stage=Stage(doc["stage"]),
        started_at=started,
        touched_at=touched,
        category=doc["category"],
        priority=Priority(doc["priority"]) if doc["priority"] else None,
        prompt=doc["prompt"],
        ticket=doc["ticket"],
        aside=tuple(doc.get("aside", ())),
        for_person=doc.get("for_person"),
        source=doc.get("source"),
        suggested=tuple(Suggestion(*x) for x in doc.get("suggested", ())),
        solved_by=doc.get("solved_by"),
        kind=doc.get("kind"),
    )


def storm_to_doc(storm: Storm) -> dict[str, Any]:
    return {
        "v": FORMAT_VERSION,
        "key": storm.key,
        "started_at": _time(storm.started_at),
        "last_at": _time(storm.last_at),
        "tickets": list(storm.tickets),
        "card": storm.card,
    }


def storm_from_doc(doc: dict[str, Any]) -> Storm:
    started, last = _parse(doc["started_at"]), _parse(doc["last_at"])
    assert started is not None and last is not None
    return Storm(doc["key"], started, last, tuple(int(n) for n in doc["tickets"]), doc.get("card"))
