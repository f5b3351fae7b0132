"""`/desk away [until]` and `/desk back` (SPEC §9): an agent away is passed by when the desk assigns new
tickets, until they are back. What they hold already stays theirs."""

from __future__ import annotations

from bot.desk import Desk
from bot.domain.away import away_now, back_at
from bot.domain.owed import HomeOf
from bot.flows.home import home_key
from bot.flows.owed import owe
from bot.slack.when import at
from store.base import Transaction
from store.names import AWAY, HOMES


async def go_away(desk: Desk, agent: str, words: str) -> str:
    desk.staff.require_agent(agent, "be away")
    now = desk.clock.now()
    until = back_at(words, now, desk.zone)
    async with desk.store.transaction() as tx:
        tx.put(AWAY, agent, until.isoformat() if until else "")
        _home_again(tx, agent)
    held = sum(1 for t in await desk.store.open_tickets() if t.assignee == agent)
    when = f"until {at(until, desk.zone)}" if until else "until you say `/desk back`"
    return away_words(when, held)


def away_words(when: str, held: int) -> str:
    """The answer to `/desk away`: till when, and the tickets the agent still holds."""
    if held == 1:
        still = " You still hold 1 open ticket: hand it over with `/desk reassign` if it can't wait."
    elif held:
        still = (
            f" You still hold {held} open tickets: hand them over with `/desk reassign` if they can't wait."
        )
    else:
        still = ""
    return f":palm_tree: You're away {when}: the desk won't assign you new tickets.{still}"


async def come_back(desk: Desk, agent: str) -> str:
    desk.staff.require_agent(agent, "be back")
    now = desk.clock.now()
    async with desk.store.transaction() as tx:
        was = away_now(tx.record(AWAY, agent), now)
        tx.delete(AWAY, agent)
        _home_again(tx, agent)
    if not was:
        return "You weren't away: the desk assigns you new tickets as usual."
    return ":wave: Welcome back: the desk assigns you new tickets again."


def _home_again(tx: Transaction, agent: str) -> None:
    """The agent's Home shows the away switch: redrawn, if they ever opened it."""
    if tx.record(HOMES, agent) is not None:
        owe(tx, home_key(agent), HomeOf(agent))
