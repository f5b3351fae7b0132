"""`import jira`: a Jira Service Management project's issues, exported as CSV with comments.

Jira's "Export > Export CSV (all fields)" writes one row per issue, repeating a column once per
value: `Comment` holds `date;author's account id;text`, one column each
(https://support.atlassian.com/jira-software-cloud/docs/export-issues/ and, for the columns
and the comment format, https://support.atlassian.com/jira-cloud-administration/docs/import-data-from-a-csv-file/).
Times are written as `dd/MMM/yy h:mm AM` in the exporter's zone, with no offset: they are read
in the desk's zone. People are their display names (`Reporter`, `Assignee`); comment authors,
named by account id, are found through the `Reporter Id` and `Assignee Id` columns.

Statuses: Open, To Do, New and Waiting for support are open (claimed when someone has it);
In Progress, Escalated and Work in progress claimed; Waiting for customer and Pending wait on
the requester; Resolved, Closed, Done, Canceled and Declined are resolved. Priorities: Highest
(Blocker, Critical) P1, High (Major) P2, Medium P3, Low and Lowest (Minor, Trivial) P4. The
area is the request type, else the first component, else the issue type. A 1..5
`Satisfaction` custom field is the rating.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC, datetime, tzinfo
from typing import TextIO

from bot.domain.priority import Priority
from bot.domain.ticket import Status
from bot.moving_in.records import BadFile, BadValue, Comment, ImportedTicket, Parsed, Problem

FORMATS = ("%d/%b/%y %I:%M %p", "%d/%b/%Y %I:%M %p", "%Y-%m-%d %H:%M", "%d/%b/%y %H:%M")
STATES = {
    "open": Status.OPEN,
    "to do": Status.OPEN,
    "new": Status.OPEN,
    "waiting for support": Status.OPEN,
    "in progress": Status.CLAIMED,
    "work in progress": Status.CLAIMED,
    "escalated": Status.CLAIMED,
    "waiting for customer": Status.WAITING,
    "pending": Status.WAITING,
    "resolved": Status.RESOLVED,
    "closed": Status.RESOLVED,
    "done": Status.RESOLVED,
    "canceled": Status.RESOLVED,
    "cancelled": Status.RESOLVED,
    "declined": Status.RESOLVED,
}
PRIORITIES = {
    "highest": Priority.P1,
    "blocker": Priority.P1,
    "critical": Priority.P1,
    "high": Priority.P2,
    "major": Priority.P2,
    "medium": Priority.P3,
    "low": Priority.P4,
    "lowest": Priority.P4,
    "minor": Priority.P4,
    "trivial": Priority.P4,
}
SATISFACTION = ("Satisfaction", "Custom field (Satisfaction)", "Customer satisfaction")
AREA = ("Custom field (Request Type)", "Request Type", "Component/s", "Issue Type")
KNOWN = {
    "Summary",
    "Issue key",
    "Issue id",
    "Status",
    "Priority",
    "Assignee",
    "Assignee Id",
    "Reporter",
    "Reporter Id",
    "Creator",
    "Creator Id",
    "Created",
    "Updated",
    "Resolved",
    "Resolution",
    "Description",
    "Comment",
    "Project key",
    "Project name",
    "Project type",
    "Status Category",
    "Status Category Changed",
    "Last Viewed",
    "Custom field (Satisfaction date)",
    *SATISFACTION,
    *AREA,
}


def when(text: str, zone: tzinfo) -> datetime:
    value = text.strip()
    for form in FORMATS:
        try:
            return datetime.strptime(value, form).replace(tzinfo=zone)
        except ValueError:
            continue
    try:
        found = datetime.fromisoformat(value)
    except ValueError:
        raise BadValue(f"{text!r} is not a Jira time (like 12/Mar/24 10:15 AM)") from None
    return found if found.tzinfo else found.replace(tzinfo=zone)


def parse(handle: TextIO, zone: tzinfo = UTC) -> Iterator[Parsed]:
    reader = csv.reader(handle)
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        raise BadFile("the file is empty") from None
    except csv.Error as problem:
        raise BadFile(f"not CSV ({problem})", 1) from None
    for needed in ("Issue key", "Summary", "Status", "Reporter", "Created"):
        if needed not in header:
            raise BadFile(f"no {needed!r} column: not a Jira CSV export", 1)
    rows: list[tuple[int, list[str]]] = []
    while True:
        start = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as problem:
            rows.append((start, [f"\x00not CSV ({problem})"]))
            break
        if any(v.strip() for v in values):
            rows.append((start, values))
    accounts = _accounts(header, rows)
    for line, values in rows:
        if values and values[0].startswith("\x00"):
            yield Problem(line, values[0][1:])
            continue
        if len(values) != len(header):
            yield Problem(line, f"{len(values)} values for {len(header)} columns")
            continue
        try:
            yield _ticket(header, values, line, zone, accounts)
        except BadValue as problem:
            yield Problem(line, str(problem), _first(header, values, "Issue key"))


def _accounts(header: list[str], rows: list[tuple[int, list[str]]]) -> dict[str, str]:
    """Account id -> display name, from the people columns beside their id columns."""
    found: dict[str, str] = {}
    for role in ("Reporter", "Assignee", "Creator"):
        if role in header and f"{role} Id" in header:
            name, ident = header.index(role), header.index(f"{role} Id")
            for _, values in rows:
                if len(values) == len(header) and values[ident].strip() and values[name].strip():
                    found[values[ident].strip()] = values[name].strip()
    return found


def _first(header: list[str], values: list[str], name: str) -> str:
    return next((v.strip() for h, v in zip(header, values, strict=False) if h == name and v.strip()), "")


def _ticket(
    header: list[str], values: list[str], line: int, zone: tzinfo, accounts: dict[str, str]
) -> ImportedTicket:
    def get(name: str) -> str:
        return _first(header, values, name)

    key = get("Issue key")
    if not key:
        raise BadValue("Issue key is empty")
    requester = get("Reporter")
    if not requester:
        raise BadValue("Reporter is empty")
    status = STATES.get(get("Status").casefold())
    if status is None:
        raise BadValue(f"status {get('Status')!r} is not one the desk can place")
    priority = PRIORITIES.get((get("Priority") or "medium").casefold())
    if priority is None:
        raise BadValue(f"priority {get('Priority')!r} is not a Jira priority")
    opened = when(get("Created"), zone)
    updated = when(get("Updated"), zone) if get("Updated") else opened
    assignee = get("Assignee") or None
    if status is Status.OPEN and assignee:
        status = Status.CLAIMED
    comments = []
    for column, value in zip(header, values, strict=True):
        if column != "Comment" or not value.strip():
            continue
        stamp, _, rest = value.partition(";")
        author, _, text = rest.partition(";")
        comments.append(Comment(when(stamp, zone), accounts.get(author.strip(), author.strip()), text))
    comments.sort(key=lambda c: c.at)
    resolved = None
    if status is Status.RESOLVED:
        resolved = when(get("Resolved"), zone) if get("Resolved") else updated
    first = next((c.at for c in comments if c.author != requester), None)
    if first is None and assignee and status is not Status.OPEN:
        first = resolved or updated
    score = next((get(name) for name in SATISFACTION if get(name)), "")
    if score and not (score.isdigit() and 1 <= int(score) <= 5):
        raise BadValue(f"satisfaction {score!r} is not a number from 1 to 5")
    summary, description = get("Summary"), get("Description")
    return ImportedTicket(
        source="jira",
        source_id=key,
        line=line,
        requester=requester,
        text=f"{summary}\n\n{description}".strip() if description else summary,
        area=next((get(name) for name in AREA if get(name)), ""),
        priority=priority,
        status=status,
        opened_at=opened,
        updated_at=updated,
        assignee=assignee,
        first_response_at=first,
        resolved_at=resolved,
        rating=int(score) if score else None,
        comments=tuple(comments),
        unplaced=tuple(
            sorted({h for h, v in zip(header, values, strict=True) if h not in KNOWN and v.strip()})
        ),
    )
