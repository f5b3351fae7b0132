"""`/desk link T-31 T-12` and the storm card's "Make these one incident" (issue 39): handle
tickets with a parent; answered privately. A refusal ends at `handlers.errors`: in the ack
before it, through the response URL after it."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.desk import Desk
from bot.flows.links import LINK_TICKETS, link, make_incident
from bot.slack import answers
from bot.slack.command_args import usage
from bot.slack.payloads import click
from bot.slack.storm_blocks import INCIDENT
from handlers.routing import slash
from handlers.table import table


def register(app: AsyncApp, desk: Desk) -> None:
    @table(app).command("link")
    async def on_link(ack: AsyncAck, command: dict[str, Any]) -> None:
        asked = slash(command)
        read, user = asked.read, asked.user
        words = read.text.replace(" to ", " ").split()  # "T-31 T-12", or "T-31 to T-12"
        desk.staff.require_agent(user, LINK_TICKETS)
        if len(words) != 2:
            await ack(text=usage("link", read.called, await desk.words_for(user)))
            return
        child, parent = desk.parse_ref(words[0]), desk.parse_ref(words[1])
        await ack()
        said = await link(desk, user, child, parent)
        await answers.respond(desk, asked.response_url, user, said)

    @table(app).action(INCIDENT)
    async def on_incident(ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        pressed = click(body)
        if pressed is None:
            return
        said = await make_incident(desk, pressed.user, pressed.value)
        await answers.respond(desk, pressed.response_url, pressed.user, said)
