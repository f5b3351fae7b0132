"""What people wrote, with Slack's mentions of people turned into the names they show
(the other tokens are words already: `bot.slack.payloads` reads them with `tokens_as_words`).

A request quoted on a card or a confirmation would otherwise show `<@U0BOB0001>` (escaped, it
must be: an unescaped mention pings the person every time the card is redrawn).
"""

from __future__ import annotations

from bot.desk import Desk
from bot.slack.gateway import SlackFailure
from bot.slack.mrkdwn import people_as_names, people_in

NO_TEXT = "(the message had no text)"


async def request_text(desk: Desk, words: str) -> str:
    """A message's words as a ticket's request (the shortcut, the reaction): names for
    mentions, and a note when it had no text (a file alone)."""
    return await in_words(desk, words.strip()) or NO_TEXT


async def in_words(desk: Desk, text: str) -> str:
    """`text` with mentions as `@Name` (the id stays where Slack cannot say the name)."""
    names: dict[str, str] = {}
    for person in people_in(text):
        try:
            names[person] = await desk.slack.display_name(person)
        except SlackFailure:
            continue
    return people_as_names(text, names)
