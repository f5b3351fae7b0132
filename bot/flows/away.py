"""`/desk away [until]` and `/desk back` (SPEC §9): an agent away is passed by when the desk assigns new
tickets, until they are back. What they hold already stays theirs."""

from __future__ import annotations

from bot.delivery.owed import owe
from bot.desk import Desk
from bot.domain.away import Away, back_at, is_away
from bot.domain.owed import HomeOf
from bot.flows.home import home_key
from bot.slack import refusals
from bot.slack.said_blocks import away_answer, back_answer
from bot.slack.when import at
from store.base import Transaction
from store.records import AWAY, HOMES

BE_AWAY, BE_BACK = refusals.BE_AWAY, refusals.BE_BACK


async def go_away(desk: Desk, agent: str, words: str) -> str:
    desk.staff.require_agent(agent, BE_AWAY)
    now = desk.clock.now()
    until = back_at(words, now, desk.zone)
    async with desk.store.transaction() as tx:
        tx.put(AWAY, agent, Away(until))
        _home_again(tx, agent)
    held = sum(1 for t in await desk.store.open_tickets() if t.assignee == agent)
    said = await desk.words_for(agent)
    return away_answer(at(until, desk.zone, words=said) if until else None, held, words=said)


async def come_back(desk: Desk, agent: str) -> str:
    desk.staff.require_agent(agent, BE_BACK)
    now = desk.clock.now()
    async with desk.store.transaction() as tx:
        was = is_away(tx.get(AWAY, agent), now)
        tx.drop(AWAY, agent)
        _home_again(tx, agent)
    return back_answer(was, words=await desk.words_for(agent))


def _home_again(tx: Transaction, agent: str) -> None:
    """The agent's Home shows the away switch: redrawn, if they ever opened it."""
    if tx.get(HOMES, agent) is not None:
        owe(tx, home_key(agent), HomeOf(agent))
