"""What people wrote, with Slack's mentions of people turned into the names they show
(the other tokens are words already: `bot.slack.payloads` reads them with `tokens_as_words`).

A request quoted on a card or a confirmation would otherwise show `<@U0BOB0001>` (escaped, it
must be: an unescaped mention pings the person every time the card is redrawn).

The names are asked of Slack (`users.info`) while the request is being taken, so they are
waited for NAMES_WAIT seconds at most: an event is acked only once its work is saved, and a
listener held up by a slow or absent Web API (its retries take many seconds) would leave
the event unacked until Slack stopped sending it. A name Slack does not give in time stays
as its id (`@U0BOB0001`); the request itself is never held back for it.
"""

from __future__ import annotations

import asyncio
import contextlib

from bot.desk import Desk
from bot.ports import Unanswered
from bot.slack.mrkdwn import people_as_names, people_in
from bot.slack.said_blocks import no_text

NO_TEXT = no_text()  # the English words: a request's text is stored as it is first said
NAMES_WAIT = 0.5  # seconds a request waits for Slack to say the names of the people it mentions


async def request_text(desk: Desk, words: str) -> str:
    """A message's words as a ticket's request (the shortcut, the reaction): names for
    mentions, and a note when it had no text (a file alone)."""
    return await in_words(desk, words.strip()) or NO_TEXT


async def in_words(desk: Desk, text: str) -> str:
    """`text` with mentions as `@Name` (the id stays where Slack cannot say the name in time)."""
    names: dict[str, str] = {}

    async def look_up(person: str) -> None:
        with contextlib.suppress(Unanswered):
            names[person] = await desk.directory.display_name(person)

    asking = [asyncio.ensure_future(look_up(person)) for person in people_in(text)]
    if asking:
        _, late = await asyncio.wait(asking, timeout=NAMES_WAIT)
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)
    return people_as_names(text, names)
