"""Agents' slash commands, the card's buttons, their forms, and the requester's reopen button.

Bad input and refusals are answered in the ack, privately, at once. Accepted work is acked
first (Slack allows 3 seconds) and its outcome follows privately through the response URL.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.desk import Desk
from bot.domain.errors import DeskError
from bot.flows.agents import Agents
from bot.slack.agent_blocks import AgentIds, text_form
from bot.slack.card import CardIds
from bot.slack.command_args import mentioned_user, split_reference
from bot.slack.payloads import click, command_text, form_values

USAGE = {
    "/claim": "Usage: `/claim T-4`",
    "/reassign": "Usage: `/reassign T-4 @someone`",
    "/resolve": "Usage: `/resolve T-4 what fixed it` (the note is optional)",
    "/reply": "Usage: `/reply T-4 your message to the requester`",
}
ACTIONS = {
    "/claim": "claim tickets",
    "/reassign": "reassign tickets",
    "/resolve": "resolve tickets",
    "/reply": "reply to requesters",
}


def register(app: AsyncApp, desk: Desk, agents: Agents) -> None:
    team = desk.config.team

    async def outcome(response_url: str, work: Callable[[], Awaitable[str]]) -> None:
        """Do the work after the ack, and tell the person how it went, privately."""
        try:
            answer = await work()
        except DeskError as error:
            answer = desk.explain(error)
        await desk.slack.respond(response_url, answer)

    def refusal(command: dict[str, Any]) -> str | None:
        """Why the command can't run (wrong role, bad arguments), or None when it can."""
        name, user = str(command.get("command")), str(command.get("user_id"))
        reference, rest = split_reference(command_text(command))
        try:
            team.require_agent(user, ACTIONS[name])
        except DeskError as error:
            return desk.explain(error)
        if not reference:
            return USAGE[name]
        try:
            desk.parse_ref(reference)
        except DeskError as error:
            return f"{desk.explain(error)}\n{USAGE[name]}"
        if name == "/reassign" and mentioned_user(rest) is None:
            return f"Name the new assignee with an @mention.\n{USAGE[name]}"
        if name == "/reply" and not rest:
            return f"Write the message after the reference.\n{USAGE[name]}"
        return None

    @app.command("/claim")
    @app.command("/reassign")
    @app.command("/resolve")
    @app.command("/reply")
    async def on_command(ack: AsyncAck, command: dict[str, Any]) -> None:
        refused = refusal(command)
        if refused is not None:
            await ack(text=refused)
            return
        await ack()
        name, user = str(command["command"]), str(command["user_id"])
        reference, rest = split_reference(command_text(command))
        number = desk.parse_ref(reference)
        work: dict[str, Callable[[], Awaitable[str]]] = {
            "/claim": lambda: agents.claim(user, number),
            "/reassign": lambda: agents.reassign(user, number, mentioned_user(rest) or ""),
            "/resolve": lambda: agents.resolve(user, number, rest),
            "/reply": lambda: agents.reply(user, number, rest, once=f"cmd:{command.get('trigger_id')}"),
        }
        await outcome(str(command.get("response_url", "")), work[name])

    @app.command("/queue")
    async def on_queue(ack: AsyncAck, command: dict[str, Any]) -> None:
        user = str(command.get("user_id"))
        try:
            team.require_agent(user, "see the queue")
        except DeskError as error:
            await ack(text=desk.explain(error))
            return
        await ack()  # the queue is worked out after the ack: it may be long on a busy day
        text, blocks = await agents.queue(user)
        await desk.slack.respond(str(command.get("response_url", "")), text, blocks)

    @app.action(CardIds.CLAIM)
    @app.action(CardIds.REOPEN)
    async def on_ticket_button(ack: AsyncAck, body: dict[str, Any]) -> None:
        """Claim (card, queue) and The problem is back (the requester's resolution message)."""
        await ack()
        pressed = click(body)
        if pressed is None or not pressed.value.isdigit() or not pressed.response_url:
            return
        act = agents.claim if pressed.action_id == CardIds.CLAIM else agents.reopen
        await outcome(pressed.response_url, lambda: act(pressed.user, int(pressed.value)))

    @app.action(CardIds.REPLY)
    @app.action(CardIds.RESOLVE)
    async def on_form_button(ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        pressed = click(body)
        if pressed is None or not pressed.value.isdigit():
            return
        resolving = pressed.action_id == CardIds.RESOLVE
        doing = "resolve tickets" if resolving else "reply to requesters"
        if not team.is_agent(pressed.user):
            if pressed.response_url:
                await desk.slack.respond(pressed.response_url, f"Only the desk's agents can {doing}.")
            return
        number = int(pressed.value)
        callback = AgentIds.RESOLVE_FORM if resolving else AgentIds.REPLY_FORM
        view = text_form(callback, number, desk.ref(number), pressed.channel, resolving=resolving)
        await desk.slack.open_view(str(body.get("trigger_id", "")), view)

    @app.view(AgentIds.REPLY_FORM)
    @app.view(AgentIds.RESOLVE_FORM)
    async def on_form(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        words = form_values(view).get(AgentIds.TEXT, "").strip()
        resolving = view.get("callback_id") == AgentIds.RESOLVE_FORM
        number, _, channel = str(view.get("private_metadata", "")).partition(":")
        if not number.isdigit():
            await ack()
            return
        if not resolving and not words:
            await ack(response_action="errors", errors={AgentIds.TEXT: "Write the reply to send."})
            return
        await ack()
        user = str((body.get("user") or {}).get("id", ""))
        try:
            if resolving:
                answer = await agents.resolve(user, int(number), words)
            else:
                answer = await agents.reply(user, int(number), words, once=f"view:{view.get('id')}")
        except DeskError as error:
            answer = desk.explain(error)
        if channel:
            await desk.slack.whisper(channel, user, answer)
        else:
            await desk.slack.dm(user, answer)
