"""Tickets made of a message in a channel: a request channel's new message (SPEC §9) and a
message someone put :ticket: on. The message's thread is the ticket's: the desk confirms there
with the reference and the first target, and offers the urgency and area to set.

Each is a typed command (`bot.domain.message_ticket`: `RaiseFromChannel`, read in
`handlers.messages`; `RaiseFromReaction`, read in `handlers.reactions` and `prepared` in
`bot.flows.reaction`) carried out by one executor (`carry`): under the store's write lock, once
per event (Slack may deliver it again), what the store knows of the message is loaded, the
command `decide`d and, in the same transaction, the ticket opened (and given to an agent when
its team assigns), recorded under the message's place, and saved with every message owed
(OWING: a message's type -> where it goes). So a message opens one ticket however often Slack
delivers it. Nobody is answered: the confirmation in the thread is the answer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from bot.delivery import owed
from bot.delivery.drawing import confirmation_in_thread
from bot.delivery.owed import Owing
from bot.desk import Desk
from bot.domain import message_ticket as rules
from bot.domain.owed import Conversation, InThread, Post
from bot.domain.ticket import Ticket
from bot.flows.assignment import assign_new
from store.base import Transaction
from store.records import THREADS

log = logging.getLogger("desk.intake")


def redraw_confirmation(tx: Transaction, desk: Desk, ticket: Ticket) -> None:
    """After a change of urgency or area, the confirmation shows it (and the new first
    target): drawn when it is sent, as the ticket stands then."""
    owed.confirmation(tx, ticket.number)


async def carry(desk: Desk, command: rules.Command, once: str | None) -> int | None:
    """Under the write lock, once (`once`: the event's key), load what the store knows of the
    message, `decide`, and commit the new ticket with every message owed in one transaction;
    its number when this call opened it. A message left alone changes nothing and is not
    marked done."""
    now = desk.clock.now()
    where = f"{command.channel}:{command.ts}"
    async with desk.store.transaction() as tx:
        if tx.done_before(once):
            return None
        seen = rules.Seen(tx.get(THREADS, where), _thread_ticket(tx, command))
        outcome = rules.decide(seen, command, desk.staff, rules.Policy(), now)
        if outcome.opens is None:
            return None
        tx.mark_done(once, now)
        ticket = assign_new(tx, desk, outcome.opens.ticket(tx.new_ticket_number()))
        tx.save_ticket(ticket)
        for place in outcome.threads:
            tx.put(THREADS, place, ticket.number)
        at = Owing(desk, tx, ticket)
        for message in outcome.owed:
            OWING[type(message)](at, message)
    log.info("ticket opened", extra={"ticket": ticket.number, "via": outcome.via})
    return ticket.number


def _thread_ticket(tx: Transaction, command: rules.Command) -> int | None:
    """The ticket the reacted reply's thread already is, if any."""
    if isinstance(command, rules.RaiseFromReaction) and command.message and command.message.thread:
        found: int | None = tx.get(THREADS, f"{command.channel}:{command.message.thread}")
        return found
    return None


# -- the messages a decision owes, each owed where its reader sees it ---------------------------
def _confirmed(at: Owing, said: rules.ConfirmedInThread) -> None:
    number = at.ticket.number
    words, blocks = confirmation_in_thread(at.desk, at.ticket)
    confirm = Post(
        Conversation(said.channel), words, blocks, InThread(said.thread), remember=("confirmation", number)
    )
    owed.owe(at.tx, f"t{number}:confirmation", confirm)


def _card(at: Owing, _: rules.CardPosted) -> None:
    owed.card(at.tx, at.ticket.number, requester_too=False)


OWING: dict[type, Callable[[Owing, Any], None]] = {
    rules.ConfirmedInThread: _confirmed,
    rules.CardPosted: _card,
}
