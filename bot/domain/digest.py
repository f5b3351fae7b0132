"""The leads' daily digest: when it is due, what it covers and what it says.

Pure, with `now` passed in. The digest of a day reports on the days since the previous digest
day, up to the start of that day: yesterday on a daily schedule, and Friday to Sunday on the
Monday of a weekday schedule, so every day is reported once. Period figures (opened,
resolved, targets missed, CSAT) are compared with the same number of days just before;
figures of the moment (the backlog, tickets at risk) with the same moment one period earlier,
worked out from each ticket's trail.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.policy import Target
from bot.domain.priority import Priority
from bot.domain.quality import ClockFor, Period, Summary, Tally
from bot.domain.sla import Pauses, TargetState, measure_running, pauses_of
from bot.domain.ticket import Action, Ticket
from bot.domain.trend import Trend, TrendTally, trend_start

WEEK = 7


@dataclass(frozen=True)
class DigestSchedule:
    """`at` local time on `days` (0 = Monday) in `zone`."""

    at: time
    days: frozenset[int]
    zone: ZoneInfo

    def slot(self, day: date) -> datetime | None:
        """When the digest of local `day` is due, in UTC; None on a day without one. A time
        a DST change skips counts from the hour before the change (02:30 becomes 03:30)."""
        if day.weekday() not in self.days:
            return None
        return datetime.combine(day, self.at, tzinfo=self.zone).astimezone(UTC)

    def due_on(self, now: datetime) -> date | None:
        """The day whose digest should have gone out by `now` while that day is not over:
        today once its time has come, else None."""
        today = now.astimezone(self.zone).date()
        slot = self.slot(today)
        return today if slot is not None and slot <= now else None

    def reported(self, day: date) -> Period:
        """What the digest of `day` covers: from the previous digest day up to `day`."""
        start = day - timedelta(days=1)
        while start.weekday() not in self.days and start > day - timedelta(days=WEEK):
            start -= timedelta(days=1)
        return Period(self.midnight(start), self.midnight(day))

    def before(self, period: Period) -> Period:
        """As many whole local days, just before `period` (DST days keep their length)."""
        first = period.start.astimezone(self.zone).date()
        days = (period.end.astimezone(self.zone).date() - first).days
        return Period(self.midnight(first - timedelta(days=days)), period.start)

    def midnight(self, day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=self.zone).astimezone(UTC)


@dataclass(frozen=True)
class Watched:
    """An open ticket with a target at risk or missed at the moment looked at."""

    ticket: Ticket
    state: TargetState


@dataclass(frozen=True)
class Backlog:
    """The open tickets at one moment."""

    moment: datetime
    by_priority: dict[Priority, int]
    unclaimed: int  # nobody has them: no first response, and the desk gave them to nobody
    oldest_unclaimed: Ticket | None
    at_risk: tuple[Watched, ...]  # nearest to its due time first
    overdue: tuple[Watched, ...]  # longest overdue first

    assigned: int = 0  # given to an agent by the desk, who had not taken them up yet

    @property
    def total(self) -> int:
        return sum(self.by_priority.values())


def _open_rounds(ticket: Ticket, moment: datetime) -> dict[Target, tuple[datetime, datetime | None]] | None:
    """Each target's round as it stood at `moment` (start, stop), or None when the ticket was
    not open then. Read from the trail, so any past moment can be asked about."""
    if ticket.opened_at > moment:
        return None
    if not ticket.is_open and ticket.resolved_at is not None and ticket.resolved_at <= moment:
        return None  # resolved for the last time by then (most of a long history)
    started: datetime | None = ticket.opened_at  # the current round of resolution; None: resolved
    for entry in ticket.trail:
        if entry.at > moment:
            break
        if entry.action is Action.RESOLVED:
            started = None
        elif entry.action is Action.REOPENED:
            started = entry.at
    if started is None:
        return None
    first = ticket.first_response_at
    return {
        Target.FIRST_RESPONSE: (ticket.opened_at, first if first is not None and first <= moment else None),
        Target.RESOLUTION: (started, None),
    }


def assigned_at(ticket: Ticket, moment: datetime) -> str | None:
    """Whom the desk had given the ticket to at `moment`, before anyone took it up (None:
    nobody). Read from the trail; a ticket that has lost its assignee since counts as nobody's."""
    if ticket.assignee is None:
        return None
    given = [e.detail for e in ticket.trail if e.action is Action.ASSIGNED and e.at <= moment]
    return given[-1] if given else None


class _BacklogTally:
    """The backlog at one moment, counted a ticket open then at a time (`add`)."""

    def __init__(self, moment: datetime, warn_at: float) -> None:
        self.moment, self.warn_at = moment, warn_at
        self.counts = dict.fromkeys(Priority, 0)
        self.unclaimed: list[Ticket] = []
        self.assigned: list[Ticket] = []
        self.at_risk: list[Watched] = []
        self.overdue: list[Watched] = []

    def add(self, ticket: Ticket, first_answered: bool, running: list[TargetState]) -> None:
        """Count `ticket`, open at the moment: whether its first response had come by then,
        and its targets running then (in `Target`'s order) as they stood."""
        self.counts[ticket.priority] += 1
        if not first_answered:
            (self.assigned if assigned_at(ticket, self.moment) else self.unclaimed).append(ticket)
        missed = [state for state in running if state.breached]
        risky = [state for state in running if state.at_risk(self.warn_at)]
        if missed:
            self.overdue.append(Watched(ticket, missed[0]))
        elif risky:
            self.at_risk.append(Watched(ticket, risky[0]))

    def backlog(self) -> Backlog:
        return Backlog(
            moment=self.moment,
            by_priority=self.counts,
            unclaimed=len(self.unclaimed),
            oldest_unclaimed=min(self.unclaimed, key=lambda t: (t.opened_at, t.number), default=None),
            assigned=len(self.assigned),
            at_risk=tuple(sorted(self.at_risk, key=lambda w: w.state.due)),
            overdue=tuple(sorted(self.overdue, key=lambda w: w.state.due)),
        )


