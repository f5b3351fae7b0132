"""Request types and approvals: the /ticket type chooser and forms, Approve / Deny, the deny
form, and the requester's "Change details" on a request that waits (locked)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.desk import Desk
from bot.domain.approval_rules import Approve, Deny
from bot.flows.agents import Agents
from bot.flows.approvals import Approvals, Choice
from bot.slack import answers, refusals
from bot.slack.approval_blocks import (
    FILL_ACTION,
    NOT_FOUND,
    ONLY_REQUESTER,
    ApprovalIds,
    decision_form,
    form_errors,
    form_state,
    need_reason,
    type_form,
)
from bot.slack.payloads import Click, Submitted, click, submitted, trigger_of
from handlers.table import table


def _action_ts(body: dict[str, Any]) -> str:
    actions = body.get("actions")
    first = actions[0] if isinstance(actions, list) and actions and isinstance(actions[0], dict) else {}
    return str(first.get("action_ts", ""))


@dataclass(frozen=True)
class FormMeta:
    """What a request type's form carries (its `private_metadata`, JSON): the type's index and
    name when it opened, the request channel's ticket it is for, the DM draft it came from."""

    type: object
    name: object
    ticket: int | None
    draft: tuple[str, str] | None


def form_meta(metadata: str) -> FormMeta:
    try:
        meta = json.loads(metadata)
    except ValueError:
        meta = {}
    if not isinstance(meta, dict):
        return FormMeta(None, None, None, None)
    ticket, draft = meta.get("ticket"), meta.get("draft")
    talk = (str(draft[0]), str(draft[1])) if isinstance(draft, list) and len(draft) == 2 else None
    return FormMeta(meta.get("type"), meta.get("name"), ticket if isinstance(ticket, int) else None, talk)


