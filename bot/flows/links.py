"""Linked tickets (issue 39): `/desk link T-31 T-12` handles T-31 with its parent T-12.

A reply on the parent reaches every linked requester once, in their own ticket thread, through
the outbox (which keeps Slack's pace); resolving the parent resolves its open children, each
requester told and asked to rate once. One level only: a parent is not linked to another.
Links are records (`LINKED_TO`, `LINKS`), so tickets keep their shape.

Each request is a typed command (`bot.domain.links`) carried out by one executor (`Links.carry`):
under the store's write lock the tickets it names and their links are loaded, `decide`d and, in
the same transaction, the links recorded, each trail note saved on its ticket and every message
owed (the outbox delivers them). The return value is the private answer for whoever acted;
refusals are `DeskError`s, raised, and change nothing. A requester's `Follow` is carried out in
the intake's own transaction (`follow`).
"""

from __future__ import annotations

from datetime import datetime

from bot.delivery import owed
from bot.delivery.owed import owe
from bot.desk import Desk
from bot.domain import links as rules
from bot.domain.owed import Post, RequesterThread, where_of
from bot.domain.ticket import Action, Ticket
from bot.flows.rating import owe_rating_request
from bot.slack import link_said
from bot.slack.agent_blocks import resolution_message
from bot.slack.link_blocks import parent_update
from store.base import Transaction
from store.records import LINKED_TO, LINKS, STORM_OF, STORMS

LINK_TICKETS = rules.LINK


def children_of(tx: Transaction, parent: int) -> list[int]:
    children = tx.get(LINKS, str(parent))
    return list(children) if children is not None else []


class Links:
    """The one executor of the link commands (`bot.domain.links`)."""

    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    async def carry(self, command: rules.Link | rules.MakeIncident) -> str:
        """Under the write lock, load what the command names, `decide`, and commit the links,
        the trail notes and every message owed in one transaction; then the answer for whoever
        acted. A refusal (`DeskError`) changes nothing and is raised."""
        async with self.desk.store.transaction() as tx:
            outcome = rules.decide(linking(tx, command), command, self.desk.staff)
            commit(tx, self.desk, outcome, self.desk.clock.now())
        assert outcome.answer is not None  # an agent's command is always answered
        words = await self.desk.words_for(rules.actor(command))
        return link_said.answer(outcome.answer, self.desk.ref, words)


async def link(desk: Desk, agent: str, child: int, parent: int) -> str:
    """Link `child` to `parent` (`rules.Link`); the agent's answer, a refusal raised."""
    return await Links(desk).carry(rules.Link(agent, child, parent))


def linking(tx: Transaction, command: rules.Command, *given: Ticket) -> rules.Linking:
    """What `command`'s decision reads, as `tx` sees it (`given`: tickets as the caller holds
    them, not saved yet)."""
    storm: tuple[int, ...] = ()
    if isinstance(command, rules.MakeIncident):
        found = tx.get(STORMS, command.storm)
        storm = found.tickets if found is not None else ()
    numbers = rules.named(command, storm)
    held = {ticket.number: ticket for ticket in given}
    tickets = {n: t for n in numbers if (t := held.get(n) or tx.ticket(n)) is not None}
    parents = {n: p for n in numbers if (p := tx.get(LINKED_TO, str(n))) is not None}
    children = {n: tuple(c) for n in numbers if (c := children_of(tx, n))}
    return rules.Linking(tickets, parents, children, storm)


def commit(
    tx: Transaction, desk: Desk, outcome: rules.Outcome, now: datetime, *given: Ticket
) -> dict[int, Ticket]:
    """Record the decision's links, save each trail note on its ticket (worded in the desk's
    language) and owe its messages, in `tx`; the tickets saved, by number."""
    for linked in outcome.links:
        tx.put(LINKED_TO, str(linked.child), linked.parent)
        tx.put(LINKS, str(linked.parent), tuple(sorted({*children_of(tx, linked.parent), linked.child})))
    saved = {ticket.number: ticket for ticket in given}
    for noted in outcome.noted:
        ticket = saved.get(noted.number) or tx.ticket(noted.number)
        assert ticket is not None  # decided about a ticket that is there
        text = link_said.note(noted, desk.ref, desk.words)
        saved[noted.number] = ticket.record(Action.NOTE, noted.by, text, now)
        tx.save_ticket(saved[noted.number])
    for message in outcome.owed:  # one kind: the child's requester, told in their ticket's thread
        child = saved.get(message.child) or tx.ticket(message.child)
        assert child is not None
        text, blocks = link_said.handled_with(message, desk.ref, desk.known_words(child.requester))
        owed.to_requester(tx, child, "linked", text, blocks)
    return saved


def follow(tx: Transaction, desk: Desk, ticket: Ticket, parent_number: int) -> Ticket:
    """A new ticket whose requester said it is the same as an open incident: linked to it
    (`rules.Follow`, the requester's own choice), in the intake's transaction; the ticket as
    it now stands."""
    command = rules.Follow(ticket.requester, ticket.number, parent_number)
    outcome = rules.decide(linking(tx, command, ticket), command, desk.staff)
    return commit(tx, desk, outcome, desk.clock.now(), ticket).get(ticket.number, ticket)


# -- what a parent's change owes its children (the agents' decisions, `bot.flows.agents`) --------
def pass_on_reply(tx: Transaction, desk: Desk, parent: Ticket, signature: str, words: str) -> None:
    """The parent's reply (its latest change), owed to each open child's requester once."""
    for child in rules.open_children(tx.ticket(n) for n in children_of(tx, parent.number)):
        number = child.number
        said = desk.known_words(child.requester)
        text, blocks = parent_update(desk.ref(number), desk.ref(parent.number), signature, words, said)
        key = f"linked:{parent.number}:{len(parent.trail)}:{number}"
        owe(tx, key, Post(where_of(child.origin.channel), text, blocks, RequesterThread(number)))


def resolve_children(
    tx: Transaction, desk: Desk, parent: Ticket, agent: str, note: str, now: datetime
) -> None:
    """Resolving the parent resolves its open children: each requester told, and asked to rate.
    A child shown only on a storm card stays there (the storm card is redrawn once, counting it
    resolved): an incident of 500 reports must not post 500 cards, at one a second, into the
    triage channel the storm card keeps quiet."""
    storms: set[str] = set()
    for child in rules.resolved_with(
        (tx.ticket(n) for n in children_of(tx, parent.number)), agent, note, now
    ):
        number = child.number
        tx.save_ticket(child)
        storm = tx.get(STORM_OF, str(number)) if child.card is None else None
        if storm is not None:
            storms.add(storm)
            owed.confirmation(tx, number)
        else:
            owed.card(tx, number)
        words = desk.known_words(child.requester)  # each requester in their own language
        text, blocks = resolution_message(desk.ref(number), number, agent, note, words=words)
        owed.to_requester(tx, child, "requester", text, blocks, remember="resolution")
        owe_rating_request(tx, desk, child)
    for storm in sorted(storms):
        owed.storm_card(tx, storm)
