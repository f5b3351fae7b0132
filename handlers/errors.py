"""One place where failures inside listeners end: logged once, never shown as a traceback."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse

from bot.desk import Desk
from bot.slack.gateway import SlackFailure

log = logging.getLogger("desk.errors")


def register(app: AsyncApp, desk: Desk) -> None:
    @app.error
    async def on_error(
        error: Exception, body: dict[str, Any], response: BoltResponse | None
    ) -> BoltResponse | None:
        kind = body.get("type") or body.get("command") or "request"
        if isinstance(error, SlackFailure):  # Slack was away: what is owed waits in the outbox
            log.warning("could not answer: Slack failed", extra={"request": str(kind), "error": error.error})
        else:
            log.error("listener failed", extra={"request": str(kind), "error": repr(error)[:300]})
        if response is None:  # already acked: Bolt has nothing left to answer (and asserts if we try)
            return None
        return BoltResponse(status=200, body="")
