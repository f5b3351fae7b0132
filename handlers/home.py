"""The App Home tab: owed through the outbox whenever someone opens it (`bot.flows.home`)."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.desk import Desk
from bot.flows.home import Homes
from handlers import events


def register(app: AsyncApp, desk: Desk) -> None:
    homes = Homes(desk)

    @app.event("app_home_opened")
    async def show_home(event: dict[str, Any], body: dict[str, Any]) -> None:
        user = event.get("user")
        if event.get("tab", "home") != "home" or not isinstance(user, str):
            return
        await homes.opened(user)
        await events.mark_done(desk, body)
