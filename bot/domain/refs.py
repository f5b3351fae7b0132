"""Ticket references: shown as `T-42`, read from `T-42`, `t-42`, `#42` or `42`."""

import re

from bot.domain.errors import BadReference


def format_ref(number: int, prefix: str) -> str:
    """The reference people see: prefix, dash, number."""
    return f"{prefix}-{number}"


def parse_ref(text: str, prefix: str) -> int:
    """The ticket number in `text`; BadReference when it names no ticket."""
    cleaned = text.strip()
    pattern = rf"^(?:{re.escape(prefix)}-?|#)?(\d{{1,9}})$"
    match = re.match(pattern, cleaned, flags=re.IGNORECASE)
    if not match or int(match.group(1)) == 0:
        shown = cleaned if len(cleaned) <= 40 else cleaned[:40] + "…"
        raise BadReference(
            "“{said}” is not a ticket reference. Write it like {example}, #42 or 42.",
            said=shown,
            example=prefix + "-42",
        )
    return int(match.group(1))
