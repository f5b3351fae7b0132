"""The SLA clock: when a ticket's targets fall due and how much of each is used.

Pure, with `now` passed in. A target counted on the `always` clock runs on wall time; one on
the `business` clock runs only inside business hours on work days, skipping holidays, in the
desk's time zone, and each whole day of the target means one working day ("3d" is three
working days, not 72 working hours). Arithmetic is done in UTC so DST changes cannot
stretch or shrink a day.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from bot.domain.policy import Clock, SlaPolicy, WorkingCalendar
from bot.domain.ticket import Ticket

MAX_DAYS = 3 * 366  # how far ahead the business clock looks before giving up


class Target(StrEnum):
    FIRST_RESPONSE = "first_response"  # stops when an agent claims the ticket
    RESOLUTION = "resolution"  # stops at resolve; starts over on reopen

    @property
    def words(self) -> str:
        return "first response" if self is Target.FIRST_RESPONSE else "resolution"


def _working_hours(calendar: WorkingCalendar, since: datetime) -> Iterator[tuple[datetime, datetime]]:
    """Business-hour intervals in UTC, from the day `since` falls on, in order."""
    zone = calendar.timezone
    day = since.astimezone(zone).date() - timedelta(days=1)
    for _ in range(MAX_DAYS):
        day += timedelta(days=1)
        if day.weekday() not in calendar.work_days or day in calendar.holidays:
            continue
        opens = datetime.combine(day, calendar.opens, tzinfo=zone).astimezone(UTC)
        closes = datetime.combine(day, calendar.closes, tzinfo=zone).astimezone(UTC)
        if closes > opens:
            yield opens, closes


@dataclass(frozen=True)
class SlaClock:
    """Counts time the way one priority's policy says: wall time or business hours."""

    policy: SlaPolicy
    calendar: WorkingCalendar

    @property
    def business(self) -> bool:
        return self.policy.clock is Clock.BUSINESS

    def budget(self, length: timedelta) -> timedelta:
        """The counted time a target of `length` allows: on the business clock each whole day
        is a working day (as long as business hours are)."""
        if not self.business:
            return length
        days, rest = divmod(length, timedelta(days=1))
        opens, closes = (datetime.combine(date.min, t) for t in (self.calendar.opens, self.calendar.closes))
        return days * (closes - opens) + rest

    def due(self, start: datetime, length: timedelta) -> datetime:
        """When a target of `length` started at `start` falls due."""
        start = start.astimezone(UTC)
        if not self.business:
            return start + length
        left = self.budget(length)
        for opens, closes in _working_hours(self.calendar, start):
            begin = max(opens, start)
            if begin >= closes:
                continue
            if left <= closes - begin:
                return begin + left
            left -= closes - begin
        raise ValueError("the working calendar has no working hours in the next three years")

    def counted(self, start: datetime, end: datetime) -> timedelta:
        """Counted time between `start` and `end` (zero when `end` is not after `start`)."""
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        if end <= start:
            return timedelta(0)
        if not self.business:
            return end - start
        total = timedelta(0)
        for opens, closes in _working_hours(self.calendar, start):
            if opens >= end:
                break
            begin, finish = max(opens, start), min(closes, end)
            if finish > begin:
                total += finish - begin
        return total


@dataclass(frozen=True)
class TargetState:
    """Where one target stands: its due time and, while it runs, the time left."""

    target: Target
    length: timedelta  # the counted time allowed (working time on the business clock)
    due: datetime
    left: timedelta  # negative once breached; frozen at the stop time once stopped
    stopped_at: datetime | None

    @property
    def used(self) -> float:
        """The fraction of the target used so far (1.0 = due now, above 1 = breached)."""
        return 1.0 - self.left / self.length

    @property
    def breached(self) -> bool:
        return self.left < timedelta(0)

    @property
    def running(self) -> bool:
        return self.stopped_at is None


def target_states(ticket: Ticket, clock: SlaClock, now: datetime) -> list[TargetState]:
    """Both targets of `ticket` as of `now`: first response, then resolution."""
    return [
        measure(clock, Target.FIRST_RESPONSE, ticket.opened_at, ticket.first_response_at, now),
        measure(clock, Target.RESOLUTION, ticket.reopened_at or ticket.opened_at, ticket.resolved_at, now),
    ]


def measure(
    clock: SlaClock, target: Target, start: datetime, stopped: datetime | None, now: datetime
) -> TargetState:
    """One target started at `start`, stopped at `stopped` (or still running at `now`)."""
    length = clock.policy.first_response if target is Target.FIRST_RESPONSE else clock.policy.resolution
    return TargetState(
        target=target,
        length=clock.budget(length),
        due=clock.due(start, length),
        left=clock.budget(length) - clock.counted(start, stopped or now),
        stopped_at=stopped,
    )


def next_target(ticket: Ticket, clock: SlaClock, now: datetime) -> TargetState | None:
    """The target the desk is working towards now: none once the ticket is resolved."""
    running = [state for state in target_states(ticket, clock, now) if state.running]
    return running[0] if running else None
