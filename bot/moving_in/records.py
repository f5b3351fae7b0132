"""What every source's parser turns its rows into: typed records of imported tickets, or
problems with the line they are on. Pure: no store, no Slack, no clock."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, tzinfo

from bot.domain.notices import Level
from bot.domain.policy import Target
from bot.domain.priority import Priority
from bot.domain.ticket import Status


@dataclass(frozen=True)
class Comment:
    """One thing said on the ticket in the old desk: by whom (as that desk names people:
    an e-mail address or a name), when, and whether the requester could see it."""

    at: datetime
    author: str
    text: str
    public: bool = True


@dataclass(frozen=True)
class ImportedTicket:
    """A ticket as another desk knew it, in the desk's own terms. People are named as the
    source names them (`people.People` finds them in Slack)."""

    source: str  # csv, zendesk, jira
    source_id: str  # its id there
    line: int  # where it starts in the file, for problems
    requester: str
    text: str
    area: str  # as the source calls it ("" when it has none)
    priority: Priority
    status: Status
    opened_at: datetime
    updated_at: datetime
    assignee: str | None = None
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    rating: int | None = None  # 1..5
    rating_comment: str = ""
    comments: tuple[Comment, ...] = ()
    escalations: tuple[tuple[Target, Level], ...] = ()  # raised there already (the desk's own export)
    unplaced: tuple[str, ...] = ()  # the source's fields with values here that the desk has no place for
    names: tuple[tuple[str, str], ...] = field(default=(), compare=False)  # person key -> full name

    @property
    def key(self) -> str:
        """Names the ticket among everything ever imported: `zendesk:35436`."""
        return f"{self.source}:{self.source_id}"

    def fingerprint(self) -> str:
        """Changes when anything the ticket is made of changes in the source (not its line)."""
        parts = [repr(getattr(self, f.name)) for f in fields(self) if f.name not in ("line", "names")]
        return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:16]

    def people(self) -> Iterator[str]:
        """Everyone the ticket names."""
        yield self.requester
        if self.assignee:
            yield self.assignee
        for comment in self.comments:
            yield comment.author


@dataclass(frozen=True)
class Problem:
    """A row the desk cannot take, and why, in a few words."""

    line: int
    reason: str
    source_id: str = ""

    def __str__(self) -> str:
        named = f" ({self.source_id})" if self.source_id else ""
        return f"line {self.line}{named}: {self.reason}"


Parsed = ImportedTicket | Problem


class BadFile(Exception):
    """The file as a whole cannot be read (not CSV, not JSON, a missing column): one line."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(f"line {line}: {reason}" if line else reason)
        self.line = line


class BadValue(ValueError):
    """One value of a row cannot be read; the parser turns it into a Problem with its line."""


def moment(text: str, *formats: str, zone: tzinfo = UTC) -> datetime:
    """A time as the source writes it: ISO 8601 (a `Z` or an offset; in `zone` when it has
    none), else one of `formats` (strptime), in `zone`."""
    value = text.strip()
    try:
        found = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        for form in formats:
            try:
                found = datetime.strptime(value, form)
                break
            except ValueError:
                continue
        else:
            raise BadValue(f"{text!r} is not a time") from None
    return found if found.tzinfo else found.replace(tzinfo=zone)


def maybe_moment(text: str | None, *formats: str, zone: tzinfo = UTC) -> datetime | None:
    return moment(text, *formats, zone=zone) if text and text.strip() else None
