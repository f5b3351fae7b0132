"""The intake's buttons, the /ticket form and the "Create ticket" message shortcut."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.delivery.places import place
from bot.desk import Desk
from bot.domain.intake import OPEN, Cancelled, Chose, Input, Stage
from bot.flows.approvals import Approvals
from bot.flows.intake import Intake
from bot.flows.names import request_text
from bot.slack import answers
from bot.slack.answer_blocks import ANSWER_ACTION
from bot.slack.intake_blocks import (
    CATEGORY_ACTION,
    TYPE_ACTION,
    URGENCY_ACTION,
    IntakeIds,
    draft_of_block,
    read_form,
)
from bot.slack.payloads import Click, click, shortcut, submitted, trigger_of
from bot.slack.said_blocks import started_in_dm
from handlers.table import table


def _hook(body: dict[str, Any]) -> str | None:
    """A click's response URL: the answer replaces the question through it."""
    return str(body.get("response_url") or "") or None


def _value(action: dict[str, Any]) -> str:
    return str(action.get("value", ""))


class IntakeListeners:
    """The listeners, one method each (importable and testable alone); `register` wires them."""

    def __init__(self, desk: Desk, intake: Intake) -> None:
        self.desk = desk
        self.intake = intake
        self.approvals = Approvals(desk)

    async def open_type_form(self, body: dict[str, Any], pressed: Click, draft_id: str) -> None:
        """The chosen type's questions, as its form (a modal: Slack's own inputs for a person, a
        date, a choice), opened with the click's trigger: the DM conversation waits on it."""
        draft = await self.intake.draft_at(pressed.user, pressed.channel, pressed.thread)
        if draft is None or draft.id != draft_id or draft.stage is not Stage.FORM:
            return
        view = self.approvals.draft_form(draft)
        if view is not None:
            await self.desk.slack.open_view(trigger_of(body), view)

    async def on_type(self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        """Which request type (a desk with types)."""
        await ack()
        pressed = click(body)
        if pressed is None:
            return
        value, draft_id = _value(action), draft_of_block(pressed.block_id)
        choice = self.approvals.choice(value)
        members = None
        if choice is not None and not choice[1].fields:  # raised at once: its approvers now
            members = await self.approvals.members(choice[1])
        event = Chose(Stage.TYPE, value)
        await self.intake.continue_with(
            pressed.user, pressed.channel, pressed.thread, event, None, draft_id, _hook(body), members
        )
        await self.open_type_form(body, pressed, draft_id)

    async def on_open_form(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        """ "Open the form" again."""
        await ack()
        pressed = click(body)
        if pressed is None:
            return
        draft_id = draft_of_block(pressed.block_id)
        event = Chose(Stage.FORM, OPEN)
        await self.intake.continue_with(pressed.user, pressed.channel, pressed.thread, event, None, draft_id)
        await self.open_type_form(body, pressed, draft_id)

    async def answer(self, body: dict[str, Any], event: Input) -> None:
        """A question's button pressed (its listener acked first): the request goes on."""
        pressed = click(body)
        if pressed is None:
            return
        draft_id = draft_of_block(pressed.block_id)
        await self.intake.continue_with(
            pressed.user, pressed.channel, pressed.thread, event, None, draft_id, _hook(body)
        )

    async def on_category(self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        await self.answer(body, Chose(Stage.CATEGORY, _value(action)))

    async def on_urgency(self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        await self.answer(body, Chose(Stage.URGENCY, _value(action)))

    async def on_answer(self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        """ "This solved it" / "I still need help" (issue 39)."""
        await ack()
        await self.answer(body, Chose(Stage.SUGGESTED, _value(action)))

    async def on_cancel(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        await self.answer(body, Cancelled())

    async def on_shortcut(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        """ "Create ticket" on a message."""
        await ack()
        used = shortcut(body)
        if used is None:
            return
        dm = await self.intake.dm_of(used.user)  # not asked of Slack: the request is kept while it is away
        text = await request_text(self.desk, used.text)
        # The request is the author's (as in Halp): they are the requester, raised by the person
        # who used the shortcut, who answers the questions. A bot's message is the user's own.
        source = place(used.channel, used.ts) if used.ts else None
        await self.intake.begin(
            used.user, dm, None, "shortcut", text, None, for_person=used.author, source=source
        )
        if used.response_url and used.channel != dm:
            said = started_in_dm(await self.desk.words_for(used.user))
            await answers.respond(self.desk, used.response_url, used.user, said)

    async def on_form(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        """The /ticket form (no request types)."""
        form = submitted(body, view)
        words = self.desk.known_words(form.user)
        found = read_form(form.values, self.desk.config.desk.categories, words=words)
        if isinstance(found, dict):
            await ack(response_action="errors", errors=found)
            return
        await ack()
        text, category, priority = found
        await self.intake.open_from_form(form.user, text, category, priority, f"view:{form.view_id}")


def register(app: AsyncApp, desk: Desk, intake: Intake) -> None:
    listeners = IntakeListeners(desk, intake)
    routes = table(app)
    routes.action(TYPE_ACTION, acks_first=True)(listeners.on_type)
    routes.action(IntakeIds.TYPE_FORM, acks_first=True)(listeners.on_open_form)
    routes.action(CATEGORY_ACTION, acks_first=True)(listeners.on_category)
    routes.action(URGENCY_ACTION, acks_first=True)(listeners.on_urgency)
    routes.action(ANSWER_ACTION, acks_first=True)(listeners.on_answer)
    routes.action(IntakeIds.CANCEL, acks_first=True)(listeners.on_cancel)
    app.shortcut(IntakeIds.SHORTCUT)(listeners.on_shortcut)
    routes.view(IntakeIds.FORM)(listeners.on_form)
