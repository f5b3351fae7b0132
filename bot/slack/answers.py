"""Private answers to the person who just acted: through a `response_url`, as an ephemeral
message, or by DM. The listeners' (`handlers`): part of the Slack edge, not a flow.

Ephemerals and `response_url`s cannot go through the outbox (they expire, and Slack keeps no
trace of them to look for), so they are sent at once. When Slack cannot take one, the failure
is logged once and the answer is owed to the person by DM instead, so they still learn how
their action went once Slack is back. Nothing here raises into Bolt.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from bot.delivery.owed import owe
from bot.desk import Desk
from bot.domain.owed import DirectMessage, Post
from bot.slack.blocks import section
from bot.slack.gateway import SlackFailure
from store.base import NotSaved

log = logging.getLogger("desk.answers")
Blocks = list[dict[str, Any]]


async def respond(
    desk: Desk, response_url: str | None, person: str, text: str, blocks: Blocks | None = None
) -> None:
    """Answer through the response URL of the command or click; by DM when there is none."""
    if not response_url:
        await dm(desk, person, text, blocks)
        return
    try:
        await desk.slack.respond(response_url, text, blocks)
    except SlackFailure as failure:
        await _instead(desk, "response_url", failure, person, text, blocks)


async def whisper(
    desk: Desk, channel: str, person: str, text: str, blocks: Blocks | None = None, thread: str | None = None
) -> None:
    """An answer only `person` sees, where they are."""
    try:
        await desk.slack.whisper(channel, person, text, blocks or None, thread=thread)
    except SlackFailure as failure:
        await _instead(desk, "ephemeral", failure, person, text, blocks)


async def dm(
    desk: Desk, person: str, text: str, blocks: Blocks | None = None, key: str | None = None
) -> None:
    """Owe the person a DM (through the outbox, like everything else the desk posts). When the
    store cannot write (a full disk: the answer may be that very news), it is sent at once."""
    message = Post(DirectMessage(person), text, blocks or [section(text)])
    try:
        async with desk.store.transaction() as tx:
            owe(tx, key or f"answer:{uuid.uuid4().hex}", message)
    except NotSaved:
        try:
            await desk.slack.dm(person, text, message.blocks)
        except SlackFailure as failure:
            log.warning("private answer lost: no store and no Slack", extra={"error": failure.error})


async def _instead(
    desk: Desk, how: str, failure: SlackFailure, person: str, text: str, blocks: Blocks | None
) -> None:
    log.warning(
        "private answer not delivered; owed by DM instead",
        extra={"via": how, "error": failure.error, "person": person},
    )
    await dm(desk, person, text, blocks)
