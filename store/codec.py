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
    when = _parse(at)
    assert when is not None
    return Rating(score, when, comment)


def _notice_to_doc(notice: Notice) -> list[Any]:
    when = [_time(notice.since), _time(notice.due_at), _time(notice.raised_at)]
    return [notice.target.value, notice.level.value, *when, notice.late, list(notice.owed)]


def _notice_from_doc(doc: list[Any]) -> Notice:
    target, level, since, due_at, raised_at, late, owed = doc
    started, due, raised = _parse(since), _parse(due_at), _parse(raised_at)
    assert started is not None and due is not None and raised is not None
    return Notice(Target(target), Level(level), started, due, raised, bool(late), tuple(owed))


def ticket_from_doc(doc: dict[str, Any]) -> Ticket:
    channel, thread, via = doc["origin"]
    opened = _parse(doc["opened_at"])
    assert opened is not None
    return Ticket(
        number=int(doc["number"]),
        requester=doc["requester"],
        text=doc["text"],
        category=doc["category"],
        priority=Priority(doc["priority"]),
        origin=Origin(channel, thread, via),
        opened_at=opened,
        status=Status(doc["status"]),
        assignee=doc["assignee"],
        first_response_at=_parse(doc["first_response_at"]),
        resolved_at=_parse(doc["resolved_at"]),
        resolution_note=doc["resolution_note"],
        reopened_at=_parse(doc["reopened_at"]),
        card=doc["card"],
        trail=tuple(
            TrailEntry(at=_parse(at) or opened, actor=actor, action=Action(action), detail=detail)
            for at, actor, action, detail in doc["trail"]
        ),
        notices=tuple(_notice_from_doc(n) for n in doc.get("notices", ())),
        rating=_rating_from_doc(doc.get("rating")),
        waits=tuple(_wait_from_doc(w) for w in doc.get("waits", ())),
        raised_by=doc.get("raised_by"),
        source=doc.get("source"),
        fields=tuple((label, value) for label, value in doc.get("fields", ())),
        imported_from=doc.get("imported"),
    )


def _wait_from_doc(doc: list[Any]) -> Wait:
    since, until, reminded = doc
    started = _parse(since)
    assert started is not None
    return Wait(started, _parse(until), bool(reminded))


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
