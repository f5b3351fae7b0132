"""What a person's words ask for: a status, their list, help, to cancel — or a new request.

Used for direct messages, mentions and `/ticket <text>` alike, so the same words work
everywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain.intake import CANCEL_WORDS

_STATUS = re.compile(r"^(?:status|state|where(?:'s| is))\s+(?:of\s+)?(?P<ref>.+?)\??$", re.IGNORECASE)
_LIST = {"my tickets", "my ticket", "my requests", "list", "tickets", "status", "my status"}
_HELP = {"help", "?", "hi", "hello", "hey", "hey there", "hi there", "hello there", "what can you do"}


@dataclass(frozen=True)
class StatusOf:
    reference: str  # as written; parsed with the desk's prefix by the caller


@dataclass(frozen=True)
class MyTickets:
    pass


@dataclass(frozen=True)
class Help:
    pass


@dataclass(frozen=True)
class Cancel:
    pass


@dataclass(frozen=True)
class NewRequest:
    text: str


Phrase = StatusOf | MyTickets | Help | Cancel | NewRequest


def understand(text: str) -> Phrase:
    """The request in `text`. Anything not recognised is a new request, kept word for word."""
    simple = " ".join(text.lower().split()).rstrip(".!")
    if not simple:
        return Help()
    if simple in _HELP:
        return Help()
    if simple in _LIST:
        return MyTickets()
    if simple in CANCEL_WORDS:
        return Cancel()
    match = _STATUS.match(simple)
    if match and len(match.group("ref").split()) == 1:
        return StatusOf(match.group("ref"))
    return NewRequest(text.strip())
