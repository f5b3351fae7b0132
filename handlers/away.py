"""`/desk away [until]` and `/desk back`: read once into a typed command (`bot.domain.away`),
carried out by `bot.flows.away.Aways` and answered in the ack, which a single write allows.
A refusal ends at `handlers.errors`, which answers it in the ack too. (The Home's away switch
is `handlers.home`'s: the Home is its answer.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.desk import Desk
from bot.domain import away as rules
from bot.flows.away import Aways
from handlers.routing import slash
from handlers.table import table

# -- the edge: each verb read once into a typed command (the person, what they typed after it) --
VERBS: dict[str, Callable[[str, str], rules.Command]] = {
    "away": lambda user, text: rules.GoAway(user, text),
    "back": lambda user, text: rules.Back(user),
}


def register(app: AsyncApp, desk: Desk) -> None:
    aways = Aways(desk)

    @table(app).command(*VERBS)
    async def on_away(ack: AsyncAck, command: dict[str, Any]) -> None:
        asked = slash(command)
        typed = VERBS[asked.read.verb](asked.user, asked.read.text)
        await ack(text=await aways.carry(typed))
