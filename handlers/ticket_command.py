"""`/ticket`: the form, a request in one line, or a question about tickets."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.desk import Desk
from bot.domain.intake import Said
from bot.domain.phrases import Cancel, NewRequest, understand
from bot.flows import status
from bot.flows.agents import Agents
from bot.flows.approvals import Approvals
from bot.flows.intake import Intake
from bot.slack import answers, said_blocks
from bot.slack.command_args import TICKET
from handlers.routing import slash
from handlers.table import table


def register(app: AsyncApp, desk: Desk, intake: Intake, agents: Agents) -> None:
    @table(app).command(TICKET)  # `/ticket`, or a workspace's `/it-ticket`
    async def on_ticket(ack: AsyncAck, command: dict[str, Any]) -> None:
        asked = slash(command)
        user, channel, words = asked.user, asked.channel, asked.read.text
        if not words:
            await ack()
            await desk.slack.open_view(
                asked.trigger_id, Approvals(desk).first_view(channel, await desk.words_for(user))
            )
            return
        first, _, rest = words.partition(" ")
        if first.lower() == "show" and rest.strip():  # /ticket show T-4: the Details modal (agents)
            view = await agents.details(user, desk.parse_ref(rest.strip()))  # refused: in the ack
            await ack()
            await desk.slack.open_view(asked.trigger_id, view)
            return
        phrase = understand(words)
        found = await status.answer(desk, user, phrase)
        if found is not None:
            await ack(text=found[0], blocks=found[1])
            return
        # Ack first (Slack allows 3 seconds); the request itself goes on in the DM. Its id is
        # not asked of Slack (`conversations.open`) here: while Slack is away that call failed
        # and took the request with it (issue 34, item 6). Unknown, the person's id stands for
        # it, and the outbox opens the DM when it delivers the question.
        dm = await intake.dm_of(user)
        if isinstance(phrase, Cancel):
            await ack()
        else:
            await (ack() if channel == dm else ack(text=said_blocks.started(await desk.words_for(user))))
        once = f"cmd:{asked.trigger_id}"
        if isinstance(phrase, NewRequest):
            await intake.begin(user, dm, None, "command", phrase.text, once)
        else:
            done = await intake.continue_with(user, dm, None, Said(words), once)
            said = said_blocks.cancelled(done, await desk.words_for(user))
            await answers.respond(desk, asked.response_url, user, said)
