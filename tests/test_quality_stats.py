"""The quality statistics as tables: counts, percentiles, SLA compliance, escalations, CSAT, per
agent, business hours, empty periods and the previous period. Pure, `now` passed in."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.escalation import EscalationPolicy, due_notices
from bot.domain.notices import Level
from bot.domain.policy import Clock, SlaPolicy, Target, WorkingCalendar
from bot.domain.priority import Priority
from bot.domain.quality import Period, last, percentile, quality, summarize, touches
from bot.domain.sla import SlaClock
from bot.domain.ticket import Ticket
from tests.factories import T0, make_ticket

BERLIN = ZoneInfo("Europe/Berlin")
CALENDAR = WorkingCalendar(BERLIN, time(9), time(17), frozenset(range(5)), frozenset({date(2026, 12, 25)}))
WALL = SlaClock(SlaPolicy(timedelta(hours=1), timedelta(hours=8), Clock.ALWAYS), CALENDAR)
OFFICE = SlaClock(SlaPolicy(timedelta(hours=4), timedelta(days=3), Clock.BUSINESS), CALENDAR)
BOB, DAVE, ALICE = "U0BOB0001", "U0DAVE001", "U0ALICE01"
H, M, D = timedelta(hours=1), timedelta(minutes=1), timedelta(days=1)
NOW = T0 + 7 * D
WEEK = last(7, NOW)


def clock_for(ticket: Ticket) -> SlaClock:
    return OFFICE if ticket.priority is Priority.P3 else WALL


def worked(number, opened, claim_after, resolve_after, agent=BOB, score=None, rated_after=None):
    """A P2 ticket opened at `opened`, claimed and resolved that long after, maybe rated."""
    ticket = make_ticket(number, at=opened).claim(agent, opened + claim_after)
    if resolve_after is not None:
        ticket = ticket.resolve(agent, "", opened + resolve_after)
    if score is not None:
        ticket = ticket.rate(ALICE, score, opened + (rated_after or resolve_after + H))
    return ticket


def known_week():
    return [
        worked(1, T0 + H, 10 * M, 2 * H, score=5),  # both targets met
        worked(2, T0 + D, 30 * M, 10 * H, score=2),  # resolution missed (8h)
        worked(3, T0 + 2 * D, 90 * M, 3 * H, agent=DAVE),  # first response missed, not rated
        make_ticket(4, at=T0 + 3 * D),  # never claimed: both targets missed while running
        worked(5, T0 - D, 20 * M, H, score=4),  # the week before
    ]


def test_a_known_week():
    summary = summarize(known_week(), clock_for, WEEK)
    assert (summary.opened, summary.resolved) == (4, 3)
    assert summary.first_response.count == 3
    assert (summary.first_response.median, summary.first_response.p90) == (30 * M, 90 * M)
    assert (summary.resolution.median, summary.resolution.p90) == (3 * H, 10 * H)
    fr, res = summary.compliance[Target.FIRST_RESPONSE], summary.compliance[Target.RESOLUTION]
    assert (fr.met, fr.decided, res.met, res.decided) == (2, 4, 2, 4)
    assert fr.share == 0.5
    assert summary.scores == {1: 0, 2: 1, 3: 0, 4: 0, 5: 1}
    assert summary.csat == 3.5 and summary.ratings == 2
    assert summary.response_rate == pytest.approx(2 / 3)
    bob, dave = summary.agents
    assert (bob.agent, bob.resolved, bob.first_response, bob.resolution, bob.csat) == (
        BOB,
        2,
        20 * M,
        6 * H,
        3.5,
    )
    assert (dave.agent, dave.resolved, dave.first_response, dave.resolution, dave.csat) == (
        DAVE,
        1,
        90 * M,
        3 * H,
        None,
    )
    assert not summary.empty


def test_the_previous_period_is_the_same_length_just_before():
    now, before = quality(known_week(), clock_for, WEEK)
    assert before.period == Period(T0 - 7 * D, T0) and now.period == WEEK
    assert (before.opened, before.resolved, before.csat, before.response_rate) == (1, 1, 4.0, 1.0)
    assert before.first_response.median == 20 * M


@pytest.mark.parametrize(
    ("minutes", "p90", "median"),
    [
        ([], None, None),
        ([7], 7, 7),
        ([1, 2], 2, 1.5),
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 9, 5.5),
        ([10, 1, 9, 2, 8, 3, 7, 4, 6, 5, 100], 10, 6),  # ceil(0.9 * 11) = 10th smallest
    ],
)
def test_percentile_is_nearest_rank_and_median_averages_the_middle(minutes, p90, median):
    from bot.domain.quality import Spread

    spread = Spread.of([m * M for m in minutes])
    assert spread.p90 == (p90 * M if p90 is not None else None)
    assert spread.median == (median * M if median is not None else None)
    assert percentile([m * M for m in minutes], 1.0) == (max(minutes) * M if minutes else None)


def test_an_empty_period_says_so_instead_of_zeros_that_mean_something():
    summary = summarize(known_week(), clock_for, Period(NOW + 30 * D, NOW + 37 * D))
    assert summary.empty
    assert summary.csat is None and summary.response_rate is None
    assert summary.first_response.median is None and summary.compliance[Target.RESOLUTION].share is None


def test_times_count_business_hours_where_the_priority_does():
    friday = datetime(2026, 11, 27, 16, 0, tzinfo=BERLIN)
    ticket = make_ticket(1, priority=Priority.P3, at=friday).claim(BOB, friday + 3 * D - 6 * H)  # Mon 10:00
    summary = summarize([ticket], clock_for, Period(friday - D, friday + 4 * D))
    assert summary.first_response.median == 2 * H  # Friday 16-17 and Monday 9-10
    assert summary.compliance[Target.FIRST_RESPONSE].met == 1


def test_escalations_are_counted_by_level_when_raised_in_the_period():
    policy = EscalationPolicy(0.8, 2.0, timedelta(minutes=2), leads=("U0CAROL01",))
    ticket = make_ticket(1, at=T0 + D)
    ticket = ticket.raise_notices(due_notices(ticket, WALL, policy, T0 + D + 2 * H))
    summary = summarize([ticket], clock_for, WEEK)
    assert summary.escalations == {Level.AT_RISK: 1, Level.BREACHED: 1, Level.LEADS: 1}
    assert summarize([ticket], clock_for, WEEK.before).escalations[Level.BREACHED] == 0


def test_a_changed_rating_counts_once_and_a_comment_alone_is_not_a_score():
    ticket = worked(1, T0 + H, 10 * M, 2 * H, score=2)
    ticket = ticket.rate(ALICE, 5, T0 + 4 * H).comment_on_help(ALICE, "Quick, thanks", T0 + 5 * H)
    summary = summarize([ticket], clock_for, WEEK)
    assert summary.scores[5] == 1 and summary.ratings == 1
    only_comment = worked(2, T0 + H, 10 * M, 2 * H).comment_on_help(ALICE, "ok", T0 + 3 * H)
    assert summarize([only_comment], clock_for, WEEK).ratings == 0


def test_only_tickets_that_touch_a_period_are_looked_at():
    """The cheap filter that keeps a long history fast never drops a ticket that counts."""
    week = WEEK
    before = week.start - D
    old_done = worked(1, before - 3 * D, 10 * M, H)
    rated_late = worked(2, before - 3 * D, 10 * M, H, score=4, rated_after=4 * D)  # rated in the week
    reopened = worked(3, before, 10 * M, H).reopen(ALICE, week.start + H)
    assert not touches(old_done, week) and summarize([old_done], clock_for, week).empty
    assert touches(rated_late, week) and summarize([rated_late], clock_for, week).ratings == 1
    assert touches(reopened, week)
    assert touches(make_ticket(4, at=before), week)  # still open: its targets may fall due
    assert not touches(make_ticket(5, at=week.end), week)
