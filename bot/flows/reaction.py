"""The `:ticket:` reaction (SPEC §9): any message in a channel the desk is in becomes a ticket.

One ticket per message: the requester is the message's author, raised by whoever reacted
(themselves when they reacted to their own message, or to a bot's). The ticket's thread is the
message's own thread, where the desk confirms it (a reply in a thread, which
conversations.history does not hold, is read from conversations.replies; its ticket talks in
the thread it is in); its area is the first category and its
urgency P3 (`bot.flows.channel_ticket`), in a request channel its team's first area. A second
reaction, by anyone, and Slack's retries open nothing more.
"""

from __future__ import annotations

import logging

from bot.desk import Desk
from bot.flows.channel_ticket import open_from_message
from bot.flows.names import request_text
from bot.slack.payloads import author_of, message_words
from store.records import THREADS, Place

log = logging.getLogger("desk.reaction")
TICKET_REACTION = "ticket"  # :ticket:, as Slack names the emoji in reaction_added


async def ticket_from_reaction(
    desk: Desk, reactor: str, channel: str, ts: str, once: str | None
) -> int | None:
    """Open the message's ticket, unless it has one; its number when this call opened it."""
    if await desk.store.get(THREADS, str(Place(channel, ts))) is not None:
        return None  # one ticket per message
    message = await desk.messages.message_at(channel, ts)  # a failure: not marked done, Slack retries
    if message is None:
        log.info("reacted message not found (gone)", extra={"channel": channel})
        return None
    parent = message.get("thread_ts")  # a reply in a thread: the ticket talks in that thread
    thread = parent if isinstance(parent, str) and parent != ts else None
    requester = author_of(message) or reactor
    text = await request_text(desk, message_words(message))
    team = desk.staff.serving(channel)
    return await open_from_message(
        desk,
        requester=requester,
        text=text,
        category=team.categories[0],
        channel=channel,
        ts=ts,
        via="reaction",
        once=once,
        raised_by=reactor,
        thread=thread,
    )
