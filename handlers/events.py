"""Slack's retries of an event: each `event_id` is acted on once.

Slack retries an event it thinks went unanswered (`X-Slack-Retry-Num`), the last retry about
five minutes after the first, and it may reach a restarted process. The id is remembered in
the store (for a day, pruned with the rest of what was handled), so a retry is acknowledged
and dropped wherever it lands.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.response import BoltResponse

from bot.desk import Desk
from store.tables import HANDLED

log = logging.getLogger("desk.events")


def register(app: AsyncApp, desk: Desk) -> None:
    @app.middleware
    async def once_per_event(
        body: dict[str, Any], ack: AsyncAck, next: Callable[[], Awaitable[BoltResponse]]
    ) -> BoltResponse | None:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if isinstance(event_id, str) and event_id:
            first = await desk.store.add_once(HANDLED, f"event:{event_id}", desk.clock.now().isoformat())
            if not first:
                log.info("event already handled; ignored", extra={"event_id": event_id})
                return await ack()
        return await next()
