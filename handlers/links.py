"""`/desk link T-31 T-12` and the storm card's "Make these one incident" (issue 39): handle
tickets with a parent; answered privately. Each request is read once into a typed command
(`bot.domain.links`) and carried out by `bot.flows.links.Links`. A refusal ends at
`handlers.errors`: in the ack before it, through the response URL after it."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.desk import Desk
from bot.domain import links as rules
from bot.flows.links import LINK_TICKETS, Links
from bot.slack import answers
from bot.slack.command_args import usage
from bot.slack.payloads import click
from bot.slack.storm_blocks import INCIDENT
from handlers.routing import slash
from handlers.table import table


class LinkListeners:
    """The listeners, one method each (importable and testable alone); `register` wires them."""

    def __init__(self, desk: Desk, links: Links) -> None:
        self.desk = desk
        self.links = links

    async def on_link(self, ack: AsyncAck, command: dict[str, Any]) -> None:
        """`/desk link T-31 T-12` (or `T-31 to T-12`). Someone who is no agent, and what cannot
        be read, are answered in the ack."""
        asked = slash(command)
        read, user = asked.read, asked.user
        # a refusal in the ack, before the arguments are read (handlers.errors words it); the
        # rules themselves are the desk's, after the ack
        self.desk.staff.require_agent(user, LINK_TICKETS)
        refs = read.text.replace(" to ", " ").split()
        if len(refs) != 2:
            await ack(text=usage("link", read.called, await self.desk.words_for(user)))
            return
        typed = rules.Link(user, self.desk.parse_ref(refs[0]), self.desk.parse_ref(refs[1]))
        await ack()
        said = await self.links.carry(typed)
        await answers.respond(self.desk, asked.response_url, user, said)

    async def on_incident(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        """The storm card's "Make these one incident" (the button's value: the storm's key)."""
        await ack()
        pressed = click(body)
        if pressed is None:
            return
        said = await self.links.carry(rules.MakeIncident(pressed.user, pressed.value))
        await answers.respond(self.desk, pressed.response_url, pressed.user, said)


def register(app: AsyncApp, desk: Desk) -> None:
    listeners = LinkListeners(desk, Links(desk))
    routes = table(app)
    routes.command("link")(listeners.on_link)
    routes.action(INCIDENT, acks_first=True)(listeners.on_incident)
