"""Agents away (SPEC §9: `/away [until]`, `/back`): assignment passes them by until they are
back, by their word or at the time they gave. What they hold already stays theirs.

The edge reads a request once into a typed command (`GoAway` for `/desk away [until]` and the
Home's "I'm away", `Back` for `/desk back` and the Home's "I'm back"); `decide` takes the
agent's standing (their away record and how many open tickets they hold), the command, the
desk's staff, its policy (the desk's zone, for the time they gave) and `now`, and returns an
`Outcome`: the away record to keep, the messages owed and the answer for whoever acted. A
refusal is a `DeskError` and changes nothing. Permission is checked here, once. Pure: no
Slack, no store, `now` passed in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.durations import parse_duration
from bot.domain.errors import DeskError, Phrase, Typed
from bot.domain.roles import Staff

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

# -- what people may be refused (worded by the catalogue; `bot.slack.refusals` too) --------------
BE_AWAY = Phrase("be away")
BE_BACK = Phrase("be back")
UNREADABLE = Phrase(
    "I can't tell when you'll be back from “{said}”. Say how long or until when: "
    "`/desk away` (until you say `/desk back`), `/desk away 2h`, `/desk away 3d`, "
    "`/desk away 17:00`, `/desk away fri` or `/desk away 2026-12-24`."
)


@dataclass(frozen=True)
class Away:
    """An agent's away record (`store.records.AWAY`): until when; None for until they say they are back."""

    until: datetime | None = None

    def holds(self, now: datetime) -> bool:
        """Whether the agent is still away at `now`."""
        return self.until is None or self.until > now


def is_away(record: Away | None, now: datetime) -> bool:
    """Whether an agent with this away record (None: none) is away at `now`."""
    return record is not None and record.holds(now)


def away_now(until: str | None, now: datetime) -> bool:
    """Whether an agent's away record, in its stored form, holds at `now`: "" means until they
    say they are back, else the ISO time it ends at."""
    if until is None:
        return False
    return Away(datetime.fromisoformat(until) if until else None).holds(now)


def back_at(words: str, now: datetime, zone: ZoneInfo) -> datetime | None:
    """When an agent away for `words` is back: None for "until I say so". A span (`2h`,
    `3d`), a time today or tomorrow (`17:00`), the start of a weekday (`fri`, never today) or
    of a date (`2026-12-24`), in the desk's zone; anything else, or a moment gone, is refused."""
    text = words.strip().lower()
    if not text:
        return None
    local = now.astimezone(zone)
    found: datetime | None = None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            day = datetime.strptime(text, "%Y-%m-%d").date()
        except ValueError:
            day = None
        found = datetime.combine(day, time(0), zone) if day else None
    elif match := re.fullmatch(r"(\d{1,2}):(\d{2})", text):
        hh, mm = int(match.group(1)), int(match.group(2))
        if hh < 24 and mm < 60:
            found = datetime.combine(local.date(), time(hh, mm), zone)
            if found <= local:
                found += timedelta(days=1)
    elif text in DAYS or text in WEEKDAYS:
        ahead = (DAYS.index(text[:3]) - local.weekday() - 1) % 7 + 1
        found = datetime.combine(local.date() + timedelta(days=ahead), time(0), zone)
    else:
        try:
            found = now + parse_duration(text)
        except ValueError:
            found = None
    if found is None or found <= now:
        raise DeskError(UNREADABLE, said=Typed(words.strip()))
    return found


# -- the commands -------------------------------------------------------------------------------
@dataclass(frozen=True)
class GoAway:
    """`/desk away [until]`, or the Home's "I'm away" (`until` left empty). `until` is what the
    agent typed ("" for until they say they are back), read in `decide` against `now` in the
    desk's zone, so a refusal names who may first and one clock says what is gone."""

    agent: str
    until: str = ""


@dataclass(frozen=True)
class Back:
    """`/desk back`, or the Home's "I'm back"."""

    agent: str


Command = GoAway | Back


@dataclass(frozen=True)
class Standing:
    """What an away decision reads: the agent's away record (None: none) and the open
    tickets they hold (they stay theirs; the answer names them)."""

    record: Away | None = None
    held: int = 0


@dataclass(frozen=True)
class Policy:
    zone: ZoneInfo  # `desk.timezone`: where "17:00" and "fri" are read


# -- the messages owed ----------------------------------------------------------------------------
@dataclass(frozen=True)
class HomeRedrawn:
    """The agent's Home, which shows the away switch: redrawn (if they ever opened it)."""

    agent: str


Message = HomeRedrawn


# -- the answers for whoever acted -----------------------------------------------------------------
@dataclass(frozen=True)
class GoneAway:
    until: datetime | None  # None: until they say they are back
    held: int  # open tickets they still hold


@dataclass(frozen=True)
class CameBack:
    was_away: bool


Answer = GoneAway | CameBack


@dataclass(frozen=True)
class Outcome:
    record: Away | None  # the agent's away record to keep; None: dropped (they are back)
    owed: tuple[Message, ...]
    answer: Answer


def decide(standing: Standing, command: Command, staff: Staff, policy: Policy, now: datetime) -> Outcome:
    """What `command` does to the agent's standing; a `DeskError` if refused."""
    if isinstance(command, GoAway):
        staff.require_agent(command.agent, BE_AWAY)
        until = back_at(command.until, now, policy.zone)
        return Outcome(Away(until), (HomeRedrawn(command.agent),), GoneAway(until, standing.held))
    staff.require_agent(command.agent, BE_BACK)
    return Outcome(None, (HomeRedrawn(command.agent),), CameBack(is_away(standing.record, now)))
