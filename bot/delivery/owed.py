"""Recording what the desk owes people, inside the transaction that made the change.

The outbox's worker (`bot.delivery.outbox`) delivers what is recorded here. Each entry is keyed
by the message's id, so recording the same message twice (a retried request) owes it once.
Messages drawn when they are sent (cards, prompts) are redrawn instead: they keep their place
in line and take the new content.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from bot.desk import Desk
from bot.domain.owed import (
    Card,
    CardThread,
    ConfirmationOf,
    Conversation,
    DirectMessage,
    Edit,
    HomeOf,
    Message,
    Owed,
    Post,
    Prompt,
    RequesterThread,
    StormCard,
    Where,
    to_outsider,
    where_of,
)
from bot.domain.ticket import Ticket
from bot.slack.blocks import section
from bot.slack.mrkdwn import plain
from store.base import Transaction
from store.records import DMS

METADATA_TYPE = "desk_message"  # Slack message metadata naming the desk's messages
REDRAWN = (Card, StormCard, Edit, Prompt, HomeOf, ConfirmationOf)  # the latest content wins


@dataclass(frozen=True)
class Owing:
    """Where a decision's messages are owed: in its transaction, about the ticket as saved. What
    an executor hands each function of its `OWING` table, which owes one kind of message."""

    desk: Desk
    tx: Transaction
    ticket: Ticket


def owe(tx: Transaction, key: str, message: Message, *, look_first: bool = False, after: float = 0.0) -> None:
    """Owe `message` under the id `key`. A message already owed is owed once; one that is
    redrawn (a card, an edit, a prompt) keeps its place in line and takes the new content.
    `after`: seconds to wait first, so changes in between go out as one (a Home tab). Nothing
    is owed to people an import kept by name (`to_outsider`)."""
    if to_outsider(message):
        return
    current = tx.owed(key)
    if current is None:
        now = tx.now()  # the desk's clock: the Home's wait (`after`) is a time of its world
        tx.owe(
            key,
            Owed(
                message,
                tx.next_seq(),
                next_at=now + after if after else 0.0,
                look_first=look_first,
                since=now,
            ),
        )
    elif isinstance(message, REDRAWN):
        tx.owe(key, replace(current, message=message, version=current.version + 1))


def message_key(number: int, change: int, what: str) -> str:
    """A message's id: the ticket, the change (its trail length) and what the message is."""
    return f"t{number}:{change}:{what}"


def to_requester(
    tx: Transaction,
    ticket: Ticket,
    what: str,
    text: str,
    blocks: list[dict[str, Any]] | None = None,
    *,
    remember: str | None = None,
) -> None:
    """Owe a message in the requester's ticket thread, named `what` among the ticket's
    messages at its current change; `remember` names what its place is kept as (`resolution`)."""
    key = message_key(ticket.number, len(ticket.trail), what)
    to, thread = where_of(ticket.origin.channel), RequesterThread(ticket.number)
    kept = (remember, ticket.number) if remember else None
    owe(tx, key, Post(to, text, blocks or [section(text)], thread, remember=kept))


def requesters_dm(tx: Transaction, ticket: Ticket) -> Where:
    """The requester's DM, named as the ticket's thread names it when the ticket was raised
    there: a DM about the ticket then waits in the same line as the thread's messages, after
    those owed before it (the rating request after the resolution it asks about), rather than
    in a line of its own that Slack's pace may let go first."""
    if tx.get(DMS, ticket.requester) == ticket.origin.channel:
        return where_of(ticket.origin.channel)
    return DirectMessage(ticket.requester)


def to_card_thread(tx: Transaction, ticket: Ticket, triage: str, text: str, fallback: str = "") -> None:
    """Owe the agents a message in the ticket's card thread, in `triage` (its team's channel),
    named by the ticket's current change."""
    key = message_key(ticket.number, len(ticket.trail), "card-thread")
    post = Post(
        Conversation(triage), fallback or plain(text, 300), [section(text)], CardThread(ticket.number)
    )
    owe(tx, key, post)


def to_person(
    tx: Transaction,
    ticket: Ticket,
    person: str,
    what: str,
    text: str,
    blocks: list[dict[str, Any]] | None = None,
) -> None:
    """Owe `person` a DM about the ticket (an agent, a lead), linking to its card."""
    key = message_key(ticket.number, len(ticket.trail), what)
    owe(
        tx, key, Post(DirectMessage(person), plain(text, 300), blocks or [section(text)], about=ticket.number)
    )


def card(tx: Transaction, number: int, *, requester_too: bool = True) -> None:
    """Owe the ticket's card as the ticket stands when it is sent: posted the first time,
    updated after. One entry per ticket, however many changes come before it is sent.
    `requester_too`: the requester's confirmation is redrawn as well (not at opening, where it
    is sent as it stands, nor for what only agents see)."""
    owe(tx, card_key(number), Card(number))
    if requester_too:
        confirmation(tx, number)


def confirmation(tx: Transaction, number: int) -> None:
    """Owe the requester's confirmation redrawn as the ticket stands when it is sent, so it
    never promises a first response the ticket has had. While its first sending is owed, the
    redraw waits behind it; after, in a line of its own (`ConfirmationOf`)."""
    ticket = tx.ticket(number)
    if ticket is not None:
        first = tx.owed(f"t{number}:confirmation")  # `owe_announcement`, `open_from_message`
        origin = ticket.origin.channel if first is not None else None
        owe(tx, f"t{number}:confirmation-now", ConfirmationOf(number, origin))


def card_key(number: int) -> str:
    return f"t{number}:card"


def storm_card(tx: Transaction, storm: str) -> None:
    """Owe the storm card, drawn when it is sent: posted the first time, updated after."""
    owe(tx, f"storm:{storm}", StormCard(storm))
