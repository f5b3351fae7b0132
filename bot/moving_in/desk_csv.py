"""`import csv`: the desk's own export (`python -m bot export --format csv`, `bot.export.COLUMNS`)
or any spreadsheet saved as CSV, its columns named to the desk's fields with `--map column=field`.

The fields are the export's columns. `opened_at`, `requester` and `text` are needed; the
others default (priority P3, status open, the desk's first area). The export's figures
(`*_minutes`, `*_due`, `*_met`) are worked out again from the times, so they are not read.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping
from datetime import UTC, tzinfo
from typing import TextIO

from bot.domain.notices import Level
from bot.domain.policy import Target
from bot.domain.priority import Priority
from bot.domain.ticket import Status
from bot.moving_in.records import BadFile, BadValue, ImportedTicket, Parsed, Problem, maybe_moment, moment

FIELDS = (
    "ticket",
    "opened_at",
    "updated_at",
    "requester",
    "category",
    "priority",
    "status",
    "assignee",
    "first_response_at",
    "resolved_at",
    "escalations",
    "rating",
    "rating_comment",
    "text",
    "imported_from",
)
DERIVED = {f"{t}_{part}" for t in ("first_response", "resolution") for part in ("minutes", "due", "met")}
NEEDED = ("opened_at", "requester", "text")

PRIORITIES = {
    **{p.value.casefold(): p for p in Priority},
    **{p.word.casefold(): p for p in Priority},
    "urgent": Priority.P1,
    "highest": Priority.P1,
    "medium": Priority.P3,
    "lowest": Priority.P4,
}
STATES = {
    **{s.value: s for s in Status},
    "new": Status.OPEN,
    "in progress": Status.CLAIMED,
    "pending": Status.WAITING,
    "solved": Status.RESOLVED,
    "closed": Status.RESOLVED,
    "done": Status.RESOLVED,
}


def read_map(pairs: list[str]) -> dict[str, str]:
    """`--map column=field` pairs as {column: field}; ValueError names a bad one."""
    found: dict[str, str] = {}
    for pair in pairs:
        column, sep, name = pair.partition("=")
        if not sep or not column.strip() or name.strip() not in FIELDS:
            raise ValueError(f"--map {pair}: write it as COLUMN=FIELD, FIELD one of {', '.join(FIELDS)}")
        found[column.strip()] = name.strip()
    return found


def priority_of(text: str) -> Priority:
    if not text.strip():
        return Priority.P3
    found = PRIORITIES.get(text.strip().casefold())
    if found is None:
        raise BadValue(f"priority {text!r} is not one the desk knows (P1..P4)")
    return found


def status_of(text: str) -> Status:
    if not text.strip():
        return Status.OPEN
    found = STATES.get(text.strip().casefold())
    if found is None:
        raise BadValue(f"status {text!r} is not one the desk knows (open, claimed, waiting, resolved)")
    return found


def _escalations(text: str) -> tuple[tuple[Target, Level], ...]:
    found = []
    for word in text.split():
        target, _, level = word.partition(":")
        try:
            found.append((Target(target), Level(level)))
        except ValueError:
            raise BadValue(f"escalation {word!r} is not target:level") from None
    return tuple(found)


def _rating(text: str) -> int | None:
    if not text.strip():
        return None
    if not text.strip().isdigit() or not 1 <= int(text) <= 5:
        raise BadValue(f"rating {text!r} is not a number from 1 to 5")
    return int(text)


def parse(handle: TextIO, mapping: Mapping[str, str] | None = None, zone: tzinfo = UTC) -> Iterator[Parsed]:
    """Each row as an ImportedTicket, or a Problem naming its line. Times without an offset
    (a spreadsheet's) are read in `zone`, the desk's."""
    reader = csv.reader(handle)
    try:
        header = next(reader)
    except StopIteration:
        raise BadFile("the file is empty") from None
    except csv.Error as problem:
        raise BadFile(f"not CSV ({problem})", 1) from None
    mapping = mapping or {}
    names = [mapping.get(column, column).strip() for column in header]
    missing = [name for name in NEEDED if name not in names]
    if missing:
        raise BadFile(f"no column for {', '.join(missing)} (name it with --map COLUMN=FIELD)", 1)
    extra = [n for n in names if n not in FIELDS and n not in DERIVED]
    line = 1
    while True:
        start = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as problem:
            yield Problem(start, f"not CSV ({problem})")
            return
        line = start
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(names):
            yield Problem(line, f"{len(values)} values for {len(names)} columns")
            continue
        row = dict(zip(names, values, strict=True))
        try:
            yield _ticket(row, line, extra, zone)
        except BadValue as problem:
            yield Problem(line, str(problem), row.get("ticket", ""))


def _ticket(row: dict[str, str], line: int, extra: list[str], zone: tzinfo) -> ImportedTicket:
    for name in NEEDED:
        if not row.get(name, "").strip():
            raise BadValue(f"{name} is empty")
    opened = moment(row["opened_at"], zone=zone)
    resolved = maybe_moment(row.get("resolved_at"), zone=zone)
    first = maybe_moment(row.get("first_response_at"), zone=zone)
    status = status_of(row.get("status", ""))
    if status is Status.RESOLVED and resolved is None:
        raise BadValue("resolved, but resolved_at is empty")
    rating = _rating(row.get("rating", ""))
    updated = maybe_moment(row.get("updated_at"), zone=zone) or max(t for t in (opened, first, resolved) if t)
    source, _, ident = row.get("imported_from", "").strip().partition(":")
    if not ident:  # a ticket that moved in before keeps where it first came from
        source, ident = "csv", row.get("ticket", "").strip() or f"line-{line}"
    return ImportedTicket(
        source=source,
        source_id=ident,
        line=line,
        requester=row["requester"].strip(),
        text=row["text"],
        area=row.get("category", "").strip(),
        priority=priority_of(row.get("priority", "")),
        status=status,
        opened_at=opened,
        updated_at=updated,
        assignee=row.get("assignee", "").strip() or None,
        first_response_at=first,
        resolved_at=resolved if status is Status.RESOLVED else None,
        rating=rating,
        rating_comment=row.get("rating_comment", ""),
        escalations=_escalations(row.get("escalations", "")),
        unplaced=tuple(name for name in extra if row.get(name, "").strip()),
    )
