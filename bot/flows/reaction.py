"""The `:ticket:` reaction (SPEC §9): any message in a channel the desk is in becomes a ticket.

One ticket per message: the requester is the message's author, raised by whoever reacted
(themselves when they reacted to their own message, or to a bot's). The ticket's thread is the
message's own thread, where the desk confirms it (a reply in a thread, which
conversations.history does not hold, is read from conversations.replies; its ticket talks in
the thread it is in); its area is the first category and its urgency P3, in a request channel
its team's first area (`bot.domain.message_ticket`). A second reaction, by anyone, and Slack's
retries open nothing more.

The reacted message is read through the `Messages` port before the transaction (`prepared`)
and carried into the command as data; `bot.flows.channel_ticket.carry` decides and commits.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from bot.desk import Desk
from bot.domain.message_ticket import TICKET_REACTION, RaiseFromReaction, Reacted
from bot.flows import channel_ticket
from bot.flows.names import request_text
from bot.slack.payloads import author_of, message_words
from store.records import THREADS, Place

log = logging.getLogger("desk.reaction")


async def prepared(desk: Desk, command: RaiseFromReaction) -> RaiseFromReaction | None:
    """The command with the reacted message read (its words as a request, names for mentions);
    None when there is nothing to read: not the :ticket: reaction, a message already a ticket
    (one ticket per message), or a message gone. A failure to read raises: the event is not
    marked done, and Slack retries."""
    if command.reaction != TICKET_REACTION:
        return None
    if await desk.store.get(THREADS, str(Place(command.channel, command.ts))) is not None:
        return None  # one ticket per message
    message = await desk.messages.message_at(command.channel, command.ts)
    if message is None:
        log.info("reacted message not found (gone)", extra={"channel": command.channel})
        return None
    parent = message.get("thread_ts")  # a reply in a thread: the ticket talks in that thread
    thread = parent if isinstance(parent, str) else None
    words = await request_text(desk, message_words(message))
    return replace(command, message=Reacted(author_of(message), words, thread))


async def ticket_from_reaction(desk: Desk, command: RaiseFromReaction, once: str | None) -> int | None:
    """Open the message's ticket, unless it has one; its number when this call opened it."""
    ready = await prepared(desk, command)
    if ready is None:
        return None
    return await channel_ticket.carry(desk, ready, once)
