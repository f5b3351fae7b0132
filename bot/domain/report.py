"""The weekly report (SPEC §11): when it is due, what week it covers, and its figures.

Weeks run Monday to Monday in the desk's time zone. The report sent in a week covers the
week before it and compares it with the week before that; its chart shows the last 12 weeks.
Pure: `now` is passed in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.quality import ClockFor, Period, Summary
from bot.domain.ticket import Ticket
from bot.domain.trend import Trend, trend

CHART_WEEKS = 12


@dataclass(frozen=True)
class WeeklySchedule:
    """`at` local time on `day` (0 = Monday) of each week, in `zone`."""

    day: int
    at: time
    zone: ZoneInfo

    def monday(self, moment: datetime) -> date:
        """The Monday (local) of the week `moment` falls in."""
        local = moment.astimezone(self.zone).date()
        return local - timedelta(days=local.weekday())

    def slot(self, week: date) -> datetime:
        """When the report of the week starting on Monday `week` is due, in UTC."""
        return datetime.combine(week + timedelta(days=self.day), self.at, tzinfo=self.zone).astimezone(UTC)

    def due(self, now: datetime) -> date | None:
        """This week's Monday once its report's time has come (the week's report is then owed
        until it is sent, across restarts), else None."""
        week = self.monday(now)
        return week if self.slot(week) <= now else None

    def covered(self, week: date) -> Period:
        """The week the report sent in `week` covers: the whole week before it."""
        return Period(self._midnight(week - timedelta(days=7)), self._midnight(week))

    def _midnight(self, day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=self.zone).astimezone(UTC)


@dataclass(frozen=True)
class WeeklyReport:
    week: date  # the Monday of the week it is sent in
    last: Summary  # the week covered
    before: Summary  # the week before it
    chart: Trend  # the last CHART_WEEKS weeks, the one covered last


def build_report(
    tickets: Iterable[Ticket], clock_for: ClockFor, schedule: WeeklySchedule, week: date
) -> WeeklyReport:
    period = schedule.covered(week)
    weeks = trend(tickets, clock_for, period.end, timedelta(days=7), CHART_WEEKS)
    return WeeklyReport(week, weeks.periods[-1], weeks.periods[-2], weeks)
