"""Agents' verbs (`/desk claim T-4`, or an alias kept for it: `/claim T-4`), `/desk help`, the
card's buttons, their forms, and the requester's reopen button.

Bad input and refusals are answered in the ack, privately, at once. Accepted work is acked
first (Slack allows 3 seconds) and its outcome follows privately through the response URL.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.desk import Desk
from bot.domain import agents as rules
from bot.domain.errors import DeskError
from bot.domain.priority import Priority
from bot.flows.agents import DOING, SEE_QUEUE, Agents
from bot.slack import answers, refusals
from bot.slack.agent_blocks import AgentIds, text_form, visible_to
from bot.slack.agent_said import with_usage
from bot.slack.card import CardIds
from bot.slack.command_args import (
    TICKET_VERBS,
    AgentCommand,
    BadCommand,
    help_text,
    read_agent_command,
    unknown_verb,
    usage,
)
from bot.slack.payloads import Click, click, form_values
from bot.slack.request_blocks import RequestIds, ticket_of_block
from bot.slack.said_blocks import priority_from_list, reply_missing
from handlers.routing import routed
from handlers.table import table

FORM_OF = {  # a card's button -> what it lets an agent do, and its form
    CardIds.REPLY: (refusals.REPLY, AgentIds.REPLY_FORM),
    CardIds.WAIT: (refusals.WAIT, AgentIds.WAIT_FORM),
    CardIds.RESOLVE: (refusals.RESOLVE, AgentIds.RESOLVE_FORM),
}

# -- the edge: each request read once into a typed command (`bot.domain.agents`) ---------------
VERBS: dict[str, Callable[[str, AgentCommand, int], rules.Command]] = {
    "claim": lambda user, read, number: rules.Claim(user, number),
    "reassign": lambda user, read, number: rules.Reassign(user, number, read.assignee or ""),
    "resolve": lambda user, read, number: rules.Resolve(user, number, read.words),
    "priority": lambda user, read, number: rules.ChangePriority(
        user, number, Priority(read.words.strip().upper())
    ),
    "move": lambda user, read, number: rules.Move(user, number, read.words),
    "wait": lambda user, read, number: rules.Wait(user, number, read.words),
    "reply": lambda user, read, number: rules.Reply(user, number, read.words),
}
ONCE_ONLY = frozenset({"reply"})  # a retried delivery is answered "already sent", not sent twice
BUTTONS: dict[str, Callable[[Click], rules.Command]] = {
    CardIds.CLAIM: lambda pressed: rules.Claim(pressed.user, int(pressed.value)),
    CardIds.REOPEN: lambda pressed: rules.Reopen(pressed.user, int(pressed.value)),
}


class AgentListeners:
    """The listeners, one method each (importable and testable alone); `register` wires them."""

    def __init__(self, desk: Desk, agents: Agents) -> None:
        self.desk = desk
        self.agents = agents

    async def outcome(
        self, response_url: str | None, user: str, work: Callable[[], Awaitable[str | None]]
    ) -> None:
        """Do the work after the ack, and tell the person how it went, privately (a refusal
        raised on the way is answered the same way, by `handlers.errors`)."""
        answer = await work()
        if answer is not None:
            await answers.respond(self.desk, response_url, user, answer)

    async def on_command(self, ack: AsyncAck, command: dict[str, Any]) -> None:
        """`/desk claim T-4` and the aliases kept for it (`/claim T-4`): one road. Someone who
        is no agent, and what cannot be read, are answered in the ack."""
        read, user = routed(command), str(command.get("user_id"))
        # a refusal in the ack, before the arguments are read (handlers.errors words it); the
        # rules themselves are the desk's, after the ack
        self.desk.staff.require_agent(user, DOING[f"/{read.verb}"])
        words = await self.desk.words_for(user)
        try:
            agent_command = read_agent_command(read, words)
        except BadCommand as wrong:
            await ack(text=str(wrong))
            return
        try:
            number = self.desk.parse_ref(agent_command.reference)
        except DeskError as error:
            await ack(text=with_usage(self.desk.explain(error, words), usage(read.verb, read.called, words)))
            return
        await ack()
        once = f"cmd:{command.get('trigger_id')}" if read.verb in ONCE_ONLY else None
        typed = VERBS[read.verb](user, agent_command, number)
        await self.outcome(command.get("response_url"), user, lambda: self.agents.run(typed, once))

    async def on_queue(self, ack: AsyncAck, command: dict[str, Any]) -> None:
        user = str(command.get("user_id"))
        self.desk.staff.require_agent(user, SEE_QUEUE)  # refused in the ack, by handlers.errors
        await ack()  # the queue is worked out after the ack: it may be long on a busy day
        text, blocks = await self.agents.queue(user)
        await answers.respond(self.desk, command.get("response_url"), user, text, blocks)

    async def on_help(self, ack: AsyncAck, command: dict[str, Any]) -> None:
        """`/desk help`, `/desk` alone, or a verb the desk does not know: the verbs this
        person may use."""
        read, user = routed(command), str(command.get("user_id"))
        agent, lead = self.desk.staff.is_agent(user), self.desk.staff.is_lead(user)
        words = await self.desk.words_for(user)
        if read.verb == "help":
            await ack(text=help_text(agent=agent, lead=lead, called=read.called, words=words))
        else:
            await ack(text=unknown_verb(read, agent=agent, lead=lead, words=words))

    async def on_ticket_button(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        """Claim (card, queue) and The problem is back (the requester's resolution message)."""
        await ack()
        pressed = click(body)
        if pressed is None or not pressed.value.isdigit() or pressed.action_id not in BUTTONS:
            return
        command = BUTTONS[pressed.action_id](pressed)
        await self.outcome(pressed.response_url, pressed.user, lambda: self.agents.run(command))

    async def on_change(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        """The card's priority and area selects, and the same under a channel ticket's
        confirmation (where the requester may use them too): the ticket is named by the
        block's id, and who may change it is the desk's to say."""
        await ack()
        pressed = click(body)
        if pressed is None or not pressed.value:
            return
        kind, _, on_card = pressed.block_id.partition(":")
        number = int(on_card) if kind == "ticket" and on_card.isdigit() else ticket_of_block(pressed.block_id)
        if number is None:
            return
        choice, user, requester_may = pressed.value, pressed.user, kind != "ticket"
        if pressed.action_id in (CardIds.PRIORITY, RequestIds.URGENCY):

            async def change() -> str | None:
                try:
                    priority = Priority(choice)
                except ValueError:
                    return priority_from_list(await self.desk.words_for(user))
                return await self.agents.run(rules.ChangePriority(user, number, priority, requester_may))
        else:

            async def change() -> str | None:
                return await self.agents.run(rules.Move(user, number, choice, requester_may))

        await self.outcome(pressed.response_url, user, change)

    async def on_details(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        pressed = click(body)
        if pressed is None or not pressed.value.isdigit():
            return
        view = await self.agents.details(pressed.user, int(pressed.value))  # refusals: handlers.errors
        await self.desk.slack.open_view(str(body.get("trigger_id", "")), view)

    async def on_form_button(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        pressed = click(body)
        if pressed is None or not pressed.value.isdigit():
            return
        doing, callback = FORM_OF[CardIds(pressed.action_id)]
        self.desk.staff.require_agent(pressed.user, doing)  # no form for others: handlers.errors says why
        number = int(pressed.value)
        ticket = await self.desk.store.ticket(number)
        public = visible_to(ticket.origin.channel) if ticket is not None else None
        saved = tuple(sorted(self.desk.config.replies))
        words = await self.desk.words_for(pressed.user)
        view = text_form(
            callback,
            number,
            self.desk.ref(number),
            pressed.channel,
            public_in=public,
            saved=saved,
            words=words,
        )
        await self.desk.slack.open_view(str(body.get("trigger_id", "")), view)

    async def on_form(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        values = form_values(view)
        words = values.get(AgentIds.TEXT, "").strip()
        callback = view.get("callback_id")
        if callback == AgentIds.REPLY_FORM and not words and values.get(AgentIds.SAVED):
            words = f":{values[AgentIds.SAVED]}"  # the saved reply chosen
        number, _, channel = str(view.get("private_metadata", "")).partition(":")
        if not number.isdigit():
            await ack()
            return
        user = str((body.get("user") or {}).get("id", ""))
        if callback == AgentIds.REPLY_FORM and not words:
            missing = reply_missing(bool(self.desk.config.replies), await self.desk.words_for(user))
            await ack(response_action="errors", errors={AgentIds.TEXT: missing})
            return
        await ack()
        if callback == AgentIds.RESOLVE_FORM:
            answer: str | None = await self.agents.answer(rules.Resolve(user, int(number), words))
        elif callback == AgentIds.WAIT_FORM:
            answer = await self.agents.answer(rules.Wait(user, int(number), words))
        else:
            answer = await self.agents.run(
                rules.Reply(user, int(number), words), once=f"view:{view.get('id')}"
            )
        if answer is None:
            return
        if channel:
            await answers.whisper(self.desk, channel, user, answer)
        else:
            await answers.dm(self.desk, user, answer)


def register(app: AsyncApp, desk: Desk, agents: Agents) -> None:
    listeners = AgentListeners(desk, agents)
    routes = table(app)
    routes.command(*TICKET_VERBS)(listeners.on_command)
    routes.command("queue")(listeners.on_queue)
    routes.command_fallback(listeners.on_help)  # `help`, or a verb the desk does not know
    routes.action(CardIds.CLAIM, CardIds.REOPEN, acks_first=True)(listeners.on_ticket_button)
    routes.action(CardIds.PRIORITY, CardIds.AREA, RequestIds.URGENCY, RequestIds.AREA, acks_first=True)(
        listeners.on_change
    )
    routes.action(CardIds.DETAILS, acks_first=True)(listeners.on_details)
    routes.action(CardIds.REPLY, CardIds.WAIT, CardIds.RESOLVE, acks_first=True)(listeners.on_form_button)
    routes.view(AgentIds.REPLY_FORM, AgentIds.WAIT_FORM, AgentIds.RESOLVE_FORM)(listeners.on_form)
