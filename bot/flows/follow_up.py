"""Messages written in a ticket's threads.

The requester's words in their ticket thread join the ticket's trail and are shown to the
agents in the card's thread. What agents write in the card's thread is an internal note:
kept in the trail, never sent to the requester. What the team's agents write in a channel
ticket's thread (a request channel's, a :ticket: message's) is a public reply: the requester
reads it there, it counts as the first response, and the card's thread shows it.

Each message is a typed command (`bot.domain.follow_up.Written`, read in `handlers.messages`)
carried out by one executor (`carry`): under the store's write lock, once per message (Slack
may deliver it again), the ticket is loaded, `decide`d and, in the same transaction, saved with
every message owed (OWING: a message's type -> where it goes). Nobody is answered.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.delivery import owed
from bot.delivery.owed import Owing
from bot.desk import Desk
from bot.domain import follow_up as rules
from bot.slack import said_blocks
from bot.slack.payloads import Heard
from store.records import THREADS, Place


async def ticket_thread(desk: Desk, heard: Heard) -> int | None:
    """The ticket whose thread the message was written in, if any."""
    if heard.thread is None:
        return None
    return await desk.store.get(THREADS, str(Place(heard.channel, heard.thread)))


async def carry(desk: Desk, command: rules.Command, once: str) -> None:
    """Under the write lock, once (`once`: the message's key), load the ticket, `decide`, and
    commit it with every message owed in one transaction. Words left alone change nothing and
    are not marked done."""
    now = desk.clock.now()
    async with desk.store.transaction() as tx:
        ticket = tx.ticket(command.number)
        if ticket is None or tx.done_before(once):
            return
        outcome = rules.decide(ticket, command, desk.staff, rules.Policy(), now)
        if outcome.ticket is None:
            return
        tx.save_ticket(outcome.ticket)
        tx.mark_done(once, now)
        at = Owing(desk, tx, outcome.ticket)
        for message in outcome.owed:
            OWING[type(message)](at, message)


# -- the messages a decision owes, each owed where its reader sees it ---------------------------
def _card(at: Owing, _: rules.CardRedrawn) -> None:
    owed.card(at.tx, at.ticket.number)


def _answered_back(at: Owing, said: rules.AnsweredBack) -> None:
    ref, theirs = at.desk.ref(at.ticket.number), at.desk.known_words(said.to)
    answered = said_blocks.answered_back(said.person, ref, said.words, words=theirs)
    owed.to_person(at.tx, at.ticket, said.to, "answered", answered)


def _requester_added(at: Owing, said: rules.RequesterAdded) -> None:
    text = said_blocks.requester_added(said.person, said.words, words=at.desk.words)
    fallback = said_blocks.requester_added_fallback(at.desk.ref(at.ticket.number), words=at.desk.words)
    owed.to_card_thread(at.tx, at.ticket, at.desk.triage_of(at.ticket), text, fallback)


def _replied_in_thread(at: Owing, said: rules.RepliedInThread) -> None:
    mirrored = said_blocks.replied_in_thread(said.agent, said.words, words=at.desk.words)
    fallback = said_blocks.agent_replied(at.desk.ref(at.ticket.number), words=at.desk.words)
    owed.to_card_thread(at.tx, at.ticket, at.desk.triage_of(at.ticket), mirrored, fallback)


OWING: dict[type, Callable[[Owing, Any], None]] = {
    rules.CardRedrawn: _card,
    rules.AnsweredBack: _answered_back,
    rules.RequesterAdded: _requester_added,
    rules.RepliedInThread: _replied_in_thread,
}
