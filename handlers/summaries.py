"""`/desk summary T-12` and `/desk draft T-12` (issue 39): answered privately. A draft opens the
Reply form at once (a trigger lasts 3 seconds) and fills it when the endpoint has written; the
form is the card's own Reply form, so a submitted draft is sent like every other reply. The
Details modal's "Summarise the thread" shows the summary in the modal itself."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.desk import Desk
from bot.domain.errors import DeskError
from bot.flows import answers
from bot.flows.summaries import DOING, Summaries
from bot.slack.agent_blocks import AgentIds, text_form, visible_to
from bot.slack.blocks import section
from bot.slack.command_args import split_reference, usage
from bot.slack.gateway import SlackFailure
from bot.slack.summary_blocks import (
    SUMMARISE,
    did_not_answer,
    draft_note,
    drafting,
    form_missed,
    no_draft_note,
    not_set_up,
    summarising,
    summary,
    summary_in_details,
)
from handlers.routing import ANY_COMMAND, routed, verbs

# What of a view Slack sends back may be given to views.update (not its id, hash or state)
VIEW_KEYS = ("type", "title", "close", "submit", "callback_id", "private_metadata")


def register(app: AsyncApp, desk: Desk, summaries: Summaries) -> None:
    @app.command(ANY_COMMAND, matchers=[verbs("summary", "draft")])
    async def on_summary(ack: AsyncAck, command: dict[str, Any]) -> None:
        read, user = routed(command), str(command.get("user_id"))
        reference, _ = split_reference(read.text)
        words = desk.known_words(user)
        try:
            desk.staff.require_agent(user, DOING)
            if not reference:
                await ack(text=usage(read.verb, read.called))
                return
            number = desk.parse_ref(reference)
        except DeskError as error:
            await ack(text=desk.explain(error))
            return
        if not summaries.on:  # nothing is sent anywhere that is not configured
            await ack(text=not_set_up(words))
            return
        await ack()
        response_url = command.get("response_url")
        try:
            ticket = await summaries.ticket_for(user, number)
        except DeskError as error:
            await answers.respond(desk, response_url, user, desk.explain(error))
            return
        words = await desk.words_for(user)
        ref = desk.ref(number)
        if read.verb == "summary":
            written = await summaries.summary(user, ticket)
            if written.text is None:
                await answers.respond(desk, response_url, user, did_not_answer(ref, words))
                return
            text, blocks = summary(ref, written.text, written.replies, words)
            await answers.respond(desk, response_url, user, text, blocks)
            return
        try:
            view_id = await desk.slack.open_view(str(command.get("trigger_id", "")), drafting(ref, words))
        except SlackFailure:  # the trigger expired (3 seconds): say so where the agent is
            await answers.respond(desk, response_url, user, form_missed(ref, words))
            return
        written = await summaries.draft(ticket)
        channel = str(command.get("channel_id") or "")
        note = draft_note(words) if written.text is not None else no_draft_note(ref, words)
        form = text_form(
            AgentIds.REPLY_FORM,
            number,
            ref,
            channel,
            public_in=visible_to(ticket.origin.channel),
            saved=tuple(sorted(desk.config.replies)),
            words=words,
            initial=written.text or "",
            note=note,
        )
        try:
            await desk.slack.update_view(view_id, form)
        except SlackFailure:  # the agent closed the modal meanwhile: the draft waits nowhere
            if written.text is None:
                await answers.respond(desk, response_url, user, did_not_answer(ref, words))

    @app.action(SUMMARISE)
    async def on_summarise(ack: AsyncAck, body: dict[str, Any]) -> None:
        """The Details modal's button: a `block_actions` from a view (no response_url), answered
        by redrawing the view with the summary where the button was."""
        await ack()
        view = body.get("view") if isinstance(body.get("view"), dict) else None
        actions = body.get("actions") or [{}]
        user = str((body.get("user") or {}).get("id", ""))
        value = str(actions[0].get("value", "")) if isinstance(actions[0], dict) else ""
        if view is None or not value.isdigit() or not user:
            return
        number, words = int(value), await desk.words_for(user)
        ref = desk.ref(number)
        try:
            ticket = await summaries.ticket_for(user, number)
        except DeskError as error:
            await _redraw(view, {"block_id": SUMMARISE, **section(desk.explain(error))})
            return
        if not summaries.on:
            await _redraw(view, {"block_id": SUMMARISE, **section(not_set_up(words))})
            return
        await _redraw(view, summarising(ref, words))
        written = await summaries.summary(user, ticket)
        await _redraw(view, summary_in_details(ref, written.text, written.replies, words))

    async def _redraw(view: dict[str, Any], block: dict[str, Any]) -> None:
        """The modal as Slack sent it, with the summary's block in place of the button's."""
        blocks = [block if b.get("block_id") == SUMMARISE else b for b in view.get("blocks", [])]
        kept = {
            k: view[k]
            for k in ("type", "title", "close", "submit", "callback_id", "private_metadata")
            if view.get(k)
        }
        try:
            await desk.slack.update_view(str(view.get("id", "")), {**kept, "blocks": blocks})
        except SlackFailure:  # the agent closed it meanwhile: nothing to show it in
            return
