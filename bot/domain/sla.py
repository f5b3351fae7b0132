"""The SLA clock: when a ticket's targets fall due and how much of each is used.

Pure, with `now` passed in. A target counted on the `always` clock runs on wall time; one on
the `business` clock runs only inside business hours on work days, skipping holidays, in the
desk's time zone, and each whole day of the target means one working day ("3d" is three
working days, not 72 working hours). Arithmetic is done in UTC so DST changes cannot
stretch or shrink a day.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from bot.domain.policy import Clock, SlaPolicy, Target, WorkingCalendar
from bot.domain.ticket import Ticket

MAX_DAYS = 3 * 366  # how far ahead the business clock looks before giving up
_DAY, _NONE = timedelta(days=1), timedelta(0)
Pauses = tuple[tuple[datetime, datetime], ...]  # (paused, resumed), in order

__all__ = [
    "SlaClock",
    "Target",
    "TargetState",
    "due_of",
    "measure",
    "measure_running",
    "next_target",
    "pauses_of",
    "round_of",
    "running_targets",
    "state_of",
    "target_states",
]


def _working_hours(calendar: WorkingCalendar, since: datetime) -> Iterator[tuple[datetime, datetime]]:
    """Business-hour intervals in UTC, from the day `since` falls on, in order."""
    day = since.astimezone(calendar.timezone).date()
    for _ in range(MAX_DAYS):
        hours = _hours_on(calendar, day)
        if hours is not None:
            yield hours
        day += timedelta(days=1)


@lru_cache(maxsize=64)
def _working_day(calendar: WorkingCalendar) -> timedelta:
    """How long a working day is (its business hours): a whole day of a business target."""
    opens, closes = (datetime.combine(date.min, t) for t in (calendar.opens, calendar.closes))
    return closes - opens


@lru_cache(maxsize=65536)  # ~13 MB when full: three levels of two targets of 10,000 open tickets
def _reach_business(calendar: WorkingCalendar, start: datetime, counted: timedelta) -> datetime:
    """`SlaClock.reach` on the business clock: a walk over the working days from `start`,
    remembered, since the SLA sweep asks the same of every open ticket each minute (its due
    times and escalation levels, unchanged until the ticket is): about 5 days walked a time
    for a desk's open tickets, then a look-up."""
    left = counted
    for opens, closes in _working_hours(calendar, start):
        begin = max(opens, start)
        if begin >= closes:
            continue
        if left <= closes - begin:
            return begin + left
        left -= closes - begin
    raise ValueError("the working calendar has no working hours in the next three years")


@lru_cache(maxsize=4096)
def _hours_on(calendar: WorkingCalendar, day: date) -> tuple[datetime, datetime] | None:
    """One day's business hours in UTC, or None on a weekend or holiday (remembered: the
    sweep asks about the same few days for thousands of tickets)."""
    if day.weekday() not in calendar.work_days or day in calendar.holidays:
        return None
    zone = calendar.timezone
    opens = datetime.combine(day, calendar.opens, tzinfo=zone).astimezone(UTC)
    closes = datetime.combine(day, calendar.closes, tzinfo=zone).astimezone(UTC)
    return (opens, closes) if closes > opens else None


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
        days, rest = divmod(length, _DAY)
        return days * _working_day(self.calendar) + rest

    def due(self, start: datetime, length: timedelta) -> datetime:
        """When a target of `length` started at `start` falls due."""
        return self.reach(start, self.budget(length))

    def reach(self, start: datetime, counted: timedelta) -> datetime:
        """When `counted` time (working time on the business clock) has gone by since `start`."""
        start = start.astimezone(UTC)
        if not self.business:
            return start + counted
        return _reach_business(self.calendar, start, counted)

    def reach_unpaused(self, start: datetime, counted: timedelta, pauses: Pauses) -> datetime:
        """When `counted` time has gone by since `start`, not counting the `pauses` (closed
        intervals, in order): a due time moves by exactly the time spent paused."""
        at, left = start, counted
        for paused, resumed in pauses:
            if resumed <= at:
                continue
            running = self.counted(at, paused)
            if running >= left:
                break
            left -= running
            at = max(at, resumed)
        return self.reach(at, left)

    def counted_unpaused(self, start: datetime, end: datetime, pauses: Pauses) -> timedelta:
        """Counted time between `start` and `end`, less what falls in the `pauses`."""
        paused = sum((self.counted(max(a, start), min(b, end)) for a, b in pauses), timedelta(0))
        return self.counted(start, end) - paused

    def counted(self, start: datetime, end: datetime) -> timedelta:
        """Counted time between `start` and `end` (zero when `end` is not after `start`)."""
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        if end <= start:
            return timedelta(0)
        if not self.business:
            return end - start
        hours = _hours_on(self.calendar, start.astimezone(self.calendar.timezone).date())
        if hours is not None and end <= hours[1]:  # within one working day: the loop's first turn
            return max(end - max(hours[0], start), _NONE)
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
    paused: bool = False  # waiting on the requester: `due` moves on until they answer

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

    def at_risk(self, warn_at: float) -> bool:
        """Still running, not yet missed, and past `warn_at` of its length."""
        return self.running and not self.breached and self.used >= warn_at


