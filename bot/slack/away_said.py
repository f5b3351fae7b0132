"""Away decisions (`bot.domain.away`) worded: the answer for whoever acted. Every sentence
comes from the catalogue (`bot.slack.said_blocks`); the flow only says where it goes."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.domain import away as rules
from bot.i18n import ENGLISH, Words
from bot.slack.said_blocks import away_answer, back_answer
from bot.slack.when import at


def answer(decided: rules.Answer, zone: ZoneInfo, words: Words = ENGLISH) -> str:
    """What the agent is told: till when they are away (in the desk's zone) and what they still
    hold; or whether they were away at all."""
    if isinstance(decided, rules.CameBack):
        return back_answer(decided.was_away, words=words)
    until = at(decided.until, zone, words=words) if decided.until else None
    return away_answer(until, decided.held, words=words)
