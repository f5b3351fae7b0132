"""The digest counted in one pass (`build_digest`): its figures are the ones the straightforward
computation gives on any history. The reference below is `build_digest` as it was before it
shared anything: each summary by `summarize`, the trend by `trend`, and the backlog of each
moment by `backlog_at` measuring every target of every open ticket in full (`sla.measure`)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import example, given
from hypothesis import strategies as st

from bot.domain.digest import (
    Backlog,
    Digest,
    DigestSchedule,
    Watched,
    _open_rounds,
    assigned_at,
    backlog_at,
    backlogs_at,
    build_digest,
)
from bot.domain.policy import Target
from bot.domain.priority import Priority
from bot.domain.quality import summarize
from bot.domain.sla import measure, pauses_of
from bot.domain.ticket import Ticket
from bot.domain.trend import trend
from tests.factories import T0
from tests.test_rollups import RUNS, clock_for, history, lives

BERLIN, NEW_YORK = ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")
WEEKDAYS, EVERY_DAY, MONDAYS = frozenset(range(5)), frozenset(range(7)), frozenset({0})


def _backlog_measuring_everything(tickets: list[Ticket], warn_at: float, moment: datetime) -> Backlog:
    """`backlog_at` as it was: both targets of every ticket open at `moment` measured in full."""
    counts = dict.fromkeys(Priority, 0)
    unclaimed: list[Ticket] = []
    assigned: list[Ticket] = []
    at_risk: list[Watched] = []
    overdue: list[Watched] = []
    for ticket in tickets:
        rounds = _open_rounds(ticket, moment)
        if rounds is None:
            continue
        counts[ticket.priority] += 1
        if rounds[Target.FIRST_RESPONSE][1] is None:
            (assigned if assigned_at(ticket, moment) else unclaimed).append(ticket)
        clock = clock_for(ticket)
        states = [
            measure(clock, target, *rounds[target], moment, pauses_of(ticket, target, moment))
            for target in Target
        ]
        running = [state for state in states if state.running]
        missed = [state for state in running if state.breached]
        risky = [state for state in running if state.at_risk(warn_at)]
        if missed:
            overdue.append(Watched(ticket, missed[0]))
        elif risky:
            at_risk.append(Watched(ticket, risky[0]))
    return Backlog(
        moment=moment,
        by_priority=counts,
        unclaimed=len(unclaimed),
        oldest_unclaimed=min(unclaimed, key=lambda t: (t.opened_at, t.number), default=None),
        assigned=len(assigned),
        at_risk=tuple(sorted(at_risk, key=lambda w: w.state.due)),
        overdue=tuple(sorted(overdue, key=lambda w: w.state.due)),
    )


def _digest_counted_apart(
    tickets: list[Ticket], warn_at: float, schedule: DigestSchedule, day: date, now: datetime
) -> Digest:
    """`build_digest` as it was: every part counted on its own."""
    period = schedule.reported(day)
    earlier = now - (period.end - period.start)
    return Digest(
        day=day,
        summary=summarize(tickets, clock_for, period),
        before=summarize(tickets, clock_for, schedule.before(period)),
        backlog=_backlog_measuring_everything(tickets, warn_at, now),
        backlog_before=_backlog_measuring_everything(tickets, warn_at, earlier),
        trend=trend(tickets, clock_for, period.end, period.end - period.start),
    )


@RUNS
@given(
    history,
    st.integers(-12 * 24 * 60, 50 * 24 * 60),  # the digest's moment, minutes after T0
    st.sampled_from([WEEKDAYS, EVERY_DAY, MONDAYS]),
    st.sampled_from([BERLIN, NEW_YORK]),
    st.sampled_from([0.5, 0.75, 0.9]),
    st.booleans(),  # the tickets as they stand now, or as they stood at some step
)
@example(  # a wait still going: the backlog's two moments wait for different lengths
    [(0, "Hardware", Priority.P3, [("claim", 0, 5, 1), ("wait", 0, 30, 1)])],
    3 * 24 * 60,
    EVERY_DAY,
    BERLIN,
    0.75,
    False,
)
@example(  # at risk when it began waiting, and still waiting at both moments: two due times
    [(0, "Hardware", Priority.P2, [("claim", 0, 5, 1), ("wait", 0, 7 * 60, 1)])],
    2 * 24 * 60,
    EVERY_DAY,
    BERLIN,
    0.75,
    False,
)
@example(  # Monday 2 November in New York: Friday to Sunday has an hour more than the days before
    [(0, "Hardware", Priority.P3, [("claim", 0, 5, 1)]), (-3 * 24 * 60, "Access", Priority.P2, [])],
    12 * 60,
    WEEKDAYS,
    NEW_YORK,
    0.75,
    False,
)
@example(  # reopened between the two moments: a round of its own at each
    [(0, "Hardware", Priority.P3, [("claim", 0, 5, 1), ("resolve", 0, 600, 1), ("reopen", 0, 900, 1)])],
    3 * 24 * 60,
    EVERY_DAY,
    BERLIN,
    0.5,
    False,
)
def test_the_digest_in_one_pass_is_the_digest_counted_apart(spec, minutes, days, zone, warn_at, midway):
    """Summary, the period before, both backlogs (states of the watched tickets included) and
    the trend: equal, figure for figure, to counting each apart."""
    states = lives(spec)
    tickets = [life[len(life) // 2] if midway else life[-1] for life in states]
    now = T0 + timedelta(minutes=minutes)
    schedule = DigestSchedule(time(9), days, zone)
    day = now.astimezone(zone).date()
    found = build_digest(tickets, clock_for, warn_at, schedule, day, now)
    assert found == _digest_counted_apart(tickets, warn_at, schedule, day, now)


@RUNS
@given(history, st.lists(st.integers(-5 * 24 * 60, 60 * 24 * 60), min_size=1, max_size=4))
def test_the_backlog_measured_once_is_the_backlog_measured_in_full(spec, minutes):
    """`backlog_at` (the lead's Home asks it too) measures only the running targets, each once."""
    tickets = [life[-1] for life in lives(spec)]
    for moment in (T0 + timedelta(minutes=m) for m in minutes):
        assert backlog_at(tickets, clock_for, 0.75, moment) == _backlog_measuring_everything(
            tickets, 0.75, moment
        )


def test_a_target_open_for_years_is_measured_as_before():
    """Past what the business clock looks ahead (`sla.MAX_DAYS`), each moment measured alone."""
    from tests.factories import make_ticket

    old = make_ticket(1, at=datetime(2022, 1, 3, 9, tzinfo=UTC), priority=Priority.P3)
    now = datetime(2026, 1, 5, 9, tzinfo=UTC)
    moments = (now - timedelta(days=1), now)
    found = backlogs_at([old], clock_for, 0.75, moments)
    assert found == [_backlog_measuring_everything([old], 0.75, moment) for moment in moments]
