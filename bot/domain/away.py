"""Agents away (SPEC §9: `/away [until]`, `/back`): assignment passes them by until they are
back, by their word or at the time they gave."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.durations import parse_duration
from bot.domain.errors import DeskError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


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
        raise DeskError(
            "I can't tell when you'll be back from “{said}”. Say how long or until when: "
            "`/desk away` (until you say `/desk back`), `/desk away 2h`, `/desk away 3d`, "
            "`/desk away 17:00`, `/desk away fri` or `/desk away 2026-12-24`.",
            said=words.strip(),
        )
    return found
