"""`/desk similar T-12` (issue 39): the resolved tickets closest to a ticket, and what solved
them, for agents; answered privately."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.desk import Desk
from bot.domain.errors import TicketNotFound
from bot.slack import answers
from bot.slack.answer_blocks import similar
from bot.slack.command_args import split_reference, usage
from bot.slack.refusals import SEE_SIMILAR
from handlers.routing import slash
from handlers.table import table


def register(app: AsyncApp, desk: Desk) -> None:
    @table(app).command("similar")
    async def on_similar(ack: AsyncAck, command: dict[str, Any]) -> None:
        asked = slash(command)
        read, user = asked.read, asked.user
        reference, _ = split_reference(read.text)
        desk.staff.require_agent(user, SEE_SIMILAR)  # a refusal: answered in the ack (handlers.errors)
        if not reference:
            await ack(text=usage("similar", read.called, await desk.words_for(user)))
            return
        number = desk.parse_ref(reference)
        await ack()
        ticket = await desk.store.ticket(number)
        if ticket is None:
            raise TicketNotFound(number)  # answered through the response URL (handlers.errors)
        await desk.knowledge.learnt()  # just after a start: once the store's tickets are learnt
        found = [(h.entry.title, h.entry.answer, h.confidence) for h in desk.knowledge.similar(ticket)]
        text, blocks = similar(desk.ref(number), found, await desk.words_for(user))
        await answers.respond(desk, asked.response_url, user, text, blocks)
