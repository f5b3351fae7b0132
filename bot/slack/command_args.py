"""The words after a slash command, read into what the command needs. Pure."""

from __future__ import annotations

import re

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
