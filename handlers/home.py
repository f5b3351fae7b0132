"""The App Home tab: owed through the outbox whenever someone opens it (`bot.flows.home`)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.desk import Desk
from bot.domain.errors import DeskError
from bot.flows.away import come_back, go_away
from bot.flows.home import Homes
from bot.slack.home import HomeIds
from handlers import events
from handlers.table import table

log = logging.getLogger("desk.home")


def register(app: AsyncApp, desk: Desk) -> None:
    homes = Homes(desk)

    @app.event("app_home_opened")
    async def show_home(event: dict[str, Any], body: dict[str, Any]) -> None:
        user = event.get("user")
        if event.get("tab", "home") != "home" or not isinstance(user, str):
            return
        await homes.opened(user)
        await events.mark_done(desk, body)

    @table(app).action(HomeIds.AWAY)
    @table(app).action(HomeIds.BACK)
    async def on_away_switch(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        """The agent's away switch on their Home; the Home is redrawn to show it."""
        await ack()
        user = (body.get("user") or {}).get("id")
        if not isinstance(user, str):
            return
        try:
            if action.get("action_id") == HomeIds.AWAY:
                await go_away(desk, user, "")
            else:
                await come_back(desk, user)
        except DeskError as error:  # kept (not `handlers.errors`): the Home is the answer; a
            # refusal is only logged, and nobody is sent a DM for a press on their own Home
            log.info("away switch refused", extra={"error": desk.explain(error)})
