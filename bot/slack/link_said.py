"""Linked tickets' decisions (`bot.domain.links`) worded: the answer for whoever acted, the
notes for the tickets' trails and the message owed to a child's requester. Every sentence comes
from the catalogue (`bot.slack.link_blocks`, `bot.slack.said_blocks`); the flow only says where
each one goes."""

from __future__ import annotations

from collections.abc import Callable

from bot.domain import links as rules
from bot.i18n import ENGLISH, Words
from bot.slack import link_blocks
from bot.slack.link_blocks import Blocks
from bot.slack.said_blocks import linked_already

Ref = Callable[[int], str]  # how the desk shows a ticket number (`Desk.ref`)


def answer(decided: rules.Answer, ref: Ref, words: Words = ENGLISH) -> str:
    """What whoever acted is told, privately."""
    if isinstance(decided, rules.NowLinked):
        return link_blocks.linked_answer(ref(decided.child), ref(decided.parent), decided.requester, words)
    if isinstance(decided, rules.LinkedAlready):
        return linked_already(ref(decided.child), ref(decided.parent), words=words)
    parent = ref(decided.parent) if decided.parent is not None else None
    return link_blocks.incident_answer(parent, decided.linked, words)


def note(noted: rules.Note, ref: Ref, words: Words = ENGLISH) -> str:
    """A note for a ticket's trail (in the desk's language: the trail is the desk's record)."""
    if isinstance(noted, rules.ChildNote):
        return link_blocks.trail_child(ref(noted.parent), words)
    if isinstance(noted, rules.ParentNote):
        return link_blocks.trail_parent(ref(noted.child), words)
    return link_blocks.trail_incident(noted.linked, words)


def handled_with(message: rules.HandledWith, ref: Ref, words: Words = ENGLISH) -> tuple[str, Blocks]:
    """To the child's requester, in their ticket's thread."""
    return link_blocks.linked_to(ref(message.child), ref(message.parent), words)