def round_of(ticket: Ticket, target: Target) -> tuple[datetime, datetime | None]:
    """When `target`'s current round started counting and when it stopped (None: still
    running). First response runs from opening to the first claim; resolution from opening
    (or the latest reopen) to the resolution."""
    if target is Target.FIRST_RESPONSE:
        return ticket.opened_at, ticket.first_response_at
    return ticket.reopened_at or ticket.opened_at, ticket.resolved_at


def pauses_of(ticket: Ticket, target: Target, now: datetime) -> Pauses:
    """The times `target`'s current round did not count: waiting on the requester pauses the
    resolution target (a wait still going counts as ending now). First response is never
    paused: the ticket is answered before anyone can wait on the requester."""
    if target is Target.FIRST_RESPONSE or not ticket.waits:
        return ()
    start, _ = round_of(ticket, target)
    return tuple((wait.since, wait.until or now) for wait in ticket.waits if (wait.until or now) > start)


def running_targets(ticket: Ticket) -> list[tuple[Target, datetime]]:
    """The targets still counting, each with when it started."""
    rounds = ((target, *round_of(ticket, target)) for target in Target)
    return [(target, start) for target, start, stopped in rounds if stopped is None]


def target_states(ticket: Ticket, clock: SlaClock, now: datetime) -> list[TargetState]:
    """Both targets of `ticket` as of `now`: first response, then resolution."""
    return [state_of(ticket, clock, target, now) for target in Target]


def state_of(
    ticket: Ticket, clock: SlaClock, target: Target, now: datetime, since: datetime | None = None
) -> TargetState:
    """One target of `ticket` as of `now` (its round from `since`, when given: a notice's),
    with the time it waited on the requester left out."""
    start, stopped = round_of(ticket, target)
    state = measure(clock, target, since or start, stopped, now, pauses_of(ticket, target, now))
    waiting = target is Target.RESOLUTION and stopped is None and ticket.waiting_since is not None
    return replace(state, paused=True) if waiting else state


def measure(
    clock: SlaClock,
    target: Target,
    start: datetime,
    stopped: datetime | None,
    now: datetime,
    pauses: Pauses = (),
) -> TargetState:
    """One target started at `start`, stopped at `stopped` (or still running at `now`), not
    counting the `pauses`."""
    budget = clock.budget(clock.policy.length(target))
    return TargetState(
        target=target,
        length=budget,
        due=clock.reach_unpaused(start, budget, pauses),
        left=budget - clock.counted_unpaused(start, stopped or now, pauses),
        stopped_at=stopped,
    )


def due_of(clock: SlaClock, target: Target, start: datetime, pauses: Pauses = ()) -> datetime:
    """When a target started at `start` falls due, not counting the `pauses`: `measure`'s
    `due`, without the time used so far (a walk from `start` to now on a business clock)."""
    return clock.reach_unpaused(start, clock.budget(clock.policy.length(target)), pauses)


def measure_running(
    clock: SlaClock, target: Target, start: datetime, moments: tuple[datetime, ...], pauses: Pauses = ()
) -> list[TargetState]:
    """One target started at `start` and still running at each of `moments` (in order, none
    before `start`), not counting the same `pauses` at each: what `measure(clock, target,
    start, None, moment, pauses)` gives for each moment, with the due time worked out once and
    the counted time walked once, a moment after the one before (counted time adds up across
    a split, the pauses' too, so the sum is the same to the microsecond)."""
    if moments and moments[-1] - start > timedelta(days=MAX_DAYS - 2):  # (`counted` stops looking)
        return [measure(clock, target, start, None, moment, pauses) for moment in moments]
    budget = clock.budget(clock.policy.length(target))
    due = clock.reach_unpaused(start, budget, pauses)
    found, at, counted = [], start, timedelta(0)
    for moment in moments:
        counted += clock.counted_unpaused(at, moment, pauses)
        at = moment
        found.append(TargetState(target, budget, due, budget - counted, None))
    return found


def took(
    clock: SlaClock, target: Target, start: datetime, stopped: datetime, pauses: Pauses = ()
) -> tuple[timedelta, bool]:
    """How long a target that stopped took (counted time, less the `pauses`) and whether it
    was met: `measure`'s `length - left` and `not breached`, without working out when it fell
    due (the costly part on a business clock, and no report of a stopped target needs it)."""
    counted = clock.counted_unpaused(start, stopped, pauses)
    return counted, counted <= clock.budget(clock.policy.length(target))


def next_target(ticket: Ticket, clock: SlaClock, now: datetime) -> TargetState | None:
    """The target the desk is working towards now: none once the ticket is resolved."""
    running = [state for state in target_states(ticket, clock, now) if state.running]
    return running[0] if running else None
