"""The deflection line of `/quality` and the digest (issue 39): requests answered without a
ticket in the period, and their share of all requests."""

from __future__ import annotations

from typing import Any

from bot.desk import Desk
from bot.domain.deflection import answered_in, deflection_rate
from bot.domain.quality import Summary
from bot.domain.roles import Team
from bot.i18n import Words
from bot.slack.answer_blocks import deflection_line
from bot.slack.blocks import context
from store.records import ANSWERED


async def deflection_blocks(
    desk: Desk, summary: Summary, team: Team | None, words: Words | None = None
) -> list[dict[str, Any]]:
    """A line of small print, when answers are on or some were answered in the period."""
    records = (await desk.store.entries(ANSWERED)).values()

    def ours(category: str) -> bool:
        return team is None or desk.staff.team_of(category).name == team.name

    answered = answered_in(records, summary.period, ours)
    if not answered and not desk.config.answers.enabled:
        return []
    line = deflection_line(answered, deflection_rate(answered, summary.opened), words or desk.words)
    return [context(line)]
