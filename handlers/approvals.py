"""Request types and approvals: the /ticket type chooser and forms, Approve / Deny, the deny
form, and the requester's "Change details" on a request that waits (locked)."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.desk import Desk
from bot.flows import answers
from bot.flows.agents import Agents
from bot.flows.approvals import Approvals
from bot.slack import refusals
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
from bot.slack.payloads import click, form_values


def _user(body: dict[str, Any]) -> str:
    return str((body.get("user") or {}).get("id", ""))


def _action_ts(body: dict[str, Any]) -> str:
    actions = body.get("actions")
    first = actions[0] if isinstance(actions, list) and actions and isinstance(actions[0], dict) else {}
    return str(first.get("action_ts", ""))


def register(app: AsyncApp, desk: Desk, agents: Agents) -> None:
    approvals = Approvals(desk)

    @app.action(FILL_ACTION)  # a request channel's ticket: which type it is
    async def on_fill(ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        pressed = click(body)
        if pressed is None:
            return
        number, _, index = pressed.value.partition(":")
        choice = approvals.choice(index)
        ticket = await desk.store.ticket(int(number)) if number.isdigit() else None
        refused: str | None = NOT_FOUND
        if choice is not None and ticket is not None and choice[1].fields:
            refused = ONLY_REQUESTER if pressed.user != ticket.requester else None
            if refused is None:
                theirs = await desk.words_for(pressed.user)
                view = type_form(int(index), choice[1], pressed.channel, ticket=ticket.number, words=theirs)
                await desk.slack.open_view(str(body.get("trigger_id", "")), view)
        elif choice is not None and ticket is not None:  # no questions: the type is taken now
            refused = await approvals.fill_ticket(pressed.user, ticket.number, choice, {}, agents)
        if refused:
            said = (await desk.words_for(pressed.user)).t(refused)
            await answers.respond(desk, pressed.response_url, pressed.user, said)

    @app.view(ApprovalIds.CHOOSER)
    async def on_choice(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        chosen = form_values(view).get(ApprovalIds.TYPE, "")
        theirs = await desk.words_for(_user(body))
        following = approvals.chosen_view(chosen, str(view.get("private_metadata", "")), theirs)
        if following is None:  # the config changed while the form was open
            said = theirs.t(refusals.CHOOSE_AGAIN)
            await ack(response_action="errors", errors={ApprovalIds.TYPE: said})
            return
        await ack(response_action="update", view=following)

    @app.view(ApprovalIds.FORM)
    async def on_form(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        try:
            meta = json.loads(str(view.get("private_metadata", "")))
        except ValueError:
            meta = {}
        choice = approvals.choice(meta.get("type") if isinstance(meta, dict) else None)
        if choice is None or choice[1].name != meta.get("name"):
            said = (await desk.words_for(_user(body))).t(refusals.FORM_OUT_OF_DATE)
            await ack(response_action="errors", errors={"": said})
            return
        user, values = _user(body), form_state(view)
        if isinstance(meta.get("ticket"), int):  # a request channel's ticket takes the type
            errors = form_errors(choice[1], values, await desk.words_for(user))
            if errors:
                await ack(response_action="errors", errors=errors)
                return
            await ack()
            refused = await approvals.fill_ticket(user, meta["ticket"], choice, values, agents)
            if refused:
                await answers.dm(desk, user, refused)
            return
        members = await approvals.members(choice[1])
        problems = approvals.problems(choice, user, values, members, await desk.words_for(user))
        if problems:
            await ack(response_action="errors", errors=problems)
            return
        await ack()
        draft = meta.get("draft")
        talk = (str(draft[0]), str(draft[1])) if isinstance(draft, list) and len(draft) == 2 else None
        await approvals.submit(user, choice, values, f"view:{view.get('id')}", members, talk)

    @app.action(ApprovalIds.APPROVE)
    async def on_approve(ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        pressed = click(body)
        if pressed is None:
            return
        where = (pressed.channel, pressed.message_ts)
        once = f"approve:{pressed.value}:{pressed.user}:{_action_ts(body)}"
        refused = await approvals.decide(pressed.user, pressed.value, True, "", where, once)
        if refused:
            said = (await desk.words_for(pressed.user)).t(refused)
            await answers.respond(desk, pressed.response_url, pressed.user, said)

    @app.action(ApprovalIds.DENY)
    @app.action(ApprovalIds.NOTE)
    async def on_form_button(ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        pressed = click(body)
        if pressed is None:
            return
        refused = await approvals.refusal(pressed.user, pressed.value)
        if refused:
            said = (await desk.words_for(pressed.user)).t(refused)
            await answers.respond(desk, pressed.response_url, pressed.user, said)
            return
        await approvals.pressed_form(pressed.user, pressed.value, (pressed.channel, pressed.message_ts))
        approve = pressed.action_id == ApprovalIds.NOTE
        await desk.slack.open_view(
            str(body.get("trigger_id", "")),
            decision_form(pressed.value, approve=approve, words=await desk.words_for(pressed.user)),
        )

    @app.view(ApprovalIds.DENY_FORM)
    @app.view(ApprovalIds.NOTE_FORM)
    async def on_decision_form(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        reason = form_values(view).get(ApprovalIds.REASON, "").strip()
        approve = view.get("callback_id") == ApprovalIds.NOTE_FORM
        if not reason and not approve:
            missing = need_reason(await desk.words_for(_user(body)))
            await ack(response_action="errors", errors={ApprovalIds.REASON: missing})
            return
        await ack()
        approval, user = str(view.get("private_metadata", "")), _user(body)
        where = await approvals.form_place(user, approval)
        refused = await approvals.decide(user, approval, approve, reason, where, f"view:{view.get('id')}")
        if refused:
            await answers.dm(desk, user, refused)

    @app.action(ApprovalIds.LOCKED)
    async def on_change(ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        pressed = click(body)
        if pressed is not None:
            words = await approvals.change_refused(pressed.value, pressed.user)
            await answers.respond(desk, pressed.response_url, pressed.user, words)
