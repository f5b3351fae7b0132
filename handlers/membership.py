"""The bot joining a channel: what was parked because it could not post there goes out now
(`bot.delivery.parking`)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext

from bot.delivery.parking import unpark
from bot.desk import Desk

log = logging.getLogger("desk.events")


def register(app: AsyncApp, desk: Desk) -> None:
    @app.event("member_joined_channel")
    async def bot_joined(event: dict[str, Any], context: AsyncBoltContext) -> None:
        if event.get("user") != context.bot_user_id or not event.get("channel"):
            return  # someone else joined: nothing waits for them
        freed = await unpark(desk, places={str(event["channel"])})
        log.info("the bot joined a channel", extra={"channel": event["channel"], "unparked": len(freed)})
