"""The quality summary for leads: `/quality [7d|30d|90d]`."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from typing import Any

from bot.desk import Desk
from bot.domain.errors import DeskError
from bot.domain.quality import last, quality
from bot.domain.trend import trend
from bot.slack.quality_blocks import quality_answer

PERIODS = {"7d": 7, "30d": 30, "90d": 90}
USAGE = "Usage: `/quality [7d|30d|90d]` (the last 7 days when left out)"


def period_days(words: str) -> int:
    """The period a lead asked for, in days; a DeskError with the usage otherwise."""
    asked = re.sub(r"\s+", "", words.lower()) or "7d"
    if asked not in PERIODS:
        raise DeskError(f"I can summarise the last 7, 30 or 90 days.\n{USAGE}")
    return PERIODS[asked]


async def quality_report(desk: Desk, lead: str, words: str) -> tuple[str, list[dict[str, Any]]]:
    """The summary for the period in `words`, for a lead's eyes only."""
    desk.staff.require_lead(lead, "see the quality summary")
    days = period_days(words)
    tickets = await desk.store.all_tickets()
    # Pure work over immutable tickets: done on a thread so requests keep flowing.
    period = last(days, desk.clock.now())
    now, before = await asyncio.to_thread(quality, tickets, desk.sla_clock, period)
    moved = await asyncio.to_thread(trend, tickets, desk.sla_clock, period.end, timedelta(days=days))
    return quality_answer(now, before, days, desk.zone, moved)
