"""`/desk away [until]` and `/desk back`: answered in the ack, which a single write allows.
A refusal ends at `handlers.errors`, which answers it in the ack too."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.desk import Desk
from bot.flows.away import come_back, go_away
from handlers.routing import slash
from handlers.table import table


def register(app: AsyncApp, desk: Desk) -> None:
    @table(app).command("away", "back")
    async def on_away(ack: AsyncAck, command: dict[str, Any]) -> None:
        asked = slash(command)
        read, user = asked.read, asked.user
        if read.verb == "away":
            answer = await go_away(desk, user, read.text)
        else:
            answer = await come_back(desk, user)
        await ack(text=answer)
