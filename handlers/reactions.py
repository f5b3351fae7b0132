"""The `:ticket:` reaction: any message in a channel the desk is in becomes a ticket. The event
is read once into a typed command (`RaiseFromReaction`); `bot.flows.reaction` carries it."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.desk import Desk
from bot.domain.message_ticket import RaiseFromReaction
from bot.flows.reaction import ticket_from_reaction
from handlers import events


def register(app: AsyncApp, desk: Desk) -> None:
    @app.event("reaction_added")
    async def on_reaction(event: dict[str, Any], body: dict[str, Any]) -> None:
        command = raise_from_reaction(event)
        if command is not None:
            await ticket_from_reaction(desk, command, events.event_key(body))


def raise_from_reaction(event: dict[str, Any]) -> RaiseFromReaction | None:
    """The reaction as a command; None for a reaction on anything but a message, or a body
    missing who, where or which."""
    item = event.get("item") or {}
    user, channel, ts, reaction = (
        event.get("user"),
        item.get("channel"),
        item.get("ts"),
        event.get("reaction"),
    )
    if item.get("type") != "message":
        return None
    if not (
        isinstance(user, str)
        and isinstance(channel, str)
        and isinstance(ts, str)
        and isinstance(reaction, str)
    ):
        return None
    return RaiseFromReaction(user, channel, ts, reaction)
