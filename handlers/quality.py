"""`/desk quality [team] [7d|30d|90d]` (or `/quality …`): the quality summary, privately, for leads."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.desk import Desk
from bot.domain.errors import DeskError
from bot.flows import answers
from bot.flows.quality import SEE_QUALITY, quality_report, read_quality
from handlers.routing import ANY_COMMAND, routed, verbs


def register(app: AsyncApp, desk: Desk) -> None:
    @app.command(ANY_COMMAND, matchers=[verbs("quality")])
    async def on_quality(ack: AsyncAck, command: dict[str, Any]) -> None:
        user, words = str(command.get("user_id")), routed(command).text
        try:
            desk.staff.require_lead(user, SEE_QUALITY)
            read_quality(words, desk.staff)
        except DeskError as error:
            await ack(text=await desk.explain_to(user, error))
            return
        await ack()  # worked out after the ack: a 90-day summary reads every ticket
        try:
            text, blocks = await quality_report(desk, user, words)
        except DeskError as error:
            text, blocks = await desk.explain_to(user, error), None
        await answers.respond(desk, str(command.get("response_url", "")), user, text, blocks)
