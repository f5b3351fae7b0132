"""The `:ticket:` reaction: any message in a channel the desk is in becomes a ticket."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.desk import Desk
from bot.flows.reaction import TICKET_REACTION, ticket_from_reaction
from handlers import events


def register(app: AsyncApp, desk: Desk) -> None:
    @app.event("reaction_added")
    async def on_reaction(event: dict[str, Any], body: dict[str, Any]) -> None:
        item = event.get("item") or {}
        user, channel, ts = event.get("user"), item.get("channel"), item.get("ts")
        if event.get("reaction") != TICKET_REACTION or item.get("type") != "message":
            return
        if not (isinstance(user, str) and isinstance(channel, str) and isinstance(ts, str)):
            return
        await ticket_from_reaction(desk, user, channel, ts, events.event_key(body))
