"""The intake's buttons, the /ticket form and the "Create ticket" message shortcut."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.desk import Desk
from bot.domain.intake import OPEN, Cancelled, Chose, Input, Stage
from bot.flows import answers
from bot.flows.approvals import Approvals
from bot.flows.intake import Intake
from bot.flows.names import request_text
from bot.flows.opening import place
from bot.slack.answer_blocks import ANSWER_ACTION
from bot.slack.intake_blocks import (
    CATEGORY_ACTION,
    TYPE_ACTION,
    URGENCY_ACTION,
    IntakeIds,
    draft_of_block,
    read_form,
)
from bot.slack.payloads import Click, click, form_values, shortcut
from bot.slack.said_blocks import started_in_dm


def register(app: AsyncApp, desk: Desk, intake: Intake) -> None:
    approvals = Approvals(desk)

    async def open_type_form(body: dict[str, Any], pressed: Click, draft_id: str) -> None:
        """The chosen type's questions, as its form (a modal: Slack's own inputs for a person, a
        date, a choice), opened with the click's trigger: the DM conversation waits on it."""
        draft = await intake.draft_at(pressed.user, pressed.channel, pressed.thread)
        if draft is None or draft.id != draft_id or draft.stage is not Stage.FORM:
            return
        view = approvals.draft_form(draft)
        if view is not None:
            await desk.slack.open_view(str(body.get("trigger_id", "")), view)

    @app.action(TYPE_ACTION)  # which request type (a desk with types)
    async def on_type(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        pressed = click(body)
        if pressed is None:
            return
        value, draft_id = str(action.get("value", "")), draft_of_block(pressed.block_id)
        choice = approvals.choice(value)
        members = None
        if choice is not None and not choice[1].fields:  # raised at once: its approvers now
            members = await approvals.members(choice[1])
        hook = str(body.get("response_url") or "") or None
        event = Chose(Stage.TYPE, value)
        await intake.continue_with(
            pressed.user, pressed.channel, pressed.thread, event, None, draft_id, hook, members
        )
        await open_type_form(body, pressed, draft_id)

    @app.action(IntakeIds.TYPE_FORM)  # "Open the form" again
    async def on_open_form(ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        pressed = click(body)
        if pressed is None:
            return
        draft_id = draft_of_block(pressed.block_id)
        event = Chose(Stage.FORM, OPEN)
        await intake.continue_with(pressed.user, pressed.channel, pressed.thread, event, None, draft_id)
        await open_type_form(body, pressed, draft_id)

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
