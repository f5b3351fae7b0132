"""The intake's buttons, the /ticket form and the "Create ticket" message shortcut."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.desk import Desk
from bot.domain.intake import Cancelled, Chose, Input, Stage
from bot.flows import answers
from bot.flows.intake import Intake
from bot.flows.names import request_text
from bot.flows.opening import place
from bot.slack.answer_blocks import ANSWER_ACTION
from bot.slack.intake_blocks import CATEGORY_ACTION, URGENCY_ACTION, IntakeIds, draft_of_block, read_form
from bot.slack.payloads import click, form_values, shortcut
from bot.slack.said_blocks import started_in_dm


def register(app: AsyncApp, desk: Desk, intake: Intake) -> None:
    async def answer(ack: AsyncAck, body: dict[str, Any], event: Input) -> None:
        await ack()
        pressed = click(body)
        if pressed is None:
            return
        draft_id = draft_of_block(pressed.block_id)
        hook = str(body.get("response_url") or "") or None  # the answer replaces the question through it
        await intake.continue_with(pressed.user, pressed.channel, pressed.thread, event, None, draft_id, hook)

    @app.action(CATEGORY_ACTION)
    async def on_category(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await answer(ack, body, Chose(Stage.CATEGORY, str(action.get("value", ""))))

    @app.action(URGENCY_ACTION)
    async def on_urgency(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await answer(ack, body, Chose(Stage.URGENCY, str(action.get("value", ""))))

    @app.action(ANSWER_ACTION)  # "This solved it" / "I still need help" (issue 39)
    async def on_answer(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await answer(ack, body, Chose(Stage.SUGGESTED, str(action.get("value", ""))))

    @app.action(IntakeIds.CANCEL)
    async def on_cancel(ack: AsyncAck, body: dict[str, Any]) -> None:
        await answer(ack, body, Cancelled())

    @app.shortcut(IntakeIds.SHORTCUT)
    async def on_shortcut(ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        used = shortcut(body)
        if used is None:
            return
        dm = await intake.dm_of(used.user)  # not asked of Slack: the request is kept while it is away
        text = await request_text(desk, used.text)
        # The request is the author's (as in Halp): they are the requester, raised by the person
        # who used the shortcut, who answers the questions. A bot's message is the user's own.
        source = place(used.channel, used.ts) if used.ts else None
        await intake.begin(used.user, dm, None, "shortcut", text, None, for_person=used.author, source=source)
        if used.response_url and used.channel != dm:
            said = started_in_dm(await desk.words_for(used.user))
            await answers.respond(desk, used.response_url, used.user, said)

    @app.view(IntakeIds.FORM)
    async def on_form(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        user = str((body.get("user") or {}).get("id", ""))
        found = read_form(form_values(view), desk.config.desk.categories, words=desk.known_words(user))
        if isinstance(found, dict):
            await ack(response_action="errors", errors=found)
            return
        await ack()
        text, category, priority = found
        await intake.open_from_form(user, text, category, priority, f"view:{view.get('id')}")
