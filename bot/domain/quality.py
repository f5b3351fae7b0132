"""How the desk is doing over a period: pure statistics over tickets, with `now` passed in.

Times are counted the way each ticket's SLA counts them (working time on a business clock).
A figure with nothing to measure is `None`, never zero, so "no ratings" cannot read as "rated
0". Percentiles use the nearest-rank method: the 90th percentile of n values is the
ceil(0.9 n)-th smallest.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.domain.notices import Level
from bot.domain.policy import Target
from bot.domain.sla import SlaClock, due_of, pauses_of, round_of
from bot.domain.sla import took as took_by
from bot.domain.ticket import SCORES, Status, Ticket

ClockFor = Callable[[Ticket], SlaClock]  # the clock a ticket's targets run on


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime

    def __contains__(self, moment: object) -> bool:
        return isinstance(moment, datetime) and self.start <= moment < self.end

    @property
    def before(self) -> Period:
        """The period of the same length just before this one."""
        return Period(self.start - (self.end - self.start), self.start)


def last(days: int, now: datetime) -> Period:
    return Period(now - timedelta(days=days), now)


def percentile(values: list[timedelta], q: float) -> timedelta | None:
    """Nearest rank: the smallest value with at least `q` of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def median(values: list[timedelta]) -> timedelta | None:
    return statistics.median(values) if values else None  # type: ignore[type-var]


@dataclass(frozen=True)
class Spread:
    """How long something took: how many, the median and the 90th percentile."""

    count: int = 0
    median: timedelta | None = None
    p90: timedelta | None = None

    @staticmethod
    def of(values: list[timedelta]) -> Spread:
        return Spread(len(values), median(values), percentile(values, 0.9))


@dataclass(frozen=True)
class Compliance:
    """Targets decided in the period: met in time, or missed."""

    met: int = 0
    decided: int = 0

    @property
    def share(self) -> float | None:
        return self.met / self.decided if self.decided else None


@dataclass(frozen=True)
class AgentLine:
    agent: str
    resolved: int
    first_response: timedelta | None
    resolution: timedelta | None
    csat: float | None
    ratings: int


@dataclass(frozen=True)
class Summary:
    period: Period
    opened: int = 0
    resolved: int = 0
    first_response: Spread = field(default_factory=Spread)
    resolution: Spread = field(default_factory=Spread)
    compliance: dict[Target, Compliance] = field(default_factory=dict)
    escalations: dict[Level, int] = field(default_factory=dict)
    scores: dict[int, int] = field(default_factory=dict)  # 1..5 -> how many
    agents: tuple[AgentLine, ...] = ()
    rated_resolved: int = 0  # tickets resolved in the period that their requester rated

    @property
    def ratings(self) -> int:
        return sum(self.scores.values())

    @property
    def csat(self) -> float | None:
        """The average score of ratings given in the period."""
        total = self.ratings
        return sum(score * n for score, n in self.scores.items()) / total if total else None

    @property
    def response_rate(self) -> float | None:
        """Of the tickets resolved in the period, the share their requester rated."""
        return self.rated_resolved / self.resolved if self.resolved else None

    @property
    def empty(self) -> bool:
        """Nothing happened: nothing opened, resolved, rated or escalated."""
        return not (self.opened or self.resolved or self.ratings or sum(self.escalations.values()))


def touches(ticket: Ticket, period: Period) -> bool:
    """Whether anything about `ticket` can fall in `period`: a cheap test that keeps a long
    history from costing more than the tickets that matter. A ticket opened after the period,
    or resolved (for the last time), rated and escalated before it, has nothing in it."""
    if ticket.opened_at >= period.end:
        return False
    if ticket.is_open or ticket.resolved_at is None or ticket.resolved_at >= period.start:
        return True
    if ticket.notices and ticket.notices[-1].raised_at >= period.start:
        return True  # a notice recorded after the resolution (the rollups count it on its day)
    return ticket.rating is not None and ticket.rating.at >= period.start


