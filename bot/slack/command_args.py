"""The words after a slash command, read into what the command needs. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass

MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")


def split_reference(text: str) -> tuple[str, str]:
    """`"T-4 some words"` → `("T-4", "some words")`; empty strings when missing."""
    parts = text.strip().split(maxsplit=1)
    if not parts:
        return "", ""
    return parts[0], parts[1].strip() if len(parts) > 1 else ""


def mentioned_user(text: str) -> str | None:
    """The user ID in a mention as Slack escapes it (`<@U123|name>` or `<@U123>`), else None."""
    match = MENTION.match(text.strip())
    return match.group(1) if match else None


USAGE = {
    "/claim": "Usage: `/claim T-4`",
    "/reassign": "Usage: `/reassign T-4 @someone`",
    "/resolve": "Usage: `/resolve T-4 what fixed it` (the note is optional)",
    "/reply": "Usage: `/reply T-4 your message to the requester`",
    "/wait": "Usage: `/wait T-4 your question for the requester` (the question is optional)",
    "/priority": "Usage: `/priority T-4 P1` (P1 Critical, P2 High, P3 Normal, P4 Low)",
    "/move": "Usage: `/move T-4 Access` (one of the desk's areas)",
}


class BadCommand(Exception):
    """The command's words are not what it takes; the message says what is wrong and how to write it."""


@dataclass(frozen=True)
class AgentCommand:
    """`/claim`, `/reassign`, `/resolve` or `/reply`, read: the ticket reference and the rest
    (the new assignee for `/reassign`, the words for `/resolve` and `/reply`)."""

    name: str
    reference: str
    assignee: str | None
    words: str


def read_agent_command(name: str, text: str) -> AgentCommand:
    reference, rest = split_reference(text)
    if not reference:
        raise BadCommand(USAGE[name])
    assignee = mentioned_user(rest) if name == "/reassign" else None
    if name == "/reassign" and assignee is None:
        raise BadCommand(f"Name the new assignee with an @mention.\n{USAGE[name]}")
    if name == "/reply" and not rest:
        raise BadCommand(f"Write the message after the reference.\n{USAGE[name]}")
    if name == "/priority" and rest.strip().upper() not in ("P1", "P2", "P3", "P4"):
        raise BadCommand(f"Name the new priority: P1, P2, P3 or P4.\n{USAGE[name]}")
    if name == "/move" and not rest:
        raise BadCommand(f"Name the area to move it to.\n{USAGE[name]}")
    return AgentCommand(name, reference, assignee, rest)
