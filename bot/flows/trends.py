"""Trends for leads (`/desk quality`, the weekly report, the lead's Home): the period shown
counted from the tickets, exactly, and the one before it too while the desk holds its tickets
in memory (the window, `store.keep_in_memory`); beyond the window, that one from the store's
per-day rollups (`bot.domain.rollup`) for its whole UTC days and from the tickets of its two
edge days (a bounded read: `Store.history_between`), so its counts stay exact without
decoding months of history; the older ones summed from the rollups, so a long reach does not
read the history again."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

from bot.collection import paused
from bot.desk import Desk
from bot.domain.quality import Period, Summary, Tally
from bot.domain.roles import Team
from bot.domain.rollup import Due, blended, inner_days, summary_of
from bot.domain.ticket import Ticket
from bot.domain.trend import Trend, TrendTally, periods_ending, trend_start
from store.names import ROLLUPS

EXACT = 2  # periods counted from the tickets: the one shown in full and the one before it
LET_GO = 500  # tickets freed at a time once counted (`_count`)


async def trend_of(desk: Desk, team: Team | None, end: datetime, length: timedelta, count: int) -> Trend:
    """The summaries of the `count` periods of `length` ending at `end`, of `team` (the whole
    desk for None). Without rollups (a store the desk did not set them on), all from tickets."""
    kept = desk.store.rollup is not None
    exact = min(EXACT, count) if kept else count
    periods = periods_ending(end, length, count)
    # The period before the one shown, when it reaches beyond the window: its whole UTC days
    # from the rollups, its partial edge days from their tickets (`rollup.blended`): the one
    # at its end from the window's, the one at its start read alone (`history_between`).
    before = periods[-2] if kept and exact == EXACT else None
    blend = before is not None and before.start < window_start(desk) and _has_inner_days(before)
    if blend:
        exact = 1
    tally = TrendTally(desk.sla_clock, end, length, exact)
    edges: list[Tally] = []
    reach = trend_start(end, length, exact)
    if blend:
        assert before is not None
        inner = inner_days(before)
        # The edge at its end lies in the window (it ends where the period shown starts).
        edges.append(Tally(desk.sla_clock, Period(inner.end, before.end)))
        reach = min(reach, inner.end)
    # Read a month at a time from TinyDB's archive (when it reaches that far), counted as it comes,
    # with the collector held off meanwhile (`bot.collection`: its full collections would walk
    # every ticket read and hold the event loop for their whole length).
    with paused():
        async for piece in desk.store.history_in_pieces(reach):
            theirs = desk.of_team(piece, team)
            # Pure work over immutable tickets: done on a thread so requests keep flowing.
            await asyncio.to_thread(_count, theirs, tally, edges, piece)
            del piece, theirs
        if blend:
            assert before is not None
            first = Tally(desk.sla_clock, Period(before.start, inner.start))
            if first.period.start < first.period.end:
                # The edge day beyond the window: that day's tickets alone (a bounded read).
                found = await desk.store.history_between(first.period.start, first.period.end)
                theirs = desk.of_team(found, team)
                await asyncio.to_thread(_count, theirs, None, [first], found)
                del found, theirs
                edges.append(first)
    moved = await asyncio.to_thread(tally.trend)  # (sorting each period's times for its medians)
    if count > exact:  # (then the open tickets were all counted above)
        rows = await desk.store.records(ROLLUPS)
        name = team.name if team is not None else None
        older = periods[: count - EXACT] if blend else periods[: count - exact]
        # A sum over the rows for each period, on a thread; the targets still running on the
        # open tickets measured once, by the tally (`TrendTally.dues`), not once per period.
        summed = await asyncio.to_thread(_older, rows, name, tally.dues, older)
        if blend:
            assert before is not None
            summed.append(await asyncio.to_thread(blended, rows, before, name, edges, tally.dues))
        moved = Trend((*summed, *moved.periods))
    return moved


def window_start(desk: Desk) -> datetime:
    """Where the tickets a desk holds in memory begin: every ticket settled since is there
    (`store.keep_in_memory`; the hourly job moves out only those settled before it)."""
    return desk.clock.now() - desk.config.keep_in_memory


def _has_inner_days(period: Period) -> bool:
    days = inner_days(period)
    return days.start < days.end


def _older(rows: dict[str, Any], team: str | None, dues: list[Due], periods: list[Period]) -> list[Summary]:
    return [summary_of(rows, period, team, dues=dues) for period in periods]


def _count(tickets: list[Ticket], tally: TrendTally | None, edges: list[Tally], read: list[Ticket]) -> None:
    """Count `tickets` (of those `read`), then let go of both lists here, on the worker
    thread, a few hundred tickets at a time: the tickets decoded for the count (archived ones
    are held by nothing else) are freed as the lists empty, and freeing thousands at once on
    the event loop's thread held it 12-14 ms (`del`, measured at 500k on TinyDB), and a
    single `clear()` here would hold the interpreter as long."""
    for ticket in tickets:
        if tally is not None:
            tally.add(ticket)
        for edge in edges:
            edge.add(ticket)
    for held in (tickets, read):
        while held:
            del held[-LET_GO:]
