"""Messages and mentions: requests, status questions and follow-ups, in words.

In a DM everything said to the desk counts; in a channel, only mentions of the desk and
replies in threads the desk is part of (a request being written, a ticket's thread).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext

from bot.delivery.places import place
from bot.desk import Desk
from bot.domain.follow_up import Written
from bot.domain.intake import Said
from bot.domain.message_ticket import RaiseFromChannel
from bot.domain.phrases import Cancel, NewRequest, understand
from bot.flows import channel_ticket, follow_up, status
from bot.flows.intake import Intake
from bot.flows.names import NO_TEXT, in_words
from bot.slack import answers
from bot.slack.payloads import Heard, heard, without_mentions_of
from bot.slack.said_blocks import nothing_to_cancel
from store.records import HANDLED


def register(app: AsyncApp, desk: Desk, intake: Intake) -> None:
    @app.event("message")
    async def on_message(event: dict[str, Any], context: AsyncBoltContext) -> None:
        said = heard(event, context.bot_user_id)
        if said is None or (not said.in_dm and said.mentions_bot):
            return  # mentions arrive again as app_mention and are handled there
        await listen(desk, intake, said, context.bot_user_id)

    @app.event("app_mention")
    async def on_mention(event: dict[str, Any], context: AsyncBoltContext) -> None:
        said = heard(event, context.bot_user_id)
        if said is not None and not said.in_dm:
            await listen(desk, intake, said, context.bot_user_id)


async def listen(desk: Desk, intake: Intake, said: Heard, bot_user: str | None) -> None:
    if await desk.store.get(HANDLED, said.key) is not None:
        return  # Slack's retry of a message whose work is saved: acked at once, nothing redone
    if said.mentions_bot and not said.in_dm:
        said = replace(said, text=without_mentions_of(said.text, bot_user))
    said = replace(said, text=await in_words(desk, said.text))  # `@Bob Baker`, not `<@U0BOB…>`
    number = await follow_up.ticket_thread(desk, said)
    if number is not None:  # words in a ticket's thread, read once into a typed command
        where = place(said.channel, said.thread or "")
        await follow_up.carry(desk, Written(said.user, number, where, said.text), once=said.key)
        return
    if not said.in_dm and said.thread is None and desk.staff.of_request_channel(said.channel) is not None:
        await channel_ticket.carry(desk, raise_from_channel(said), once=said.key)  # a request, at once
        return
    if said.in_dm:
        await converse(desk, intake, said, said.text, None, "dm")
    elif said.mentions_bot:
        await converse(desk, intake, said, said.text, said.thread or said.ts, "mention")
    elif said.thread is not None:
        # A plain reply in a channel thread counts only while a request is being written there.
        await intake.continue_with(said.user, said.channel, said.thread, Said(said.text), said.key)


def raise_from_channel(said: Heard) -> RaiseFromChannel:
    """A request channel's message as a command: its words as the ticket's request."""
    return RaiseFromChannel(said.user, said.channel, said.ts, said.text.strip() or NO_TEXT, said.thread)


async def converse(desk: Desk, intake: Intake, said: Heard, words: str, thread: str | None, via: str) -> None:
    """Answer a question, or carry the request being written, or start a new one."""
    phrase = understand(words)
    if isinstance(phrase, NewRequest | Cancel):
        if await intake.continue_with(said.user, said.channel, thread, Said(words), said.key):
            return
        if isinstance(phrase, NewRequest):
            await intake.begin(said.user, said.channel, thread, via, phrase.text, said.key)
            return
    found = await status.answer(desk, said.user, phrase)
    answer = found if found is not None else (nothing_to_cancel(await desk.words_for(said.user)), [])
    if said.in_dm:
        await status.reply(desk, said.key, said.user, said.channel, answer)
    elif await desk.store.put_once(HANDLED, said.key, desk.clock.now()):
        # In a channel, answers about tickets are for the asker's eyes only: said at once, or
        # not at all (a failure is logged once; Slack's retry of the message will not repeat it).
        await answers.whisper(desk, said.channel, said.user, *answer, thread=thread)
