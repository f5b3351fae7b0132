"""The rules of linked tickets as tables of plain `decide` calls (`bot.domain.links`): who may
link which tickets in which state, what is recorded and noted on which ticket, who is told
what, and what whoever acted is answered; the storm card's incident and a requester's follow
too. No Slack, no store: tests/test_links.py and tests/test_incident_fanout.py stay the
contract for how it reaches people."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.domain import links as rules
from bot.domain.errors import DeskError, NotPermitted, TicketNotFound
from bot.domain.links import (
    ChildNote,
    Follow,
    HandledWith,
    Incident,
    IncidentNote,
    Link,
    Linked,
    LinkedAlready,
    Linking,
    MakeIncident,
    NowLinked,
    Outcome,
    ParentNote,
    decide,
)
from bot.domain.roles import Staff, Team
from bot.domain.ticket import Ticket
from bot.i18n import ENGLISH
from tests.factories import T0, make_ticket, minutes

ALICE, ERIN, FRED, BOB, PAT, CAROL = (
    "U0ALICE01",
    "U0ERIN001",
    "U0FRED001",
    "U0BOB0001",
    "U0PAT0001",
    "U0CAROL01",
)
STAFF = Staff(
    (
        Team("IT", "C0TRIAGE1", (BOB,), (CAROL,), ("Hardware", "Software")),
        Team("People", "C0PEOPLE1", (PAT,), (), ("HR",)),
    )
)


def ticket(number: int, requester: str = ALICE, category: str = "Hardware") -> Ticket:
    return make_ticket(number, requester, category=category, at=T0 + minutes(number))


def resolved(number: int, requester: str = ALICE) -> Ticket:
    return ticket(number, requester).resolve(BOB, "Fixed", T0 + minutes(30))


def said(error: DeskError) -> str:
    """The refusal as an English reader sees it."""
    return error.render(lambda n: f"T-{n}", lambda p: f"<@{p}>", ENGLISH)


# T-1 Alice's, T-2 Erin's, T-3 Fred's, all open in IT; T-4 HR's
OPEN = {1: ticket(1), 2: ticket(2, ERIN), 3: ticket(3, FRED), 4: ticket(4, FRED, "HR")}
STATES = {
    "nothing": Linking(),
    "open": Linking(OPEN),
    "T-1 resolved": Linking({**OPEN, 1: resolved(1)}),
    "T-2 resolved": Linking({**OPEN, 2: resolved(2, ERIN)}),
    "T-2 under T-1": Linking(OPEN, parents={2: 1}, children={1: (2,)}),
    "T-2 under T-3": Linking(OPEN, parents={2: 3}, children={3: (2,)}),
    "T-1 under T-3": Linking(OPEN, parents={1: 3}, children={3: (1,)}),
}


# -- refusals: who may not, and why (nothing is decided) ---------------------------------------
REFUSED = [
    # state, command, the error, what the person reads
    ("open", Link(ERIN, 2, 1), NotPermitted, "Only the desk's agents can link tickets."),
    ("open", Link(CAROL, 2, 1), NotPermitted, "Only the desk's agents can link tickets."),  # a lead
    ("nothing", Link(ERIN, 2, 1), NotPermitted, "Only the desk's agents can link tickets."),  # asked first
    ("open", Link(BOB, 9, 1), TicketNotFound, "T-9"),
    ("open", Link(BOB, 2, 9), TicketNotFound, "T-9"),
    ("nothing", Link(BOB, 2, 9), TicketNotFound, "T-2"),  # the child's first
    ("open", Link(PAT, 2, 1), NotPermitted, "T-2 belongs to the IT team, so only its agents can link"),
    ("open", Link(BOB, 4, 1), NotPermitted, "T-4 belongs to the People team, so only its agents can link"),
    ("open", Link(BOB, 1, 1), NotPermitted, "A ticket can't be linked to itself."),
    ("T-1 resolved", Link(BOB, 2, 1), NotPermitted, "Only open tickets can be linked; reopen it first."),
    ("T-2 resolved", Link(BOB, 2, 1), NotPermitted, "Only open tickets can be linked; reopen it first."),
    ("T-2 under T-1", Link(BOB, 1, 2), NotPermitted, "T-2 is part of a link already"),  # a child: no children
    ("T-2 under T-1", Link(BOB, 1, 3), NotPermitted, "T-1 is part of a link already"),  # a parent: no parent
    ("T-1 under T-3", Link(BOB, 2, 1), NotPermitted, "T-1 is part of a link already"),  # one level only
    ("T-2 under T-3", Link(BOB, 2, 1), NotPermitted, "T-2 is linked to another ticket already."),
    ("open", MakeIncident(ERIN, "storm-1"), NotPermitted, "Only the desk's agents can link tickets."),
]


@pytest.mark.parametrize(("state", "command", "error", "reads"), REFUSED)
def test_who_may_not_and_why(state: str, command: rules.Command, error: type, reads: str) -> None:
    with pytest.raises(error) as refused:
        decide(STATES[state], command, STAFF)
    assert type(refused.value) is error
    assert reads in said(refused.value)


# -- what is decided: the links recorded, the notes, who is told what, the answer --------------
DECIDED = [
    # state, command, the outcome
    (
        "open",
        Link(BOB, 2, 1),  # both tickets noted; Erin told in her ticket's thread
        Outcome(
            (Linked(2, 1),),
            (ChildNote(2, 1, BOB), ParentNote(1, 2, BOB)),
            (HandledWith(2, 1),),
            NowLinked(2, 1, ERIN),
        ),
    ),
    (
        "open",
        Link(PAT, 4, 1),  # only the child's team is asked: its agents hand it to the parent
        Outcome(
            (Linked(4, 1),),
            (ChildNote(4, 1, PAT), ParentNote(1, 4, PAT)),
            (HandledWith(4, 1),),
            NowLinked(4, 1, FRED),
        ),
    ),
    (
        "T-2 under T-1",
        Link(BOB, 3, 1),  # a parent takes another child
        Outcome(
            (Linked(3, 1),),
            (ChildNote(3, 1, BOB), ParentNote(1, 3, BOB)),
            (HandledWith(3, 1),),
            NowLinked(3, 1, FRED),
        ),
    ),
    (
        "T-2 under T-1",
        Link(BOB, 2, 1),  # asked again: nothing written, nobody told again
        Outcome(answer=LinkedAlready(2, 1)),
    ),
    (
        "open",
        Follow(ERIN, 2, 1),  # the requester's own choice: no agent asked, nobody answered or told
        Outcome((Linked(2, 1),), (ChildNote(2, 1, ERIN), ParentNote(1, 2, ERIN))),
    ),
    ("T-1 resolved", Follow(ERIN, 2, 1), Outcome()),  # the incident closed meanwhile: left alone
    ("T-1 under T-3", Follow(ERIN, 2, 1), Outcome()),  # the incident was linked meanwhile
    ("open", Follow(ERIN, 2, 9), Outcome()),  # no such incident
]


@pytest.mark.parametrize(("state", "command", "outcome"), DECIDED)
def test_what_is_written_and_who_is_told(state: str, command: rules.Command, outcome: Outcome) -> None:
    assert decide(STATES[state], command, STAFF) == outcome


# -- the storm card's "Make these one incident" --------------------------------------------------
def storm(*tickets: Ticket, parents: dict[int, int] | None = None, held: tuple[int, ...] = ()) -> Linking:
    found = {t.number: t for t in tickets}
    return Linking(found, parents or {}, storm=held or tuple(found))


INCIDENTS = [
    # the storm, what it comes to: (the links' parent, its children), the answer
    (storm(ticket(3, FRED), ticket(1), ticket(2, ERIN)), (1, [2, 3]), Incident(1, 2)),  # the oldest leads
    (storm(ticket(1), ticket(2, ERIN), resolved(3, FRED)), (1, [2]), Incident(1, 1)),  # resolved: left
    (storm(resolved(1), ticket(2, ERIN), ticket(3, FRED)), (2, [3]), Incident(2, 1)),
    (storm(ticket(1), ticket(2, ERIN), ticket(3), parents={2: 7}), (1, [3]), Incident(1, 1)),  # linked: left
    (storm(ticket(1), ticket(4, FRED, "HR")), (1, []), Incident(1, 0)),  # another team's: left as it is
    (storm(ticket(1), resolved(2, ERIN)), None, Incident(None, 0)),  # fewer than two waiting
    (storm(ticket(1), held=(1, 5)), None, Incident(None, 0)),  # one gone from the store
    (Linking(), None, Incident(None, 0)),  # no such storm
]


@pytest.mark.parametrize(("state", "linked", "answer"), INCIDENTS)
def test_a_storm_becomes_one_incident_under_its_oldest_waiting_ticket(
    state: Linking, linked: tuple[int, list[int]] | None, answer: Incident
) -> None:
    outcome = decide(state, MakeIncident(BOB, "storm-1"), STAFF)
    assert outcome.answer == answer
    if linked is None:
        assert outcome == Outcome(answer=answer)  # nothing written, nobody told
        return
    parent, children = linked
    assert outcome.links == tuple(Linked(n, parent) for n in children)
    assert outcome.owed == tuple(HandledWith(n, parent) for n in children)
    notes = [ChildNote(n, parent, BOB) for n in children]
    if children:  # the incident's own trail says what it became, once (not a note per child)
        notes.append(IncidentNote(parent, len(children), BOB))
    assert list(outcome.noted) == notes


def test_a_child_with_children_of_its_own_is_left_out_of_the_incident() -> None:
    state = replace(storm(ticket(1), ticket(2, ERIN), ticket(3, FRED)), children={2: (8,)})
    assert decide(state, MakeIncident(BOB, "storm-1"), STAFF).links == (Linked(3, 1),)


# -- what a parent's change does to its children ---------------------------------------------------
def test_a_parents_resolution_resolves_its_open_children_only() -> None:
    children = [ticket(2, ERIN), resolved(3, FRED), None, ticket(4, FRED)]
    done = rules.resolved_with(children, BOB, "  Restarted the gateway ", T0 + minutes(40))
    assert [t.number for t in done] == [2, 4]
    assert all(t.resolution_note == "Restarted the gateway" and not t.is_open for t in done)
    assert [t.number for t in rules.open_children(children)] == [2, 4]


def test_a_refusal_writes_nothing_and_whoever_acted_is_named() -> None:
    assert rules.actor(Link(BOB, 2, 1)) == BOB and rules.actor(Follow(ERIN, 2, 1)) == ERIN
    assert rules.actor(MakeIncident(PAT, "storm-1")) == PAT
    state = STATES["open"]
    with pytest.raises(DeskError):
        decide(state, Link(BOB, 1, 1), STAFF)
    assert state == Linking(OPEN)  # frozen: nothing half done
