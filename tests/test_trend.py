"""Sparklines and trends (SPEC §11): one pure function for the bars, fed by the quality
summary's own figures; periods with nothing to measure are gaps, not zeros."""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise

import pytest

from bot.domain.policy import Clock, SlaPolicy, WorkingCalendar
from bot.domain.quality import last, quality
from bot.domain.sla import SlaClock
from bot.domain.trend import periods_ending, sparkline, trend
from bot.slack.quality_blocks import quality_answer
from bot.slack.trend_blocks import trend_lines
from tests.factories import T0, make_ticket
from tests.harness import blocks_text

WALL = SlaClock(SlaPolicy(timedelta(hours=1), timedelta(hours=8), Clock.ALWAYS), WorkingCalendar(T0.tzinfo))
WEEK = timedelta(days=7)


@pytest.mark.parametrize(
    ("values", "drawn"),
    [
        ([3, 3, 3, 3], "▄▄▄▄"),  # constant: level, mid-height
        ([0, 0, 0], "▁▁▁"),  # nothing, every time: the lowest
        ([1, 2, 3, 4, 5, 6, 7, 8], "▁▂▃▄▅▆▇█"),  # rising: lowest to highest
        ([8, 1], "█▁"),
        ([0, 10, 5], "▁█▅"),  # 5 of 0..10 rounds to the middle bar but one
        ([None, 2, None, 4], " ▁ █"),  # nothing measured: a gap, not a zero
        ([None, None], "  "),
        ([7], "▄"),  # one point
        ([], ""),
        ([0.5, 0.75, 1.0], "▁▅█"),  # shares
    ],
)
def test_sparkline(values, drawn):
    assert sparkline(values) == drawn


def test_periods_run_back_to_back_and_end_now():
    periods = periods_ending(T0, WEEK, 3)
    assert [p.end for p in periods] == [T0 - 2 * WEEK, T0 - WEEK, T0]
    assert all(a.end == b.start for a, b in pairwise(periods))


def test_a_trend_is_the_summaries_of_each_period():
    tickets = []
    for week in range(4):  # week w (0 = oldest of the last 4): w + 1 tickets, answered in (w + 1) * 10m
        opened = T0 - (4 - week) * WEEK + timedelta(days=1)
        for i in range(week + 1):
            number = len(tickets) + 1
            ticket = make_ticket(number, at=opened + timedelta(minutes=i))
            ticket = ticket.claim("U0BOB0001", ticket.opened_at + timedelta(minutes=10 * (week + 1)))
            tickets.append(ticket)
    rated = (
        tickets[-1]
        .resolve("U0BOB0001", "", T0 - timedelta(days=5))
        .rate("U0ALICE01", 4, T0 - timedelta(days=5))
    )
    tickets[-1] = rated
    shown = trend(tickets, lambda _: WALL, T0, WEEK, count=5)
    assert shown.opened == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert shown.first_response == [None, 10.0, 20.0, 30.0, 40.0]
    assert shown.csat == [None, None, None, None, 4.0]
    assert sparkline(shown.opened) == "▁▃▅▆█"
    assert sparkline(shown.csat) == "    ▄"


def test_the_lines_show_bars_then_the_latest_value_and_a_dash_for_nothing():
    tickets = [
        make_ticket(1, at=T0 - timedelta(days=10)).claim("U0BOB0001", T0 - timedelta(days=10, minutes=-25))
    ]
    shown = trend(tickets, lambda _: WALL, T0, WEEK, count=3)
    lines = trend_lines(shown)
    assert lines[0] == "▁█▁  Opened · 0"  # none, one, none: the latest week opened nothing
    assert lines[1] == " ▄   First response p50 · –"
    assert lines[3] == "     CSAT · –"


def test_quality_and_the_digest_carry_the_sparklines():
    tickets = [
        make_ticket(1, at=T0 - timedelta(days=3)).claim("U0BOB0001", T0 - timedelta(days=3, minutes=-30))
    ]
    moved = trend(tickets, lambda _: WALL, T0, WEEK)
    summary, before = quality(tickets, lambda _: WALL, last(7, T0))
    _, blocks = quality_answer(summary, before, 7, T0.tzinfo, moved)
    words = blocks_text(blocks)
    assert "*Last 8 weeks* (oldest first; a gap: nothing to measure)" in words
    assert "▁▁▁▁▁▁▁█  Opened · 1" in words and "       ▄  First response p50 · 30m" in words
