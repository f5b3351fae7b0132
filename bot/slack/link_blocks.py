"""Linked tickets (issue 39): a ticket handled with its parent. Pure builders, every word here."""

from __future__ import annotations

from typing import Any

from bot.slack.blocks import context, section
from bot.slack.mrkdwn import escape, safe

Blocks = list[dict[str, Any]]
NOTE_LIMIT = 2900


def linked_to(child: str, parent: str) -> tuple[str, Blocks]:
    """The child's requester, told where the updates will come from."""
    text = (
        f"*{child}* is being handled together with *{parent}*, the same problem reported "
        "by others. Its updates will reach you here."
    )
    return f"{child} is handled with {parent}", [section(text)]


def trail_child(parent: str) -> str:
    return f"Linked to {parent}: its replies and its resolution reach this requester"


def trail_parent(child: str) -> str:
    return f"{child} linked here: this ticket's replies and resolution reach its requester too"


def trail_incident(linked: int) -> str:
    return f"Made the incident of its storm: {linked} tickets linked here"


def parent_update(child: str, parent: str, signature: str, words: str) -> tuple[str, Blocks]:
    """A reply on the parent, in each linked requester's own thread."""
    blocks = [section(safe(words, NOTE_LIMIT)), context(f"{escape(signature)} · {parent}, for {child}")]
    return f"{signature} replied on {parent} (your {child})", blocks


def linked_answer(child: str, parent: str, requester: str) -> str:
    """The agent's answer to `/desk link`."""
    return f"Linked {child} to {parent}: <@{requester}> gets {parent}'s replies and its resolution."


def incident_answer(parent: str | None, linked: int) -> str:
    """The agent's answer to the storm card's "Make these one incident"."""
    if parent is None:
        return "There is nothing left to group: fewer than two of these tickets are still waiting."
    noun = "ticket" if linked == 1 else "tickets"
    return (
        f"*{parent}* is now the incident: {linked} {noun} linked to it. Reply on {parent} "
        f"(`/desk reply {parent} …`) and every requester hears it; resolving it resolves them all."
    )
