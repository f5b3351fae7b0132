"""The App Home tab: owed through the outbox whenever someone opens it (`bot.flows.home`)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.desk import Desk
from bot.domain import away as rules
from bot.domain.errors import DeskError
from bot.flows.away import Aways
from bot.flows.home import Homes
from bot.slack.home import HomeIds
from handlers import events
from handlers.table import table

log = logging.getLogger("desk.home")


def register(app: AsyncApp, desk: Desk) -> None:
    homes, aways = Homes(desk), Aways(desk)
    switch: dict[str, Callable[[str], rules.Command]] = {HomeIds.AWAY: rules.GoAway, HomeIds.BACK: rules.Back}

    @app.event("app_home_opened")
    async def show_home(event: dict[str, Any], body: dict[str, Any]) -> None:
        user = event.get("user")
        if event.get("tab", "home") != "home" or not isinstance(user, str):
            return
        await homes.opened(user)
        await events.mark_done(desk, body)

    @table(app).action(HomeIds.AWAY, acks_first=True)
    @table(app).action(HomeIds.BACK, acks_first=True)
    async def on_away_switch(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        """The agent's away switch on their Home; the Home is redrawn to show it."""
        await ack()
        user, pressed = (body.get("user") or {}).get("id"), action.get("action_id")
        if not isinstance(user, str) or pressed not in switch:
            return
        try:
            await aways.carry(switch[pressed](user))
        except DeskError as error:  # kept (not `handlers.errors`): the Home is the answer; a
            # refusal is only logged, and nobody is sent a DM for a press on their own Home
            log.info("away switch refused", extra={"error": desk.explain(error)})
