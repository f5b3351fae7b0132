"""`import zendesk`: Zendesk tickets as JSON, with their comments and satisfaction ratings.

Two shapes are read, both made of Zendesk's ticket objects
(https://developer.zendesk.com/api-reference/ticketing/tickets/tickets/):
- a page of the incremental ticket export with users (and groups) side-loaded
  (`GET /api/v2/incremental/tickets/cursor.json?include=users,groups`,
  https://developer.zendesk.com/api-reference/ticketing/ticket-management/incremental_exports/),
  each ticket carrying its `comments` as the Ticket Comments API lists them
  (https://developer.zendesk.com/api-reference/ticketing/tickets/ticket_comments/);
- the same tickets one JSON object a line (NDJSON, as the account's JSON data export writes them).

Zendesk's ratings are good or bad (`satisfaction_rating.score`); the desk counts good as 5 and
bad as 1. Statuses: new and open are open (claimed when someone has it), pending waits on the
requester, on-hold is claimed, solved and closed are resolved. Priorities: urgent P1, high P2,
normal P3 (also when unset), low P4. The area is the ticket's group's name, else its type.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, TextIO

from bot.domain.priority import Priority
from bot.domain.ticket import Status
from bot.moving_in.records import (
    BadFile,
    BadValue,
    Comment,
    ImportedTicket,
    Parsed,
    Problem,
    maybe_moment,
    moment,
)

STATES = {
    "new": Status.OPEN,
    "open": Status.OPEN,
    "pending": Status.WAITING,
    "hold": Status.CLAIMED,
    "solved": Status.RESOLVED,
    "closed": Status.RESOLVED,
}
PRIORITIES = {"urgent": Priority.P1, "high": Priority.P2, "normal": Priority.P3, "low": Priority.P4}
IDS = re.compile(r'"id"\s*:\s*("[^"]*"|-?\d+)')  # where each ticket's id is written
SCORES = {"good": 5, "bad": 1}  # "offered" and "unoffered": asked, not answered
KNOWN = {
    "id",
    "url",
    "created_at",
    "updated_at",
    "subject",
    "raw_subject",
    "description",
    "status",
    "priority",
    "requester_id",
    "submitter_id",
    "assignee_id",
    "group_id",
    "type",
    "satisfaction_rating",
    "comments",
    "metric_set",
    "generated_timestamp",
    "is_public",
    "allow_channelback",
    "allow_attachments",
    "brand_id",
    "ticket_form_id",
    "from_messaging_channel",
    "has_incidents",
    "encoded_id",
    "requester",  # an inline person: {"name", "email"} (some exports)
}


def _people(users: list[dict[str, Any]]) -> dict[Any, tuple[str, str]]:
    """Zendesk user id -> (how the desk names them: the e-mail, else the name; full name)."""
    found = {}
    for user in users:
        name = str(user.get("name") or "")
        found[user.get("id")] = (str(user.get("email") or name or f"zendesk-user-{user.get('id')}"), name)
    return found


def _items(text: str) -> tuple[list[tuple[int, Any]], dict[Any, tuple[str, str]], dict[Any, str]]:
    """(line, ticket) pairs, the people by id and the groups by id, from either shape."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as problem:
        first = text.lstrip().split("\n", 1)[0]
        if problem.msg != "Extra data" and not _one_object(first):
            raise BadFile(f"not JSON ({problem.msg})", problem.lineno) from None
        document = None  # one ticket a line
    if isinstance(document, list) or (isinstance(document, dict) and "tickets" in document):
        tickets = document if isinstance(document, list) else document.get("tickets")
        if not isinstance(tickets, list):
            raise BadFile('no "tickets" list: not a Zendesk ticket export', 1)
        users = document.get("users", []) if isinstance(document, dict) else []
        groups = document.get("groups", []) if isinstance(document, dict) else []
        return _placed(text, tickets), _people(users), {g.get("id"): str(g.get("name", "")) for g in groups}
    items = []
    people: dict[Any, tuple[str, str]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as problem:
            items.append((number, problem))  # a broken line is that line's problem
            continue
        if isinstance(item, dict) and "id" not in item and item.get("users"):
            people.update(_people(item["users"]))  # a line of side-loaded people
            continue
        items.append((number, item))
    return items, people, {}


def _one_object(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except json.JSONDecodeError:
        return False


def _placed(text: str, tickets: list[Any]) -> list[tuple[int, Any]]:
    """Each ticket with the line its `"id"` is on (tickets are in the file in order)."""
    placed, at, line = [], 0, 1
    for ticket in tickets:
        ident = ticket.get("id") if isinstance(ticket, dict) else None
        wanted = json.dumps(ident)
        found = IDS.search(text, at)
        while found and found.group(1) != wanted:
            found = IDS.search(text, found.end())
        if found:
            line += text.count("\n", at, found.end())  # counted once, as the search moves on
            at = found.end()
        placed.append((line, ticket))
    return placed


def parse(handle: TextIO) -> Iterator[Parsed]:
    items, people, groups = _items(handle.read())
    for line, item in items:
        if isinstance(item, json.JSONDecodeError):
            yield Problem(line, f"not JSON ({item.msg})")
            continue
        if not isinstance(item, dict) or "id" not in item:
            yield Problem(line, "not a Zendesk ticket (no id)")
            continue
        try:
            yield _ticket(item, line, people, groups)
        except BadValue as problem:
            yield Problem(line, str(problem), str(item.get("id")))


def _ticket(
    item: dict[str, Any], line: int, people: dict[Any, tuple[str, str]], groups: dict[Any, str]
) -> ImportedTicket:
    names: dict[str, str] = {}

    def person(ident: Any) -> str:
        if ident is None:
            return ""
        key, name = people.get(ident, (f"zendesk-user-{ident}", ""))
        if name:
            names[key] = name
        return key

    inline = item.get("requester") if isinstance(item.get("requester"), dict) else None
    requester = str(inline.get("email") or inline.get("name")) if inline else person(item.get("requester_id"))
    if not requester:
        raise BadValue("no requester_id")
    status = STATES.get(str(item.get("status", "")).casefold())
    if status is None:
        raise BadValue(f"status {item.get('status')!r} is not a Zendesk status")
    priority = PRIORITIES.get(str(item.get("priority") or "normal").casefold())
    if priority is None:
        raise BadValue(f"priority {item.get('priority')!r} is not a Zendesk priority")
    if not item.get("created_at"):
        raise BadValue("no created_at")
    opened = moment(str(item["created_at"]))
    updated = maybe_moment(item.get("updated_at")) or opened
    assignee = person(item.get("assignee_id")) or None
    if status is Status.OPEN and assignee:
        status = Status.CLAIMED
    comments = tuple(
        Comment(
            at=moment(str(c.get("created_at") or opened.isoformat())),
            author=person(c.get("author_id")) or requester,
            text=str(c.get("body") or c.get("plain_body") or ""),
            public=bool(c.get("public", True)),
        )
        for c in item.get("comments") or ()
    )
    first = next((c.at for c in comments if c.public and c.author != requester), None)
    metrics = item.get("metric_set") or {}
    resolved = maybe_moment(metrics.get("solved_at")) or updated if status is Status.RESOLVED else None
    if first is None and assignee and status is not Status.OPEN:
        first = maybe_moment(metrics.get("assigned_at")) or resolved or updated
    rating = item.get("satisfaction_rating") or {}
    subject = str(item.get("subject") or item.get("raw_subject") or "")
    body = str(item.get("description") or "")
    text = subject or body
    if subject and body and not body.startswith(subject):
        text = f"{subject}\n\n{body}"
    return ImportedTicket(
        source="zendesk",
        source_id=str(item["id"]),
        line=line,
        requester=requester,
        text=text or "(no description)",
        area=groups.get(item.get("group_id"), "") or str(item.get("type") or ""),
        priority=priority,
        status=status,
        opened_at=opened,
        updated_at=updated,
        assignee=assignee,
        first_response_at=first,
        resolved_at=resolved,
        rating=SCORES.get(str(rating.get("score"))),
        rating_comment=str(rating.get("comment") or "") if rating.get("score") in SCORES else "",
        comments=comments[1:] if comments and comments[0].text.strip() == body.strip() else comments,
        unplaced=tuple(sorted(k for k, v in item.items() if k not in KNOWN and v not in (None, "", [], {}))),
        names=tuple(sorted(names.items())),
    )
