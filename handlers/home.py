"""The App Home tab, published whenever someone opens it."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.desk import Desk
from bot.slack.home import home_view
from handlers import events


def register(app: AsyncApp, desk: Desk) -> None:
    @app.event("app_home_opened")
    async def show_home(event: dict[str, Any], body: dict[str, Any]) -> None:
        user = event.get("user")
        if event.get("tab", "home") != "home" or not isinstance(user, str):
            return
        team = desk.config.team
        view = home_view(
            desk.config.desk.name,
            desk.config.desk.ticket_prefix,
            agent=team.is_agent(user),
            lead=team.is_lead(user),
        )
        await desk.slack.publish_home(user, view)
        await events.mark_done(desk, body)
