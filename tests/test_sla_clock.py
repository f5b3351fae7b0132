"""The SLA clock as tables: wall time, business hours, weekends, holidays, after hours, DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.policy import Clock, SlaPolicy, WorkingCalendar
from bot.domain.sla import SlaClock, Target, _working_hours, next_target, target_states
from tests.factories import make_ticket

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
CALENDAR = WorkingCalendar(
    BERLIN, time(9), time(17), frozenset({0, 1, 2, 3, 4}), frozenset({date(2026, 12, 25)})
)


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


def business(first: timedelta = timedelta(hours=4), calendar: WorkingCalendar = CALENDAR) -> SlaClock:
    return SlaClock(SlaPolicy(first, timedelta(days=3), Clock.BUSINESS), calendar)


H = timedelta(hours=1)


@pytest.mark.parametrize(
    ("start", "length", "due"),
    [
        # inside business hours, same day
        (berlin(2026, 11, 24, 10, 0), 4 * H, berlin(2026, 11, 24, 14, 0)),
        # runs past closing: the rest counts from the next morning
        (berlin(2026, 11, 24, 15, 0), 4 * H, berlin(2026, 11, 25, 11, 0)),
        # raised after hours: the clock starts at the next opening
        (berlin(2026, 11, 24, 20, 30), 4 * H, berlin(2026, 11, 25, 13, 0)),
        # raised before opening
        (berlin(2026, 11, 24, 6, 0), 1 * H, berlin(2026, 11, 24, 10, 0)),
        # Friday afternoon: the weekend does not count
        (berlin(2026, 11, 27, 16, 0), 4 * H, berlin(2026, 11, 30, 12, 0)),
        # raised on a Saturday
        (berlin(2026, 11, 28, 11, 0), 2 * H, berlin(2026, 11, 30, 11, 0)),
        # a holiday (Fri 25 Dec 2026) is skipped like a weekend
        (berlin(2026, 12, 24, 16, 0), 2 * H, berlin(2026, 12, 28, 10, 0)),
        # exactly at closing time
        (berlin(2026, 11, 24, 17, 0), 1 * H, berlin(2026, 11, 25, 10, 0)),
        # a day on the business clock is a working day: "3d" from Tue 9:00 ends Thu 17:00
        (berlin(2026, 11, 24, 9, 0), timedelta(days=3), berlin(2026, 11, 26, 17, 0)),
        # "1d" raised Friday 14:00 is due Monday 14:00
        (berlin(2026, 11, 27, 14, 0), timedelta(days=1), berlin(2026, 11, 30, 14, 0)),
        # days and hours together: 1 working day and 2 hours
        (berlin(2026, 11, 24, 9, 0), timedelta(days=1, hours=2), berlin(2026, 11, 25, 11, 0)),
    ],
)
def test_business_due_times(start, length, due):
    assert business().due(start, length) == due


@pytest.mark.parametrize(
    ("start", "end", "counted"),
    [
        (berlin(2026, 11, 24, 10, 0), berlin(2026, 11, 24, 12, 30), timedelta(hours=2, minutes=30)),
        (berlin(2026, 11, 24, 16, 0), berlin(2026, 11, 25, 10, 0), 2 * H),
        (berlin(2026, 11, 27, 16, 0), berlin(2026, 11, 30, 9, 0), 1 * H),  # over a weekend
        (berlin(2026, 11, 28, 10, 0), berlin(2026, 11, 29, 18, 0), timedelta(0)),  # all weekend
        (berlin(2026, 11, 24, 12, 0), berlin(2026, 11, 24, 11, 0), timedelta(0)),  # end before start
    ],
)
def test_business_time_counted(start, end, counted):
    assert business().counted(start, end) == counted


def test_a_business_target_allows_its_working_time():
    clock = business(timedelta(days=3))
    assert clock.budget(timedelta(days=3)) == 24 * H and clock.budget(4 * H) == 4 * H
    ticket = make_ticket(at=berlin(2026, 11, 27, 16, 0))  # Friday, an hour before closing
    first = target_states(ticket, clock, berlin(2026, 11, 30, 10, 0))[0]  # Monday 10:00
    assert first.left == 22 * H and first.used == pytest.approx(2 / 24)


def test_wall_clock_counts_every_hour():
    clock = SlaClock(SlaPolicy(H, 4 * H, Clock.ALWAYS), CALENDAR)
    start = berlin(2026, 11, 28, 23, 30)  # a Saturday night
    assert clock.due(start, H) == berlin(2026, 11, 29, 0, 30)
    assert clock.counted(start, start + 3 * H) == 3 * H


@pytest.mark.parametrize(
    ("start", "due"),
    [
        # spring forward in New York (Sun 8 Mar 2026): Friday 16:00 + 2 business hours is
        # Monday 10:00 local, which is 14:00 UTC (EDT), not 15:00 (EST)
        (datetime(2026, 3, 6, 16, 0, tzinfo=NEW_YORK), datetime(2026, 3, 9, 14, 0, tzinfo=UTC)),
        # fall back (Sun 1 Nov 2026): Monday 10:00 local is 15:00 UTC (EST)
        (datetime(2026, 10, 30, 16, 0, tzinfo=NEW_YORK), datetime(2026, 11, 2, 15, 0, tzinfo=UTC)),
    ],
)
def test_business_hours_follow_the_local_clock_across_dst(start, due):
    calendar = WorkingCalendar(NEW_YORK, time(9), time(17))
    assert business(calendar=calendar).due(start, 2 * H) == due


def test_wall_clock_across_dst_counts_real_hours():
    # The night Berlin falls back (Sun 25 Oct 2026) has 25 hours: 02:00-03:00 happens twice.
    clock = SlaClock(SlaPolicy(H, 24 * H, Clock.ALWAYS), CALENDAR)
    start = berlin(2026, 10, 24, 12, 0)
    assert clock.due(start, 24 * H).astimezone(BERLIN).hour == 11


def test_targets_stop_at_claim_and_resolve_and_restart_on_reopen():
    clock = SlaClock(SlaPolicy(H, 4 * H, Clock.ALWAYS), CALENDAR)
    opened = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    ticket = make_ticket(at=opened)
    first, resolution = target_states(ticket, clock, opened + timedelta(minutes=45))
    assert (first.target, first.left, first.running) == (Target.FIRST_RESPONSE, timedelta(minutes=15), True)
    assert first.used == pytest.approx(0.75)
    assert resolution.left == timedelta(hours=3, minutes=15)

    late = target_states(ticket, clock, opened + timedelta(minutes=90))[0]
    assert late.breached and late.left == -timedelta(minutes=30) and late.used == pytest.approx(1.5)

    claimed = ticket.claim("U0BOB0001", opened + timedelta(minutes=30))
    first = target_states(claimed, clock, opened + 5 * H)[0]
    assert not first.running and not first.breached and first.left == timedelta(minutes=30)
    assert next_target(claimed, clock, opened + 2 * H).target is Target.RESOLUTION

    resolved = claimed.resolve("U0BOB0001", "fixed", opened + 2 * H)
    assert next_target(resolved, clock, opened + 3 * H) is None
    reopened = resolved.reopen("U0ALICE01", opened + 10 * H)
    again = next_target(reopened, clock, opened + 11 * H)
    assert again.target is Target.RESOLUTION and again.left == 3 * H  # counted from the reopen


def test_a_calendar_without_working_hours_is_refused_not_looped_forever():
    calendar = WorkingCalendar(BERLIN, time(9), time(17), frozenset())
    with pytest.raises(ValueError, match="no working hours"):
        business(calendar=calendar).due(berlin(2026, 11, 24, 9, 0), H)


def _counted_by_walking(clock: SlaClock, start: datetime, end: datetime) -> timedelta:
    """Counted business time as the clock's general case walks it: each working day's hours
    from the day `start` falls on, up to `end`."""
    total = timedelta(0)
    for opens, closes in _working_hours(clock.calendar, start):
        if opens >= end:
            break
        total += max(min(closes, end) - max(opens, start), timedelta(0))
    return total


@settings(max_examples=400, deadline=None)
@given(
    start=st.datetimes(datetime(2026, 3, 20), datetime(2026, 11, 5), timezones=st.just(UTC)),
    took=st.timedeltas(timedelta(0), timedelta(days=4)),
    zone=st.sampled_from([BERLIN, NEW_YORK, ZoneInfo("Asia/Shanghai")]),
)
def test_counted_time_within_one_working_day_is_what_walking_the_days_gives(start, took, zone):
    """`counted` answers a span that ends within the working day it starts on without walking
    the days (most first responses): the same answer as the walk, to the microsecond, before,
    inside and after business hours, on weekends and a holiday, and across Europe's DST
    changes of March and October (within the range drawn)."""
    calendar = WorkingCalendar(
        zone, time(9), time(17), frozenset({0, 1, 2, 3, 4}), frozenset({date(2026, 10, 26)})
    )
    clock = business(calendar=calendar)
    end = start + took
    assert clock.counted(start, end) == _counted_by_walking(clock, start, end)