class ApprovalListeners:
    """The listeners, one method each (importable and testable alone); `register` wires them.
    Each reads the body once: Approve / Deny become typed commands (`bot.domain.approval_rules`)
    for the one executor (`Approvals.carry`), whose refusals (`DeskError`s) end in
    `handlers.errors`; the type forms' own checks answer as a sentence (a catalogue id)."""

    def __init__(self, desk: Desk, agents: Agents) -> None:
        self.desk = desk
        self.agents = agents
        self.approvals = Approvals(desk)

    async def refuse(self, pressed: Click, refused: str) -> None:
        """A refusal, in the presser's language, privately where they pressed."""
        said = (await self.desk.words_for(pressed.user)).t(refused)
        await answers.respond(self.desk, pressed.response_url, pressed.user, said)

    async def on_fill(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        """A request channel's ticket: which type it is."""
        await ack()
        pressed = click(body)
        if pressed is None:
            return
        number, _, index = pressed.value.partition(":")
        choice = self.approvals.choice(index)
        ticket = await self.desk.store.ticket(int(number)) if number.isdigit() else None
        refused: str | None = NOT_FOUND
        if choice is not None and ticket is not None and choice[1].fields:
            refused = ONLY_REQUESTER if pressed.user != ticket.requester else None
            if refused is None:
                theirs = await self.desk.words_for(pressed.user)
                view = type_form(int(index), choice[1], pressed.channel, ticket=ticket.number, words=theirs)
                await self.desk.slack.open_view(trigger_of(body), view)
        elif choice is not None and ticket is not None:  # no questions: the type is taken now
            refused = await self.approvals.fill_ticket(pressed.user, ticket.number, choice, {}, self.agents)
        if refused:
            await self.refuse(pressed, refused)

    async def on_choice(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        """The /ticket type chooser: the chosen type's form follows in the same modal."""
        form = submitted(body, view)
        theirs = await self.desk.words_for(form.user)
        following = self.approvals.chosen_view(form.values.get(ApprovalIds.TYPE, ""), form.metadata, theirs)
        if following is None:  # the config changed while the form was open
            said = theirs.t(refusals.CHOOSE_AGAIN)
            await ack(response_action="errors", errors={ApprovalIds.TYPE: said})
            return
        await ack(response_action="update", view=following)

    async def on_form(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        """A request type's form: a new request (to its approvers), or a request channel's
        ticket taking the type."""
        form, values = submitted(body, view), form_state(view)
        meta = form_meta(form.metadata)
        choice = self.approvals.choice(meta.type)
        if choice is None or choice[1].name != meta.name:
            said = (await self.desk.words_for(form.user)).t(refusals.FORM_OUT_OF_DATE)
            await ack(response_action="errors", errors={"": said})
            return
        if meta.ticket is not None:  # a request channel's ticket takes the type
            await self.fill(ack, form, meta.ticket, choice, values)
            return
        members = await self.approvals.members(choice[1])
        words = await self.desk.words_for(form.user)
        problems = self.approvals.problems(choice, form.user, values, members, words)
        if problems:
            await ack(response_action="errors", errors=problems)
            return
        await ack()
        once = f"view:{form.view_id}"
        await self.approvals.submit(form.user, choice, values, once, members, meta.draft)

    async def fill(
        self, ack: AsyncAck, form: Submitted, number: int, choice: Choice, values: dict[str, str]
    ) -> None:
        errors = form_errors(choice[1], values, await self.desk.words_for(form.user))
        if errors:
            await ack(response_action="errors", errors=errors)
            return
        await ack()
        refused = await self.approvals.fill_ticket(form.user, number, choice, values, self.agents)
        if refused:
            await answers.dm(self.desk, form.user, refused)

    async def on_approve(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        pressed = click(body)
        if pressed is None:
            return
        approve = Approve(pressed.value, pressed.user, "", (pressed.channel, pressed.message_ts))
        await self.approvals.carry(approve, f"approve:{pressed.value}:{pressed.user}:{_action_ts(body)}")

    async def on_form_button(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        """Deny, or Approve with a note: their form."""
        await ack()
        pressed = click(body)
        if pressed is None:
            return
        await self.approvals.check(pressed.user, pressed.value)  # refused: ends in handlers.errors
        await self.approvals.pressed_form(pressed.user, pressed.value, (pressed.channel, pressed.message_ts))
        approve = pressed.action_id == ApprovalIds.NOTE
        await self.desk.slack.open_view(
            trigger_of(body),
            decision_form(pressed.value, approve=approve, words=await self.desk.words_for(pressed.user)),
        )

    async def on_decision_form(self, ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        form = submitted(body, view)
        reason = form.values.get(ApprovalIds.REASON, "").strip()
        approve = form.callback_id == ApprovalIds.NOTE_FORM
        if not reason and not approve:
            missing = need_reason(await self.desk.words_for(form.user))
            await ack(response_action="errors", errors={ApprovalIds.REASON: missing})
            return
        await ack()
        approval, user = form.metadata, form.user
        where = await self.approvals.form_place(user, approval)
        decision = Approve(approval, user, reason, where) if approve else Deny(approval, user, reason, where)
        await self.approvals.carry(decision, f"view:{form.view_id}")

    async def on_change(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        """The requester's "Change details" on a request that waits (locked)."""
        await ack()
        pressed = click(body)
        if pressed is not None:
            words = await self.approvals.change_refused(pressed.value, pressed.user)
            await answers.respond(self.desk, pressed.response_url, pressed.user, words)


def register(app: AsyncApp, desk: Desk, agents: Agents) -> None:
    listeners = ApprovalListeners(desk, agents)
    routes = table(app)
    routes.action(FILL_ACTION, acks_first=True)(listeners.on_fill)
    routes.view(ApprovalIds.CHOOSER)(listeners.on_choice)
    routes.view(ApprovalIds.FORM)(listeners.on_form)
    routes.action(ApprovalIds.APPROVE, acks_first=True)(listeners.on_approve)
    routes.action(ApprovalIds.DENY, acks_first=True)(listeners.on_form_button)
    routes.action(ApprovalIds.NOTE, acks_first=True)(listeners.on_form_button)
    routes.view(ApprovalIds.DENY_FORM)(listeners.on_decision_form)
    routes.view(ApprovalIds.NOTE_FORM)(listeners.on_decision_form)
    routes.action(ApprovalIds.LOCKED, acks_first=True)(listeners.on_change)
