"""The rules of linked tickets (issue 39), as one pure decision: who may link which tickets,
what is written, who is told, and what whoever acted is answered.

A child ticket is handled with its parent: the parent's replies reach the child's requester,
and resolving the parent resolves the child. One level only: a parent is not linked to
another, and a child has no children of its own.

The edge reads a request once into a typed command (`Link` for `/desk link T-31 T-12`,
`MakeIncident` for the storm card's "Make these one incident", `Follow` for a requester who
said their new ticket is the same as an open incident); `decide` takes what the command names
as it stands (`Linking`: the tickets and the links they are in) and the desk's staff, and
returns an `Outcome`: the links to record, the notes for the tickets' trails (typed: the Slack
side words them in the desk's language, and each is saved on its ticket), the messages owed
and the answer for whoever acted. A decision may touch several tickets: a parent and its
child, or a storm's incident and every ticket linked to it. A refusal is a `DeskError` and
changes nothing. Permission is checked here, once. Pure: no Slack, no store, no clock (a link
changes no time; the notes are recorded when the decision is committed).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from bot.domain.errors import DeskError, NotPermitted, Phrase, TicketNotFound
from bot.domain.roles import Staff
from bot.domain.ticket import Ticket

# -- what people may be refused, and why (worded by the catalogue) ------------------------------
LINK = Phrase("link tickets")
LINK_ITSELF = Phrase("A ticket can't be linked to itself.")
LINK_OPEN_ONLY = Phrase("Only open tickets can be linked; reopen it first.")
LINK_PART_OF_ONE = Phrase("{ref} is part of a link already: link to the parent it belongs to.")
LINKED_ELSEWHERE = Phrase("{ref} is linked to another ticket already.")


# -- the commands -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Link:
    """`/desk link T-31 T-12`: handle `child` with its parent `parent`."""

    agent: str
    child: int
    parent: int


@dataclass(frozen=True)
class MakeIncident:
    """The storm card's "Make these one incident": the storm's waiting tickets linked to the
    oldest of them."""

    agent: str
    storm: str  # the storm's key


@dataclass(frozen=True)
class Follow:
    """A requester's new ticket, which they said is the same as an open incident: linked to it
    (their own choice, so no agent's permission is asked)."""

    requester: str
    number: int
    parent: int


Command = Link | MakeIncident | Follow


def actor(command: Command) -> str:
    """Whoever acted (the answer is theirs)."""
    return command.requester if isinstance(command, Follow) else command.agent


# -- what a decision reads ----------------------------------------------------------------------
@dataclass(frozen=True)
class Linking:
    """The tickets a command names, as they stand, and the links they are in (only those)."""

    tickets: Mapping[int, Ticket] = field(default_factory=dict)
    parents: Mapping[int, int] = field(default_factory=dict)  # child -> its parent
    children: Mapping[int, tuple[int, ...]] = field(default_factory=dict)  # parent -> its children
    storm: tuple[int, ...] = ()  # `MakeIncident`: the tickets its storm holds

    def parent_of(self, number: int) -> int | None:
        return self.parents.get(number)

    def children_of(self, number: int) -> tuple[int, ...]:
        return self.children.get(number, ())


def named(command: Command, storm: Iterable[int] = ()) -> tuple[int, ...]:
    """The tickets a command's decision reads (a storm's: those it holds)."""
    if isinstance(command, Link):
        return (command.child, command.parent)
    if isinstance(command, Follow):
        return (command.number, command.parent)
    return tuple(sorted(set(storm)))


# -- what is written ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Linked:
    """A link to record: `child` is handled with `parent`."""

    child: int
    parent: int


@dataclass(frozen=True)
class ChildNote:
    """In the child's trail: linked to `parent` (whose replies and resolution reach its requester)."""

    number: int
    parent: int
    by: str


@dataclass(frozen=True)
class ParentNote:
    """In the parent's trail: `child` linked here."""

    number: int
    child: int
    by: str


@dataclass(frozen=True)
class IncidentNote:
    """In the incident's trail: it was made the incident of its storm, `linked` tickets linked."""

    number: int
    linked: int
    by: str


Note = ChildNote | ParentNote | IncidentNote


# -- the messages owed --------------------------------------------------------------------------
@dataclass(frozen=True)
class HandledWith:
    """To the child's requester, in their ticket's thread: it is handled with `parent`, whose
    updates will reach them there."""

    child: int
    parent: int


Message = HandledWith


# -- the answers for whoever acted ---------------------------------------------------------------
@dataclass(frozen=True)
class NowLinked:
    child: int
    parent: int
    requester: str  # the child's: told of the parent's replies and resolution from now on


@dataclass(frozen=True)
class LinkedAlready:
    child: int
    parent: int


@dataclass(frozen=True)
class Incident:
    parent: int | None  # None: fewer than two of the storm's tickets were still waiting
    linked: int


Answer = NowLinked | LinkedAlready | Incident


@dataclass(frozen=True)
class Outcome:
    links: tuple[Linked, ...] = ()  # to record
    noted: tuple[Note, ...] = ()  # each saved on its ticket, in this order
    owed: tuple[Message, ...] = ()
    answer: Answer | None = None  # None: nobody to answer (a requester's `Follow`)


NOTHING = Outcome()


# -- the rules ------------------------------------------------------------------------------------
def decide(state: Linking, command: Command, staff: Staff) -> Outcome:
    """What `command` does to the tickets it names; a `DeskError` if refused."""
    if isinstance(command, Link):
        return _link(state, command, staff)
    if isinstance(command, MakeIncident):
        return _make_incident(state, command, staff)
    return _follow(state, command)


def _link(state: Linking, command: Link, staff: Staff) -> Outcome:
    staff.require_agent(command.agent, LINK)
    child, parent = state.tickets.get(command.child), state.tickets.get(command.parent)
    if child is None:
        raise TicketNotFound(command.child)
    if parent is None:
        raise TicketNotFound(command.parent)
    if _refused(state, command.agent, child, parent, staff):
        return Outcome(answer=LinkedAlready(child.number, parent.number))
    return Outcome(
        (Linked(child.number, parent.number),),
        (
            ChildNote(child.number, parent.number, command.agent),
            ParentNote(parent.number, child.number, command.agent),
        ),
        (HandledWith(child.number, parent.number),),
        NowLinked(child.number, parent.number, child.requester),
    )


def _refused(state: Linking, agent: str, child: Ticket, parent: Ticket, staff: Staff) -> bool:
    """Refuse a link an agent may not make (a `DeskError`); True when it is made already.
    Only the child's team is asked: its agents hand their ticket to the parent."""
    staff.require_agent_for(agent, child, LINK)
    if child.number == parent.number:
        raise NotPermitted(LINK_ITSELF)
    if not child.is_open or not parent.is_open:
        raise NotPermitted(LINK_OPEN_ONLY)
    parent_linked = state.parent_of(parent.number) is not None
    if parent_linked or state.children_of(child.number):
        raise NotPermitted(LINK_PART_OF_ONE, ticket=parent.number if parent_linked else child.number)
    already = state.parent_of(child.number)
    if already == parent.number:
        return True
    if already is not None:
        raise NotPermitted(LINKED_ELSEWHERE, ticket=child.number)
    return False


def _make_incident(state: Linking, command: MakeIncident, staff: Staff) -> Outcome:
    """The storm's open tickets not linked yet, linked to the oldest; one another team's, or a
    parent of its own, is left as it is."""
    staff.require_agent(command.agent, LINK)
    waiting = [
        n
        for n in sorted(state.storm)
        if (t := state.tickets.get(n)) is not None and t.is_open and state.parent_of(n) is None
    ]
    if len(waiting) < 2:
        return Outcome(answer=Incident(None, 0))
    parent = state.tickets[waiting[0]]
    linked: list[int] = []
    for number in waiting[1:]:
        try:
            _refused(state, command.agent, state.tickets[number], parent, staff)
        except DeskError:
            continue
        linked.append(number)
    noted: list[Note] = [ChildNote(n, parent.number, command.agent) for n in linked]
    if linked:
        noted.append(IncidentNote(parent.number, len(linked), command.agent))
    return Outcome(
        tuple(Linked(n, parent.number) for n in linked),
        tuple(noted),
        tuple(HandledWith(n, parent.number) for n in linked),
        Incident(parent.number, len(linked)),
    )


def _follow(state: Linking, command: Follow) -> Outcome:
    """Linked, unless the incident has closed or is itself linked meanwhile (nobody is told:
    the requester hears of their ticket as it opens)."""
    parent = state.tickets.get(command.parent)
    if parent is None or not parent.is_open or state.parent_of(command.parent) is not None:
        return NOTHING
    by = command.requester
    return Outcome(
        (Linked(command.number, command.parent),),
        (ChildNote(command.number, command.parent, by), ParentNote(command.parent, command.number, by)),
    )


# -- what a parent's change does to its children ---------------------------------------------------
def open_children(children: Iterable[Ticket | None]) -> list[Ticket]:
    """The children a parent's reply reaches, and its resolution resolves: the open ones."""
    return [child for child in children if child is not None and child.is_open]


def resolved_with(children: Iterable[Ticket | None], agent: str, note: str, now: datetime) -> list[Ticket]:
    """The parent's open children, resolved with it by `agent` with the parent's note."""
    return [child.resolve(agent, note.strip(), now) for child in open_children(children)]
