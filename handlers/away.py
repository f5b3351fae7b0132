"""`/away [until]` and `/back`: answered in the ack, which a single write allows."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.desk import Desk
from bot.domain.errors import DeskError
from bot.flows.away import come_back, go_away
from bot.slack.payloads import command_text


def register(app: AsyncApp, desk: Desk) -> None:
    @app.command("/away")
    @app.command("/back")
    async def on_away(ack: AsyncAck, command: dict[str, Any]) -> None:
        user = str(command.get("user_id"))
        try:
            if command.get("command") == "/away":
                answer = await go_away(desk, user, command_text(command))
            else:
                answer = await come_back(desk, user)
        except DeskError as error:
            answer = desk.explain(error)
        await ack(text=answer)
