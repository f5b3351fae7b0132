"""`/desk summary T-12` and `/desk draft T-12` (issue 39): answered privately. A draft opens the
Reply form at once (a trigger lasts 3 seconds) and fills it when the endpoint has written; the
form is the card's own Reply form, so a submitted draft is sent like every other reply. The
Details modal's "Summarise the thread" shows the summary in the modal itself.

A refusal of a command ends at `handlers.errors` (in the ack before it, through the response
URL after it); the modal's button answers its refusal in the modal (`on_summarise`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.desk import Desk
from bot.domain.errors import DeskError
from bot.domain.ticket import Ticket
from bot.flows.summaries import DOING, Summaries
from bot.i18n import Words
from bot.slack import answers
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
from handlers.routing import Slash, slash
from handlers.table import table

# What of a view Slack sends back may be given to views.update (not its id, hash or state)
VIEW_KEYS = ("type", "title", "close", "submit", "callback_id", "private_metadata")


@dataclass(frozen=True)
class SummariseClick:
    """A press on the Details modal's "Summarise the thread": who, which ticket, the modal."""

    user: str
    number: int
    view: dict[str, Any]


def summarise_click(body: dict[str, Any]) -> SummariseClick | None:
    view = body.get("view")
    actions = body.get("actions") or [{}]
    user = str((body.get("user") or {}).get("id", ""))
    value = str(actions[0].get("value", "")) if isinstance(actions[0], dict) else ""
    if not isinstance(view, dict) or not value.isdigit() or not user:
        return None
    return SummariseClick(user, int(value), view)


class SummaryListeners:
    """The listeners, one method each (importable and testable alone); `register` wires them."""

    def __init__(self, desk: Desk, summaries: Summaries) -> None:
        self.desk = desk
        self.summaries = summaries

    async def on_summary(self, ack: AsyncAck, command: dict[str, Any]) -> None:
        """`/desk summary T-12` and `/desk draft T-12`."""
        asked = slash(command)
        user, read = asked.user, asked.read
        reference, _ = split_reference(read.text)
        self.desk.staff.require_agent(user, DOING)
        if not reference:
            await ack(text=usage(read.verb, read.called))
            return
        number = self.desk.parse_ref(reference)
        if not self.summaries.on:  # nothing is sent anywhere that is not configured
            await ack(text=not_set_up(self.desk.known_words(user)))
            return
        await ack()
        ticket = await self.summaries.ticket_for(user, number)
        words = await self.desk.words_for(user)
        if read.verb == "summary":
            await self.tell_summary(asked, ticket, words)
        else:
            await self.draft(asked, ticket, words)

    async def tell_summary(self, asked: Slash, ticket: Ticket, words: Words) -> None:
        ref = self.desk.ref(ticket.number)
        written = await self.summaries.summary(asked.user, ticket)
        if written.text is None:
            await answers.respond(self.desk, asked.response_url, asked.user, did_not_answer(ref, words))
            return
        text, blocks = summary(ref, written.text, written.replies, words)
        await answers.respond(self.desk, asked.response_url, asked.user, text, blocks)

    async def draft(self, asked: Slash, ticket: Ticket, words: Words) -> None:
        """The Reply form, opened at once and filled with the draft once it is written."""
        ref, user, url = self.desk.ref(ticket.number), asked.user, asked.response_url
        try:
            view_id = await self.desk.slack.open_view(asked.trigger_id, drafting(ref, words))
        except SlackFailure:  # the trigger expired (3 seconds): say so where the agent is
            await answers.respond(self.desk, url, user, form_missed(ref, words))
            return
        written = await self.summaries.draft(ticket)
        note = draft_note(words) if written.text is not None else no_draft_note(ref, words)
        form = text_form(
            AgentIds.REPLY_FORM,
            ticket.number,
            ref,
            asked.channel,
            public_in=visible_to(ticket.origin.channel),
            saved=tuple(sorted(self.desk.config.replies)),
            words=words,
            initial=written.text or "",
            note=note,
        )
        try:
            await self.desk.slack.update_view(view_id, form)
        except SlackFailure:  # the agent closed the modal meanwhile: the draft waits nowhere
            if written.text is None:
                await answers.respond(self.desk, url, user, did_not_answer(ref, words))

    async def on_summarise(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        """The Details modal's button: a `block_actions` from a view (no response_url), answered
        by redrawing the view with the summary where the button was."""
        await ack()
        pressed = summarise_click(body)
        if pressed is None:
            return
        view, words = pressed.view, await self.desk.words_for(pressed.user)
        ref = self.desk.ref(pressed.number)
        try:
            ticket = await self.summaries.ticket_for(pressed.user, pressed.number)
        except DeskError as error:  # kept (not `handlers.errors`): answered in the modal itself
            await self.redraw(view, {"block_id": SUMMARISE, **section(self.desk.explain(error))})
            return
        if not self.summaries.on:
            await self.redraw(view, {"block_id": SUMMARISE, **section(not_set_up(words))})
            return
        await self.redraw(view, summarising(ref, words))
        written = await self.summaries.summary(pressed.user, ticket)
        await self.redraw(view, summary_in_details(ref, written.text, written.replies, words))

    async def redraw(self, view: dict[str, Any], block: dict[str, Any]) -> None:
        """The modal as Slack sent it, with the summary's block in place of the button's."""
        blocks = [block if b.get("block_id") == SUMMARISE else b for b in view.get("blocks", [])]
        kept = {k: view[k] for k in VIEW_KEYS if view.get(k)}
        try:
            await self.desk.slack.update_view(str(view.get("id", "")), {**kept, "blocks": blocks})
        except SlackFailure:  # the agent closed it meanwhile: nothing to show it in
            return


def register(app: AsyncApp, desk: Desk, summaries: Summaries) -> None:
    listeners = SummaryListeners(desk, summaries)
    table(app).command("summary", "draft")(listeners.on_summary)
    table(app).action(SUMMARISE, acks_first=True)(listeners.on_summarise)
