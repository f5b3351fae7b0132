"""Trends: how the desk's figures moved over the last few periods, drawn as sparklines.

The figures are the quality summary's own (`bot.domain.quality.summarize`), so a sparkline and
the number beside it never disagree. A period with nothing to measure (no ratings, no target
decided) is a gap, never a zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.policy import Target
from bot.domain.quality import ClockFor, Measured, Period, Summary, Tally, due_times, touches
from bot.domain.ticket import Ticket

BARS = "▁▂▃▄▅▆▇█"
GAP = "\u00a0"  # a period with nothing to measure: a space no renderer collapses
WEEKS = 8


def sparkline(values: Sequence[float | None]) -> str:
    """One bar per value, oldest first, scaled from the smallest to the largest present value;
    all the same (or only one) shows mid-height bars, or the lowest when they are all zero;
    `None` is a gap."""
    present = [v for v in values if v is not None]
    if not present:
        return GAP * len(values)
    low, high = min(present), max(present)
    if high == low:
        level = BARS[0] if high == 0 else BARS[3]
        return "".join(GAP if v is None else level for v in values)
    top = len(BARS) - 1
    return "".join(GAP if v is None else BARS[round((v - low) / (high - low) * top)] for v in values)


def met_share(summary: Summary) -> float | None:
    """The share of targets decided in the period that were met (both targets together)."""
    decided = sum(summary.compliance[t].decided for t in Target)
    return sum(summary.compliance[t].met for t in Target) / decided if decided else None


def minutes(span: timedelta | None) -> float | None:
    return span.total_seconds() / 60 if span is not None else None


@dataclass(frozen=True)
class Trend:
    """The figures of consecutive periods, oldest first; the last is the current one."""

    periods: tuple[Summary, ...]

    @property
    def opened(self) -> list[float | None]:
        return [float(s.opened) for s in self.periods]

    @property
    def resolved(self) -> list[float | None]:
        return [float(s.resolved) for s in self.periods]

    @property
    def first_response(self) -> list[float | None]:
        """The median first response, in minutes."""
        return [minutes(s.first_response.median) for s in self.periods]

    @property
    def sla_met(self) -> list[float | None]:
        return [met_share(s) for s in self.periods]

    @property
    def csat(self) -> list[float | None]:
        return [s.csat for s in self.periods]


def periods_ending(end: datetime, length: timedelta, count: int) -> list[Period]:
    """`count` back-to-back periods of `length`, the last one ending at `end`, oldest first."""
    return [Period(end - length * (count - i), end - length * (count - 1 - i)) for i in range(count)]


def trend_start(end: datetime, length: timedelta, count: int = WEEKS) -> datetime:
    """How far back `trend(…, end, length, count)` reaches."""
    return end - length * count


class TrendTally:
    """The trend of the `count` periods of `length` ending at `end`, counted a ticket at a
    time (`add`); `trend()` at the end. Tickets that cannot touch the whole span are left out
    at once, so a long history costs one test each, not `count`."""

    def __init__(self, clock_for: ClockFor, end: datetime, length: timedelta, count: int = WEEKS) -> None:
        self.clock_for = clock_for
        # The open tickets' running targets seen (opened, target, due as of `end`): what the
        # periods before these count as missed from them (`bot.domain.rollup.summary_of`).
        self.dues: list[tuple[datetime, Target, datetime]] = []
        self.tallies = [Tally(clock_for, period) for period in periods_ending(end, length, count)]
        self.span = Period(self.tallies[0].period.start, end) if self.tallies else None

    def add(self, ticket: Ticket) -> None:
        if self.span is not None and touches(ticket, self.span):
            # Running targets measured once for every period (`due_times`), not once each.
            # Its clock and its stopped targets' times too (`Measured`), once for every period.
            shared = Measured(ticket, self.clock_for(ticket))
            dues = due_times(ticket, shared.clock, self.span.end) if ticket.is_open else None
            self.dues += ((ticket.opened_at, target, at) for target, at in (dues or {}).items())
            for tally in self.tallies:
                tally.add(ticket, dues, shared)

    def trend(self) -> Trend:
        return Trend(tuple(tally.summary() for tally in self.tallies))


def trend(
    tickets: Iterable[Ticket], clock_for: ClockFor, end: datetime, length: timedelta, count: int = WEEKS
) -> Trend:
    """The summaries of the `count` periods of `length` ending at `end`."""
    tally = TrendTally(clock_for, end, length, count)
    for ticket in tickets:
        tally.add(ticket)
    return tally.trend()
