"""What the desk promises: response-time targets per priority and the working calendar."""

from dataclasses import dataclass
from datetime import date, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo


class Clock(StrEnum):
    """How an SLA target's time is counted."""

    ALWAYS = "always"  # wall time, 24x7
    BUSINESS = "business"  # only business hours on work days, skipping holidays


class Target(StrEnum):
    """The two promises made for every ticket."""

    FIRST_RESPONSE = "first_response"  # stops when an agent claims the ticket
    RESOLUTION = "resolution"  # stops at resolve; starts over on reopen

    @property
    def words(self) -> str:
        return "first response" if self is Target.FIRST_RESPONSE else "resolution"


@dataclass(frozen=True)
class SlaPolicy:
    """The targets for one priority."""

    first_response: timedelta
    resolution: timedelta
    clock: Clock = Clock.ALWAYS

    def length(self, target: Target) -> timedelta:
        return self.first_response if target is Target.FIRST_RESPONSE else self.resolution


@dataclass(frozen=True)
class WorkingCalendar:
    """When the desk is staffed, in its own time zone. Weekdays are 0=Monday .. 6=Sunday."""

    timezone: ZoneInfo
    opens: time = time(9, 0)
    closes: time = time(17, 0)
    work_days: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    holidays: frozenset[date] = frozenset()
