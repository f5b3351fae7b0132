"""The escalation policy as tables: which notices are due when, where they go, late or not."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.escalation import EscalationPolicy, due_notices, next_notice_at
from bot.domain.notices import TRIAGE, Level, to_person
from bot.domain.policy import Clock, SlaPolicy, Target, WorkingCalendar
from bot.domain.priority import Priority
from bot.domain.sla import SlaClock
from tests.factories import T0, make_ticket

BERLIN = ZoneInfo("Europe/Berlin")
CALENDAR = WorkingCalendar(
    BERLIN, time(9), time(17), frozenset({0, 1, 2, 3, 4}), frozenset({date(2026, 12, 25)})
)
WALL = SlaClock(SlaPolicy(timedelta(hours=1), timedelta(hours=8), Clock.ALWAYS), CALENDAR)
OFFICE = SlaClock(SlaPolicy(timedelta(hours=4), timedelta(days=3), Clock.BUSINESS), CALENDAR)
POLICY = EscalationPolicy(
    warn_at=0.8, leads_at=2.0, late_after=timedelta(minutes=2), leads=("U0LEAD1", "U0LEAD2")
)
BOB = "U0BOB0001"
M = timedelta(minutes=1)


def due(ticket, clock, at: datetime, policy: EscalationPolicy = POLICY):
    return [(n.target, n.level) for n in due_notices(ticket, clock, policy, at)]


def raised(ticket, clock, at: datetime):
    """The ticket after a sweep at `at` recorded whatever was due."""
    return ticket.raise_notices(due_notices(ticket, clock, POLICY, at))


FR, RES = Target.FIRST_RESPONSE, Target.RESOLUTION


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        (47 * M, []),
        (48 * M, [(FR, Level.AT_RISK)]),  # 80% of 1h
        (60 * M, [(FR, Level.AT_RISK), (FR, Level.BREACHED)]),  # never skipped, in the order reached
        (120 * M, [(FR, Level.AT_RISK), (FR, Level.BREACHED), (FR, Level.LEADS)]),
        (
            (6 * 60 + 24) * M,  # 80% of the 8h resolution as well
            [(FR, Level.AT_RISK), (FR, Level.BREACHED), (FR, Level.LEADS), (RES, Level.AT_RISK)],
        ),
    ],
)
def test_an_unclaimed_ticket_on_the_wall_clock_reaches_each_level_at_its_fraction(after, expected):
    assert due(make_ticket(), WALL, T0 + after) == expected


def test_each_notice_is_due_once_per_target_and_level():
    ticket = raised(make_ticket(), WALL, T0 + 48 * M)
    assert due(ticket, WALL, T0 + 50 * M) == []
    assert due(ticket, WALL, T0 + 61 * M) == [(FR, Level.BREACHED)]
    ticket = raised(ticket, WALL, T0 + 61 * M)
    assert due(ticket, WALL, T0 + 119 * M) == []
    assert due(ticket, WALL, T0 + 120 * M) == [(FR, Level.LEADS)]


def test_the_next_notice_is_the_earliest_level_not_yet_raised():
    ticket = make_ticket()
    assert next_notice_at(ticket, WALL, POLICY) == T0 + 48 * M
    ticket = raised(ticket, WALL, T0 + 61 * M)  # at risk and breached raised
    assert next_notice_at(ticket, WALL, POLICY) == T0 + 120 * M  # leads, before resolution's 6h 24m
    ticket = raised(ticket, WALL, T0 + 120 * M).claim(BOB, T0 + 121 * M)
    assert next_notice_at(ticket, WALL, POLICY) == T0 + (6 * 60 + 24) * M
    assert next_notice_at(ticket.resolve(BOB, "", T0 + 122 * M), WALL, POLICY) is None
    # Walking from one moment to the next raises exactly what due_notices raises at each.
    walked, at = make_ticket(), next_notice_at(make_ticket(), WALL, POLICY)
    steps = []
    while at is not None and at < T0 + 24 * 60 * M:
        steps += due(walked, WALL, at)
        walked = raised(walked, WALL, at)
        at = next_notice_at(walked, WALL, POLICY)
    assert steps == [
        (FR, Level.AT_RISK),
        (FR, Level.BREACHED),
        (FR, Level.LEADS),
        (RES, Level.AT_RISK),
        (RES, Level.BREACHED),
        (RES, Level.LEADS),
    ]
    assert not any(notice.late for notice in walked.notices)


def test_a_claim_in_time_stops_the_first_response_escalation():
    ticket = make_ticket().claim(BOB, T0 + 30 * M)
    assert due(ticket, WALL, T0 + 5 * 60 * M) == []
    [notice] = due_notices(ticket, WALL, POLICY, T0 + (6 * 60 + 24) * M)
    assert (notice.target, notice.level) == (RES, Level.AT_RISK)
    assert notice.owed == (to_person(BOB),), "at risk goes to the assignee by DM"


def test_where_each_level_goes():
    notices = due_notices(make_ticket(), WALL, POLICY, T0 + 2 * 60 * M)
    assert [n.owed for n in notices] == [(TRIAGE,), (TRIAGE,), (to_person("U0LEAD1"), to_person("U0LEAD2"))]
    claimed_late = make_ticket().claim(BOB, T0 + 3 * 60 * M)
    resolution = due_notices(claimed_late, WALL, POLICY, T0 + 9 * 60 * M)
    assert [(n.target, n.level, n.owed) for n in resolution if n.target is RES] == [
        (RES, Level.AT_RISK, (to_person(BOB),)),
        (RES, Level.BREACHED, (TRIAGE,)),
    ]


def test_with_no_leads_the_leads_level_is_recorded_with_nowhere_to_go():
    policy = EscalationPolicy(0.8, 2.0, timedelta(minutes=2))
    [*_, leads] = due_notices(make_ticket(), WALL, policy, T0 + 2 * 60 * M)
    assert leads.level is Level.LEADS and leads.owed == ()


def test_a_resolved_ticket_is_due_nothing():
    ticket = make_ticket().resolve(BOB, "fixed", T0 + 10 * M)
    assert due(ticket, WALL, T0 + 30 * 60 * M) == []


def test_a_reopen_starts_a_new_round_of_the_resolution_target():
    ticket = make_ticket().claim(BOB, T0 + 5 * M)
    ticket = raised(ticket, WALL, T0 + 9 * 60 * M)  # at risk and breached in the first round
    assert due(ticket, WALL, T0 + 9 * 60 * M) == []
    back = ticket.resolve(BOB, "", T0 + 10 * 60 * M).reopen("U0ALICE01", T0 + 11 * 60 * M)
    assert due(back, WALL, T0 + 11 * 60 * M + 6 * 60 * M) == []
    assert due(back, WALL, T0 + 11 * 60 * M + (6 * 60 + 24) * M) == [(RES, Level.AT_RISK)]


@pytest.mark.parametrize(
    ("noticed_after_due", "late"),
    [(timedelta(0), False), (timedelta(minutes=2), False), (timedelta(minutes=2, seconds=1), True)],
)
def test_a_notice_raised_well_after_it_fell_due_is_marked_late(noticed_after_due, late):
    [notice] = due_notices(make_ticket(), WALL, POLICY, T0 + 48 * M + noticed_after_due)
    assert notice.due_at == T0 + 48 * M
    assert notice.late is late


def test_after_a_long_outage_every_level_comes_late_in_order():
    notices = due_notices(make_ticket(), WALL, POLICY, T0 + 16 * 60 * M)  # 200% of the 8h resolution
    assert [n.due_at for n in notices] == sorted(n.due_at for n in notices)
    assert [n.late for n in notices] == [True] * 5 + [False], "the last one fell due just now"


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


@pytest.mark.parametrize(
    ("opened", "at_risk_at"),
    [
        # 80% of 4 business hours = 3h12m of working time
        (berlin(2026, 11, 24, 10, 0), berlin(2026, 11, 24, 13, 12)),
        # Friday 16:00: one hour on Friday, the rest on Monday morning
        (berlin(2026, 11, 27, 16, 0), berlin(2026, 11, 30, 11, 12)),
        # raised on Saturday: the clock starts on Monday at opening
        (berlin(2026, 11, 28, 12, 0), berlin(2026, 11, 30, 12, 12)),
        # raised the evening before Christmas Day: the holiday is skipped
        (berlin(2026, 12, 24, 18, 0), berlin(2026, 12, 28, 12, 12)),
    ],
)
def test_on_the_business_clock_at_risk_counts_working_time_only(opened, at_risk_at):
    ticket = make_ticket(priority=Priority.P3, at=opened)
    assert due(ticket, OFFICE, at_risk_at - timedelta(seconds=1)) == []
    assert due(ticket, OFFICE, at_risk_at) == [(FR, Level.AT_RISK)]


def test_business_days_of_a_target_are_working_days_for_every_fraction():
    ticket = make_ticket(priority=Priority.P3, at=berlin(2026, 11, 23, 9, 0)).claim(
        BOB, berlin(2026, 11, 23, 9, 5)
    )
    # 3d resolution = 3 working days of 8h = 24h; breached at 100%, Wednesday 17:00
    assert due(ticket, OFFICE, berlin(2026, 11, 25, 16, 59)) == [(RES, Level.AT_RISK)]
    assert due(ticket, OFFICE, berlin(2026, 11, 25, 17, 0)) == [(RES, Level.AT_RISK), (RES, Level.BREACHED)]
    # leads at 200% = 48 working hours: the sixth working day ends Monday 30 Nov at 17:00
    assert (RES, Level.LEADS) not in due(ticket, OFFICE, berlin(2026, 11, 30, 16, 59))
    assert (RES, Level.LEADS) in due(ticket, OFFICE, berlin(2026, 11, 30, 17, 0))
