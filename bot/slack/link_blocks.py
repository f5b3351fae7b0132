"""Linked tickets (issue 39): a ticket handled with its parent. Pure builders, every word here."""

from __future__ import annotations

from typing import Any

from bot.i18n import ENGLISH, Words
from bot.slack.blocks import context, section
from bot.slack.mrkdwn import escape, safe

Blocks = list[dict[str, Any]]
NOTE_LIMIT = 2900


def linked_to(child: str, parent: str, words: Words = ENGLISH) -> tuple[str, Blocks]:
    """The child's requester, told where the updates will come from."""
    text = words.t(
        "{child} is being handled together with {parent}, the same problem reported "
        "by others. Its updates will reach you here.",
        child=f"*{child}*",
        parent=f"*{parent}*",
    )
    return words.t("{child} is handled with {parent}", child=child, parent=parent), [section(text)]


def trail_child(parent: str, words: Words = ENGLISH) -> str:
    return words.t("Linked to {parent}: its replies and its resolution reach this requester", parent=parent)


def trail_parent(child: str, words: Words = ENGLISH) -> str:
    return words.t(
        "{child} linked here: this ticket's replies and resolution reach its requester too", child=child
    )


def trail_incident(linked: int, words: Words = ENGLISH) -> str:
    return words.t("Made the incident of its storm: {count} tickets linked here", count=linked)


def parent_update(
    child: str, parent: str, signature: str, said: str, words: Words = ENGLISH
) -> tuple[str, Blocks]:
    """A reply on the parent, in each linked requester's own thread."""
    w = words
    where = w.t("{parent}, for {child}", parent=parent, child=child)
    blocks = [section(safe(said, NOTE_LIMIT)), context(f"{escape(signature)} · {where}")]
    return w.t("{who} replied on {parent} (your {child})", who=signature, parent=parent, child=child), blocks


def linked_answer(child: str, parent: str, requester: str, words: Words = ENGLISH) -> str:
    """The agent's answer to `/desk link`."""
    return words.t(
        "Linked {child} to {parent}: {requester} gets {parent}'s replies and its resolution.",
        child=child,
        parent=parent,
        requester=f"<@{requester}>",
    )


def incident_answer(parent: str | None, linked: int, words: Words = ENGLISH) -> str:
    """The agent's answer to the storm card's "Make these one incident"."""
    w = words
    if parent is None:
        return w.t("There is nothing left to group: fewer than two of these tickets are still waiting.")
    return w.tn(
        "{parent} is now the incident: {n} ticket linked to it. Reply on {ref} "
        "({command}) and every requester hears it; resolving it resolves them all.",
        "{parent} is now the incident: {n} tickets linked to it. Reply on {ref} "
        "({command}) and every requester hears it; resolving it resolves them all.",
        linked,
        parent=f"*{parent}*",
        ref=parent,
        command=f"`/desk reply {parent} …`",
    )
