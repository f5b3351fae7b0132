"""The quality summary for leads: `/quality [team] [7d|30d|90d]`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot.desk import Desk
from bot.domain.errors import DeskError
from bot.domain.quality import last
from bot.domain.roles import Staff, Team
from bot.domain.trend import WEEKS
from bot.flows.approvals import Approvals
from bot.flows.deflection import deflection_blocks
from bot.flows.trends import trend_of
from bot.slack import refusals
from bot.slack.mrkdwn import escape
from bot.slack.quality_blocks import quality_answer

PERIODS = {"7d": 7, "30d": 30, "90d": 90}
SEE_QUALITY = refusals.SEE_QUALITY


@dataclass(frozen=True)
class Asked:
    days: int
    team: Team | None  # None: the whole desk


def read_quality(words: str, staff: Staff) -> Asked:
    """What a lead asked for: a period and maybe a team; a DeskError with the usage otherwise."""
    tokens = words.split()
    periods = [t for t in tokens if re.fullmatch(r"\d+d", t.lower())]
    rest = " ".join(t for t in tokens if t not in periods)
    if len(periods) > 1 or (periods and periods[0].lower() not in PERIODS) or (rest and not staff.several):
        if staff.several:
            raise DeskError(refusals.QUALITY_PERIOD_TEAMS)
        raise DeskError(refusals.QUALITY_PERIOD)
    team = staff.named(rest) if rest else None
    if rest and team is None:
        raise DeskError(
            refusals.NO_TEAM,
            team=escape(rest),
            teams=", ".join(t.name for t in staff.teams),
        )
    return Asked(PERIODS[periods[0].lower()] if periods else 7, team)


async def quality_report(desk: Desk, lead: str, words: str) -> tuple[str, list[dict[str, Any]]]:
    """The summary for the period in `words` (of the team named, if any), for a lead's eyes only."""
    desk.staff.require_lead(lead, SEE_QUALITY)
    asked = read_quality(words, desk.staff)
    days, team = asked.days, asked.team
    period, length = last(days, desk.clock.now()), timedelta(days=days)
    # The trend reaches back 8 periods (two years for 90d): the one shown from the tickets;
    # the one before it too, or (beyond the window, as for 90d) from the rollups and its edge
    # days' tickets; the older ones from the rollups (`bot.flows.trends`).
    moved = await trend_of(desk, team, period.end, length, WEEKS)
    now, before = moved.periods[-1], moved.periods[-2]  # `period` and `period.before`
    said = await desk.words_for(lead)
    text, blocks = quality_answer(
        now, before, days, desk.zone, moved, team=team.name if team else "", words=said
    )
    extra = await Approvals(desk).figures_block(period.start, period.end, team, words=said)
    blocks = blocks + extra if len(blocks) + len(extra) <= 50 else blocks
    return text, blocks + await deflection_blocks(desk, now, team, said)
