"""Slack's retries of an event (`X-Slack-Retry-Num`: the same `event_id`, the last about five
minutes after the first, maybe to a restarted process) do the work once.

The mark that an event was acted on is committed with the work it caused, never before: a
desk killed after the ack and before the commit leaves no mark, so the retry does the work.
Messages carry their own mark (`msg:<channel>:<ts>`, written in the transaction that opens
the request or records the follow-up); events with no store work of their own (the App Home)
are marked `event:<id>` once their work is done. Here, an event already marked is acked and
dropped before any listener runs.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.response import BoltResponse

from bot.desk import Desk
from store.records import HANDLED

log = logging.getLogger("desk.events")


def event_key(body: dict[str, Any]) -> str | None:
    """The mark of the event in `body`, if it is one."""
    event_id = body.get("event_id") if body.get("type") == "event_callback" else None
    return f"event:{event_id}" if isinstance(event_id, str) and event_id else None


async def mark_done(desk: Desk, body: dict[str, Any]) -> None:
    """Remember that the event in `body` was acted on (after its work is done)."""
    key = event_key(body)
    if key is not None:
        await desk.store.put_once(HANDLED, key, desk.clock.now())


def register(app: AsyncApp, desk: Desk) -> None:
    @app.middleware
    async def once_per_event(
        body: dict[str, Any], ack: AsyncAck, next: Callable[[], Awaitable[BoltResponse]]
    ) -> BoltResponse | None:
        key = event_key(body)
        if key is not None and await desk.store.get(HANDLED, key) is not None:
            log.info("event already handled; ignored", extra={"event_id": key})
            return await ack()
        return await next()
