"""Linked tickets (issue 39): `/desk link T-31 T-12` handles T-31 with its parent T-12.

A reply on the parent reaches every linked requester once, in their own ticket thread, through
the outbox (which keeps Slack's pace); resolving the parent resolves its open children, each
requester told and asked to rate once. One level only: a parent is not linked to another.
Links are records (`LINKED_TO`, `LINKS`), so tickets keep their shape.
"""

from __future__ import annotations

from datetime import datetime

from bot.delivery import owed
from bot.delivery.owed import owe
from bot.desk import Desk
from bot.domain.errors import DeskError, NotPermitted, TicketNotFound
from bot.domain.owed import Post, RequesterThread, where_of
from bot.domain.ticket import Action, Ticket
from bot.flows.rating import owe_rating_request
from bot.slack import refusals
from bot.slack.agent_blocks import resolution_message
from bot.slack.link_blocks import (
    incident_answer,
    linked_answer,
    linked_to,
    parent_update,
    trail_child,
    trail_incident,
    trail_parent,
)
from bot.slack.said_blocks import linked_already
from store.base import Transaction
from store.records import LINKED_TO, LINKS, STORM_OF, STORMS

LINK_TICKETS = refusals.LINK


def children_of(tx: Transaction, parent: int) -> list[int]:
    children = tx.get(LINKS, str(parent))
    return list(children) if children is not None else []


async def link(desk: Desk, agent: str, child_number: int, parent_number: int) -> str:
    """Link `child_number` to `parent_number`; the agent's answer."""
    desk.staff.require_agent(agent, LINK_TICKETS)
    async with desk.store.transaction() as tx:
        return _link(tx, desk, agent, child_number, parent_number)


async def make_incident(desk: Desk, agent: str, storm: str) -> str:
    """The storm card's "Make these one incident": its open tickets linked to the oldest."""
    desk.staff.require_agent(agent, LINK_TICKETS)
    async with desk.store.transaction() as tx:
        found = tx.get(STORMS, storm)
        numbers = sorted(found.tickets if found is not None else ())
        waiting = [n for n in numbers if (t := tx.ticket(n)) is not None and t.is_open]
        waiting = [n for n in waiting if tx.get(LINKED_TO, str(n)) is None]
        if len(waiting) < 2:
            return incident_answer(None, 0, desk.known_words(agent))
        parent, linked = waiting[0], 0
        for number in waiting[1:]:
            try:
                _link(tx, desk, agent, number, parent, note_parent=False)
                linked += 1
            except DeskError:  # another team's ticket, or a parent of its own: left as it is
                continue
        head = tx.ticket(parent)
        if head is not None and linked:
            note = trail_incident(linked, desk.words)
            tx.save_ticket(head.record(Action.NOTE, agent, note, desk.clock.now()))
    return incident_answer(desk.ref(parent), linked, desk.known_words(agent))


def _link(
    tx: Transaction,
    desk: Desk,
    agent: str,
    child_number: int,
    parent_number: int,
    *,
    note_parent: bool = True,
) -> str:
    """Link in `tx`, after every check (a refusal changes nothing); the agent's answer."""
    now = desk.clock.now()
    child_ref, parent_ref = desk.ref(child_number), desk.ref(parent_number)
    child, parent = tx.ticket(child_number), tx.ticket(parent_number)
    if child is None:
        raise TicketNotFound(child_number)
    if parent is None:
        raise TicketNotFound(parent_number)
    desk.staff.require_agent_for(agent, child, LINK_TICKETS)
    if child_number == parent_number:
        raise NotPermitted(refusals.LINK_ITSELF)
    if not child.is_open or not parent.is_open:
        raise NotPermitted(refusals.LINK_OPEN_ONLY)
    if tx.get(LINKED_TO, str(parent_number)) is not None or children_of(tx, child_number):
        raise NotPermitted(
            refusals.LINK_PART_OF_ONE,
            ticket=parent_number if tx.get(LINKED_TO, str(parent_number)) else child_number,
        )
    already = tx.get(LINKED_TO, str(child_number))
    if already == parent_number:
        return linked_already(child_ref, parent_ref, words=desk.known_words(agent))
    if already is not None:
        raise NotPermitted(refusals.LINKED_ELSEWHERE, ticket=child_number)
    tx.put(LINKED_TO, str(child_number), parent_number)
    tx.put(LINKS, str(parent_number), tuple(sorted({*children_of(tx, parent_number), child_number})))
    child = child.record(Action.NOTE, agent, trail_child(parent_ref, desk.words), now)
    tx.save_ticket(child)
    if note_parent:
        tx.save_ticket(parent.record(Action.NOTE, agent, trail_parent(child_ref, desk.words), now))
    text, blocks = linked_to(child_ref, parent_ref, desk.known_words(child.requester))
    owed.to_requester(tx, child, "linked", text, blocks)
    return linked_answer(child_ref, parent_ref, child.requester, desk.known_words(agent))


def follow(tx: Transaction, desk: Desk, ticket: Ticket, parent_number: int) -> Ticket:
    """A new ticket whose requester said it is the same as an open incident: linked to it (the
    requester's own choice, so no agent's permission is asked). Unlinked when the incident has
    closed or is itself linked meanwhile."""
    parent = tx.ticket(parent_number)
    if parent is None or not parent.is_open or tx.get(LINKED_TO, str(parent_number)) is not None:
        return ticket
    now = desk.clock.now()
    tx.put(LINKED_TO, str(ticket.number), parent_number)
    tx.put(LINKS, str(parent_number), tuple(sorted({*children_of(tx, parent_number), ticket.number})))
    linked = ticket.record(
        Action.NOTE, ticket.requester, trail_child(desk.ref(parent_number), desk.words), now
    )
    tx.save_ticket(linked)
    noted = trail_parent(desk.ref(ticket.number), desk.words)
    tx.save_ticket(parent.record(Action.NOTE, ticket.requester, noted, now))
    return linked


def pass_on_reply(tx: Transaction, desk: Desk, parent: Ticket, signature: str, words: str) -> None:
    """The parent's reply (its latest change), owed to each open child's requester once."""
    for number in children_of(tx, parent.number):
        child = tx.ticket(number)
        if child is None or not child.is_open:
            continue
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
    for number in children_of(tx, parent.number):
        child = tx.ticket(number)
        if child is None or not child.is_open:
            continue
        child = child.resolve(agent, note.strip(), now)
        tx.save_ticket(child)
        storm = tx.get(STORM_OF, str(number)) if child.card is None else None
        if storm is not None:
            storms.add(storm)
            owed.confirmation(tx, number)
        else:
            owed.card(tx, number)
        text, blocks = resolution_message(desk.ref(number), number, agent, note)
        owed.to_requester(tx, child, "requester", text, blocks, remember="resolution")
        owe_rating_request(tx, desk, child)
    for storm in sorted(storms):
        owed.storm_card(tx, storm)