class BacklogsTally:
    """The backlog at each of several moments, counted in one pass over the tickets (`add`):
    each open ticket's clock found once, and each target it had running measured once for
    every moment it ran through in the same round with the same pauses
    (`sla.measure_running`: its due time worked out once, its counted time walked once)."""

    def __init__(self, clock_for: ClockFor, warn_at: float, moments: tuple[datetime, ...]) -> None:
        self.clock_for = clock_for
        self.tallies = [_BacklogTally(moment, warn_at) for moment in moments]
        self.order = sorted(range(len(moments)), key=lambda i: moments[i])  # earliest first

    def add(self, ticket: Ticket) -> None:
        rounds = [_open_rounds(ticket, tally.moment) for tally in self.tallies]
        if all(r is None for r in rounds):
            return
        clock = self.clock_for(ticket)
        running: list[list[TargetState]] = [[] for _ in self.tallies]
        for target in Target:
            # The moments it ran through, grouped by what measuring it needs: its round's
            # start and its pauses (a wait still going counts as ending at each moment).
            groups: dict[tuple[datetime, Pauses], list[int]] = {}
            for i in self.order:
                held = rounds[i]
                if held is not None and held[target][1] is None:
                    key = (held[target][0], pauses_of(ticket, target, self.tallies[i].moment))
                    groups.setdefault(key, []).append(i)
            for (start, pauses), indexes in groups.items():
                moments = tuple(self.tallies[i].moment for i in indexes)
                measured = measure_running(clock, target, start, moments, pauses)
                for i, state in zip(indexes, measured, strict=True):
                    running[i].append(state)
        for tally, held, states in zip(self.tallies, rounds, running, strict=True):
            if held is not None:
                tally.add(ticket, held[Target.FIRST_RESPONSE][1] is not None, states)

    def backlogs(self) -> list[Backlog]:
        return [tally.backlog() for tally in self.tallies]


def backlog_at(tickets: Iterable[Ticket], clock_for: ClockFor, warn_at: float, moment: datetime) -> Backlog:
    """The backlog as it stood at `moment`: by priority, unclaimed, at risk and overdue."""
    return backlogs_at(tickets, clock_for, warn_at, (moment,))[0]


def backlogs_at(
    tickets: Iterable[Ticket], clock_for: ClockFor, warn_at: float, moments: tuple[datetime, ...]
) -> list[Backlog]:
    """The backlog as it stood at each of `moments`, in one pass (`BacklogsTally`)."""
    tally = BacklogsTally(clock_for, warn_at, moments)
    for ticket in tickets:
        tally.add(ticket)
    return tally.backlogs()


def missed(summary: Summary) -> dict[Target, int]:
    """Targets missed in the summary's period, by target."""
    return {target: c.decided - c.met for target, c in summary.compliance.items()}


@dataclass(frozen=True)
class Digest:
    day: date  # the day it is sent on
    summary: Summary  # the days it reports on
    before: Summary  # as many days just before, for the changes
    backlog: Backlog  # now
    backlog_before: Backlog  # one period earlier
    trend: Trend | None = None  # the last periods like the one reported, for sparklines

    @property
    def days(self) -> int:
        return round((self.summary.period.end - self.summary.period.start) / timedelta(days=1))

    @property
    def quiet(self) -> bool:
        """Nothing opened, resolved, rated, escalated or missed in the period reported."""
        return self.summary.empty and not sum(missed(self.summary).values())


def digest_reaches(schedule: DigestSchedule, day: date, now: datetime) -> datetime:
    """How far back the digest of `day` (as of `now`) looks: the tickets it needs are those
    something happened to since."""
    period = schedule.reported(day)
    length = period.end - period.start
    return min(schedule.before(period).start, trend_start(period.end, length), now - length)


def build_digest(
    tickets: list[Ticket],
    clock_for: ClockFor,
    warn_at: float,
    schedule: DigestSchedule,
    day: date,
    now: datetime,
) -> Digest:
    """The digest of `day`, as of `now`: in one pass over the tickets. The period reported is
    the trend's last period and the days before it (unless a DST change makes their length
    differ) its last but one, so those two summaries are the trend's own, not counted again;
    each ticket's clock and stopped targets' times are measured once for every period
    (`TrendTally`), and the backlog's two moments from one measurement (`BacklogsTally`)."""
    period = schedule.reported(day)
    length = period.end - period.start
    moved = TrendTally(clock_for, period.end, length)
    own = {tally.period: tally for tally in moved.tallies}
    apart = [Tally(clock_for, p) for p in (period, schedule.before(period)) if p not in own]
    own.update((tally.period, tally) for tally in apart)
    backlogs = BacklogsTally(clock_for, warn_at, (now, now - length))
    for ticket in tickets:
        moved.add(ticket)
        for tally in apart:
            tally.add(ticket)
        backlogs.add(ticket)
    trend = moved.trend()
    summaries = dict(zip(moved.tallies, trend.periods, strict=True))
    summaries.update((tally, tally.summary()) for tally in apart)
    backlog, backlog_before = backlogs.backlogs()
    return Digest(
        day=day,
        summary=summaries[own[period]],
        before=summaries[own[schedule.before(period)]],
        backlog=backlog,
        backlog_before=backlog_before,
        trend=trend,
    )
