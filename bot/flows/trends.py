"""Trends for leads (`/desk quality`, the weekly report, the lead's Home): the last two periods
counted from the tickets, exactly; the older ones summed from the store's per-day rollups
(`bot.domain.rollup`), so a long reach does not read the history again."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

from bot.collection import paused
from bot.desk import Desk
from bot.domain.quality import Period, Summary
from bot.domain.roles import Team
from bot.domain.rollup import Due, summary_of
from bot.domain.ticket import Ticket
from bot.domain.trend import Trend, TrendTally, periods_ending, trend_start
from store.names import ROLLUPS

EXACT = 2  # periods counted from the tickets: the one shown in full and the one before it


async def trend_of(desk: Desk, team: Team | None, end: datetime, length: timedelta, count: int) -> Trend:
    """The summaries of the `count` periods of `length` ending at `end`, of `team` (the whole
    desk for None). Without rollups (a store the desk did not set them on), all from tickets."""
    kept = desk.store.rollup is not None
    exact = min(EXACT, count) if kept else count
    tally = TrendTally(desk.sla_clock, end, length, exact)
    # Read a month at a time from TinyDB's archive (when it reaches that far), counted as it comes,
    # with the collector held off meanwhile (`bot.collection`: its full collections would walk
    # every ticket read and hold the event loop for their whole length).
    with paused():
        async for piece in desk.store.history_in_pieces(trend_start(end, length, exact)):
            theirs = desk.of_team(piece, team)
            # Pure work over immutable tickets: done on a thread so requests keep flowing.
            await asyncio.to_thread(_count, theirs, tally)
            del piece, theirs
    moved = tally.trend()
    if count > exact:  # (then exact is EXACT: the open tickets were all counted above)
        rows = await desk.store.records(ROLLUPS)
        name = team.name if team is not None else None
        older = periods_ending(end - length * exact, length, count - exact)
        # A sum over the rows for each period, on a thread; the targets still running on the
        # open tickets measured once, by the tally (`TrendTally.dues`), not once per period.
        summed = await asyncio.to_thread(_older, rows, name, tally.dues, older)
        moved = Trend((*summed, *moved.periods))
    return moved


def _older(rows: dict[str, Any], team: str | None, dues: list[Due], periods: list[Period]) -> list[Summary]:
    return [summary_of(rows, period, team, dues=dues) for period in periods]


def _count(tickets: list[Ticket], tally: TrendTally) -> None:
    for ticket in tickets:
        tally.add(ticket)
