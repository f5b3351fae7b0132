"""`/desk quality [team] [7d|30d|90d]` (or `/quality …`): the quality summary, privately, for leads."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.desk import Desk
from bot.flows.quality import SEE_QUALITY, quality_report, read_quality
from bot.slack import answers
from handlers.routing import slash
from handlers.table import table


def register(app: AsyncApp, desk: Desk) -> None:
    @table(app).command("quality")
    async def on_quality(ack: AsyncAck, command: dict[str, Any]) -> None:
        asked = slash(command)
        user, words = asked.user, asked.read.text
        desk.staff.require_lead(user, SEE_QUALITY)  # a refusal: answered in the ack (handlers.errors)
        read_quality(words, desk.staff)
        await ack()  # worked out after the ack: a 90-day summary reads every ticket
        text, blocks = await quality_report(desk, user, words)
        await answers.respond(desk, asked.response_url, user, text, blocks)