class Tally:
    """The figures of one period, counted a ticket at a time (`add`), so a long history can
    be fed in pieces and let go of; `summary()` at the end."""

    def __init__(self, clock_for: ClockFor, period: Period) -> None:
        self.clock_for, self.period = clock_for, period
        self.opened = self.resolved = self.rated_resolved = 0
        self.times: dict[Target, list[timedelta]] = {Target.FIRST_RESPONSE: [], Target.RESOLUTION: []}
        self.met: Counter[Target] = Counter()
        self.decided: Counter[Target] = Counter()
        self.escalations: Counter[Level] = Counter()
        self.scores: Counter[int] = Counter()
        self.per_agent: dict[str, _AgentTally] = {}

    def add(
        self, ticket: Ticket, dues: Mapping[Target, datetime] | None = None, shared: Measured | None = None
    ) -> None:
        """Count `ticket`; `dues`: when its running targets fall due, if already measured as
        of a time at or after the period's end (`due_times`: the same answer, measured once
        for several periods); `shared`: its clock and stopped targets' times, measured once
        for the tallies of several periods (`TrendTally`)."""
        period, now = self.period, self.period.end
        if not touches(ticket, period):
            return
        clock = shared.clock if shared is not None else self.clock_for(ticket)
        self.opened += ticket.opened_at in period
        resolved = ticket.status is Status.RESOLVED and ticket.resolved_at in period
        took: dict[Target, tuple[timedelta, bool] | None] = {}
        for target in Target:
            start, stopped = round_of(ticket, target)
            if stopped is not None and not (resolved or stopped in period):
                continue  # stopped outside the period, and no agent's line to count it in
            pauses = pauses_of(ticket, target, now)
            if stopped is None:  # still running: missed once its due time passes in the period
                due = dues[target] if dues is not None else due_of(clock, target, start, pauses)
                self.decided[target] += due in period
                took[target] = None
                continue
            if shared is not None and stopped <= now:  # (then the period's end changes nothing)
                took[target] = length, met = shared.took(target, start, stopped)
            else:
                took[target] = length, met = took_by(clock, target, start, stopped, pauses)
            if stopped in period:
                self.times[target].append(length)
                self.decided[target] += 1
                self.met[target] += met
        if resolved:
            self.resolved += 1
            self.rated_resolved += ticket.rating is not None and ticket.rating.score is not None
            self.per_agent.setdefault(ticket.assignee or "", _AgentTally()).add(ticket, took)
        for notice in ticket.notices:
            self.escalations[notice.level] += notice.raised_at in period
        if ticket.rating is not None and ticket.rating.score in SCORES and ticket.rating.at in period:
            self.scores[ticket.rating.score] += 1  # type: ignore[index]

    def summary(self) -> Summary:
        return Summary(
            period=self.period,
            opened=self.opened,
            resolved=self.resolved,
            first_response=Spread.of(self.times[Target.FIRST_RESPONSE]),
            resolution=Spread.of(self.times[Target.RESOLUTION]),
            compliance={t: Compliance(self.met[t], self.decided[t]) for t in Target},
            escalations={level: self.escalations[level] for level in Level},
            scores={score: self.scores[score] for score in SCORES},
            agents=tuple(done.line(agent) for agent, done in sorted(self.per_agent.items())),
            rated_resolved=self.rated_resolved,
        )


class Measured:
    """One ticket's clock and how long each of its stopped targets took, measured once for the
    tallies of several periods (`Tally.add`): a stopped target's time (`sla.took`, its pauses
    cut at its stop) is the same whatever period's end it is measured at, once past its stop."""

    __slots__ = ("_took", "clock", "ticket")

    def __init__(self, ticket: Ticket, clock: SlaClock) -> None:
        self.ticket, self.clock = ticket, clock
        self._took: dict[Target, tuple[timedelta, bool]] = {}

    def took(self, target: Target, start: datetime, stopped: datetime) -> tuple[timedelta, bool]:
        found = self._took.get(target)
        if found is None:
            pauses = pauses_of(self.ticket, target, stopped)
            found = self._took[target] = took_by(self.clock, target, start, stopped, pauses)
        return found


def due_times(ticket: Ticket, clock: SlaClock, now: datetime) -> dict[Target, datetime]:
    """When each target still running on `ticket` falls due, measured as of `now`. For any
    period ending at or before `now`, whether the due time falls in it reads the same as when
    measured at the period's end: only a wait still going differs between the two, and a due
    time it delays is pushed past the period's end either way (`Tally.add`)."""
    found = {}
    for target in Target:
        start, stopped = round_of(ticket, target)
        if stopped is None:
            found[target] = due_of(clock, target, start, pauses_of(ticket, target, now))
    return found


def summarize(tickets: Iterable[Ticket], clock_for: ClockFor, period: Period) -> Summary:
    """Every figure for `period`, from the tickets that could touch it."""
    tally = Tally(clock_for, period)
    for ticket in tickets:
        tally.add(ticket)
    return tally.summary()


@dataclass
class _AgentTally:
    """What one agent's line counts of the tickets they resolved in the period."""

    resolved: int = 0
    firsts: list[timedelta] = field(default_factory=list)
    resolutions: list[timedelta] = field(default_factory=list)
    scores: list[int] = field(default_factory=list)

    def add(self, ticket: Ticket, took: dict[Target, tuple[timedelta, bool] | None]) -> None:
        """Count `ticket`, with how long each target took and whether it was met (None while
        running), as the period's tally measured them: one measurement per target, not two."""
        self.resolved += 1
        first, whole = took.get(Target.FIRST_RESPONSE), took.get(Target.RESOLUTION)
        if first is not None:
            self.firsts.append(first[0])
        if whole is not None:
            self.resolutions.append(whole[0])
        if ticket.rating is not None and ticket.rating.score is not None:
            self.scores.append(ticket.rating.score)

    def line(self, agent: str) -> AgentLine:
        csat = sum(self.scores) / len(self.scores) if self.scores else None
        return AgentLine(
            agent, self.resolved, median(self.firsts), median(self.resolutions), csat, len(self.scores)
        )


def quality(tickets: list[Ticket], clock_for: ClockFor, period: Period) -> tuple[Summary, Summary]:
    """The period's summary and the one before it, for the changes."""
    return summarize(tickets, clock_for, period), summarize(tickets, clock_for, period.before)
