"""`/desk away [until]` and `/desk back` (SPEC §9), and the Home's away switch: an agent away is
passed by when the desk assigns new tickets, until they are back. What they hold already stays
theirs.

Each request is a typed command (`bot.domain.away`) carried out by one executor
(`Aways.carry`): under the store's write lock the agent's away record and the open tickets they
hold are loaded, `decide`d and, in the same transaction, the record kept (or dropped) with the
Home's redraw owed. The return value is the private answer for whoever acted; refusals are
`DeskError`s, raised, and change nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.delivery.owed import owe
from bot.desk import Desk
from bot.domain import away as rules
from bot.domain.owed import HomeOf
from bot.flows.home import home_key
from bot.slack import away_said
from store.base import Transaction
from store.records import AWAY, HOMES

BE_AWAY, BE_BACK = rules.BE_AWAY, rules.BE_BACK


class Aways:
    """The one executor of the away commands (`bot.domain.away`)."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    async def carry(self, command: rules.Command) -> str:
        """Under the write lock, load the agent's standing, `decide`, and commit their away
        record and every message owed in one transaction; then the answer for whoever acted.
        A refusal (`DeskError`) changes nothing and is raised."""
        agent, now = command.agent, self.desk.clock.now()
        policy = rules.Policy(self.desk.zone)
        async with self.desk.store.transaction() as tx:
            outcome = rules.decide(standing(tx, command), command, self.desk.staff, policy, now)
            if outcome.record is None:
                tx.drop(AWAY, agent)
            else:
                tx.put(AWAY, agent, outcome.record)
            for message in outcome.owed:
                OWING[type(message)](tx, message)
        return away_said.answer(outcome.answer, self.desk.zone, await self.desk.words_for(agent))


def standing(tx: Transaction, command: rules.Command) -> rules.Standing:
    """The agent's away record and, for going away, the open tickets they hold, as `tx` sees them."""
    held = 0
    if isinstance(command, rules.GoAway):
        held = sum(1 for t in tx.open_tickets() if t.assignee == command.agent)
    return rules.Standing(tx.get(AWAY, command.agent), held)


# -- the messages a decision owes, each owed where its reader sees it ---------------------------
def _home_again(tx: Transaction, said: rules.HomeRedrawn) -> None:
    """The agent's Home shows the away switch: redrawn, if they ever opened it."""
    if tx.get(HOMES, said.agent) is not None:
        owe(tx, home_key(said.agent), HomeOf(said.agent))


OWING: dict[type, Callable[[Transaction, Any], None]] = {
    rules.HomeRedrawn: _home_again,
}
