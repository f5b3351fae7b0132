"""Recording what the desk owes people, inside the transaction that made the change.

The outbox's worker (`bot.flows.outbox`) delivers what is recorded here. Each entry is keyed
by the message's id, so recording the same message twice (a retried request) owes it once.
Messages drawn when they are sent (cards, prompts) are redrawn instead: they keep their place
in line and take the new content.
"""

from __future__ import annotations

import time
from dataclasses import replace

from bot.domain.owed import Card, Edit, Message, Owed, Prompt, StormCard
from store.base import Transaction

METADATA_TYPE = "desk_message"  # Slack message metadata naming the desk's messages
REDRAWN = (Card, StormCard, Edit, Prompt)  # the latest content wins


def owe(tx: Transaction, key: str, message: Message, *, look_first: bool = False) -> None:
    """Owe `message` under the id `key`. A message already owed is owed once; one that is
    redrawn (a card, an edit, a prompt) keeps its place in line and takes the new content."""
    current = tx.owed(key)
    if current is None:
        tx.owe(key, Owed(message, tx.next_seq(), look_first=look_first, since=time.time()))
    elif isinstance(message, REDRAWN):
        tx.owe(key, replace(current, message=message, version=current.version + 1))


def message_key(number: int, change: int, what: str) -> str:
    """A message's id: the ticket, the change (its trail length) and what the message is."""
    return f"t{number}:{change}:{what}"


def card(tx: Transaction, number: int) -> None:
    """Owe the ticket's card as the ticket stands when it is sent: posted the first time,
    updated after. One entry per ticket, however many changes come before it is sent."""
    owe(tx, card_key(number), Card(number))


def card_key(number: int) -> str:
    return f"t{number}:card"


def storm_card(tx: Transaction, storm: str) -> None:
    """Owe the storm card, drawn when it is sent: posted the first time, updated after."""
    owe(tx, f"storm:{storm}", StormCard(storm))
