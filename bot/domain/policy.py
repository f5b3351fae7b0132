"""What the desk promises: response-time targets per priority and the working calendar."""

from dataclasses import dataclass
from datetime import date, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo


class Clock(StrEnum):
    """How an SLA target's time is counted."""

    ALWAYS = "always"  # wall time, 24x7
    BUSINESS = "business"  # only business hours on work days, skipping holidays


@dataclass(frozen=True)
class SlaPolicy:
    """The targets for one priority."""

    first_response: timedelta
    resolution: timedelta
    clock: Clock = Clock.ALWAYS


@dataclass(frozen=True)
class WorkingCalendar:
    """When the desk is staffed, in its own time zone. Weekdays are 0=Monday .. 6=Sunday."""

    timezone: ZoneInfo
    opens: time = time(9, 0)
    closes: time = time(17, 0)
    work_days: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    holidays: frozenset[date] = frozenset()
