"""The rules for tickets raised from a message, as tables of plain `decide` calls
(`bot.domain.message_ticket`): which channels and teams take a request channel's message, who
may raise one, what is left alone (thread replies, agents' messages, announcements, another
reaction, a message already a ticket, a message gone), what the ticket is (requester, raiser,
area, urgency, its thread) and what is owed. No Slack, no store: tests/test_teams.py,
tests/test_intake_flow.py and the reaction's end-to-end tests stay the contract."""

from __future__ import annotations

import pytest

from bot.domain.message_ticket import (
    LEFT_ALONE,
    CardPosted,
    Command,
    ConfirmedInThread,
    Outcome,
    Policy,
    RaiseFromChannel,
    RaiseFromReaction,
    Reacted,
    Seen,
    decide,
)
from bot.domain.priority import Priority
from bot.domain.roles import Staff, Team
from bot.domain.ticket import Action, Origin
from tests.factories import T0

ALICE, BOB, PAT, ERIN = "U0ALICE01", "U0BOB0001", "U0PAT0001", "U0ERIN001"
IT_HELP, PEOPLE_HELP, RANDOM, PEOPLE_TRIAGE = "C0ITHELP1", "C0PPLHELP", "C0RANDOM1", "C0PEOPLE1"
STAFF = Staff(
    (
        Team("IT", "C0TRIAGE1", (BOB,), (), ("Hardware", "Access"), request_channels=(IT_HELP,)),
        Team("People", PEOPLE_TRIAGE, (PAT,), (), ("HR", "Payroll"), request_channels=(PEOPLE_HELP,)),
    )
)
TS, PARENT = "1700000000.000100", "1699999999.000100"
NOW = T0


def channel(
    person: str = ALICE, where: str = IT_HELP, words: str = "My laptop is slow", thread: str | None = None
) -> RaiseFromChannel:
    return RaiseFromChannel(person, where, TS, words, thread)


def reaction(
    reactor: str = ERIN,
    where: str = RANDOM,
    author: str | None = ALICE,
    thread: str | None = None,
    name: str = "ticket",
    gone: bool = False,
) -> RaiseFromReaction:
    message = None if gone else Reacted(author, "VPN is down", thread)
    return RaiseFromReaction(reactor, where, TS, name, message)


NOTHING = Seen()  # the message is no ticket, nor is its thread


def run(command: Command, seen: Seen = NOTHING) -> Outcome:
    return decide(seen, command, STAFF, Policy(), NOW)


# -- what is left alone ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("why", "command", "seen"),
    [
        ("not a request channel", channel(where=RANDOM), Seen()),
        ("a triage channel is not a request channel", channel(where=PEOPLE_TRIAGE), Seen()),
        ("a reply in a request channel's thread", channel(thread=PARENT), Seen()),
        ("the team's own agent writes in its request channel", channel(person=BOB), Seen()),
        ("an announcement", channel(words=":mega: The office is closed Friday"), Seen()),
        ("an announcement after spaces", channel(words="  :mega: Maintenance tonight"), Seen()),
        ("the message already is a ticket", channel(), Seen(ticket=7)),
        ("another reaction", reaction(name="eyes"), Seen()),
        ("the reacted message is gone", reaction(gone=True), Seen()),
        ("the reacted message already is a ticket", reaction(), Seen(ticket=7)),
    ],
)
def test_left_alone(why: str, command: Command, seen: Seen) -> None:
    assert run(command, seen) == LEFT_ALONE, why


# -- who may raise: anyone but the team's own agents in their channel -----------------------------
@pytest.mark.parametrize(
    ("person", "where", "category"),
    [
        (ALICE, IT_HELP, "Hardware"),  # the team's first area
        (ALICE, PEOPLE_HELP, "HR"),
        (PAT, IT_HELP, "Hardware"),  # another team's agent asks like anyone
        (BOB, PEOPLE_HELP, "HR"),
    ],
)
def test_request_channel_opens_in_the_teams_first_area(person: str, where: str, category: str) -> None:
    outcome = run(channel(person=person, where=where))
    assert outcome.opens is not None
    ticket = outcome.opens.ticket(12)
    assert (ticket.number, ticket.requester, ticket.raised_by) == (12, person, None)
    assert (ticket.category, ticket.priority, ticket.text) == (category, Priority.P3, "My laptop is slow")
    assert ticket.origin == Origin(where, TS, "channel")
    assert ticket.source == f"{where}:{TS}"
    assert ticket.opened_at == NOW
    assert [(e.actor, e.action, e.detail) for e in ticket.trail] == [(person, Action.OPENED, "channel")]
    assert outcome.threads == (f"{where}:{TS}",)
    assert outcome.owed == (ConfirmedInThread(where, TS), CardPosted())


# -- the reaction: whose ticket, raised by whom, in which area -------------------------------------
@pytest.mark.parametrize(
    ("reactor", "author", "where", "requester", "raised_by", "category"),
    [
        (ERIN, ALICE, RANDOM, ALICE, ERIN, "Hardware"),  # elsewhere: the first team's first area
        (ALICE, ALICE, RANDOM, ALICE, None, "Hardware"),  # on one's own message
        (ERIN, None, RANDOM, ERIN, None, "Hardware"),  # on a bot's: the reactor asks
        (BOB, ALICE, IT_HELP, ALICE, BOB, "Hardware"),  # an agent may raise for someone
        (ERIN, ALICE, PEOPLE_HELP, ALICE, ERIN, "HR"),  # a request channel: its team's area
        (ERIN, ALICE, PEOPLE_TRIAGE, ALICE, ERIN, "HR"),  # a triage channel: its team's area
    ],
)
def test_reaction_opens_the_authors_ticket(
    reactor: str, author: str | None, where: str, requester: str, raised_by: str | None, category: str
) -> None:
    outcome = run(reaction(reactor=reactor, author=author, where=where))
    assert outcome.opens is not None
    ticket = outcome.opens.ticket(3)
    assert (ticket.requester, ticket.raised_by, ticket.category, ticket.priority) == (
        requester,
        raised_by,
        category,
        Priority.P3,
    )
    assert ticket.text == "VPN is down"
    assert ticket.origin == Origin(where, TS, "reaction")
    assert ticket.trail[0].actor == reactor
    assert outcome.owed == (ConfirmedInThread(where, TS), CardPosted())


# -- a reply in a thread: the ticket talks in that thread ------------------------------------------
@pytest.mark.parametrize(
    ("thread", "seen", "talk_in", "threads"),
    [
        (None, Seen(), TS, (f"{RANDOM}:{TS}",)),
        (TS, Seen(), TS, (f"{RANDOM}:{TS}",)),  # a parent names itself as its thread
        (PARENT, Seen(), PARENT, (f"{RANDOM}:{TS}", f"{RANDOM}:{PARENT}")),
        (PARENT, Seen(thread_ticket=4), PARENT, (f"{RANDOM}:{TS}",)),  # the thread is another's
    ],
)
def test_reaction_on_a_reply_talks_in_its_thread(
    thread: str | None, seen: Seen, talk_in: str, threads: tuple[str, ...]
) -> None:
    outcome = run(reaction(thread=thread), seen)
    assert outcome.opens is not None
    assert outcome.opens.origin.thread == talk_in
    assert outcome.opens.source == f"{RANDOM}:{TS}"
    assert outcome.threads == threads
    assert outcome.owed == (ConfirmedInThread(RANDOM, talk_in), CardPosted())
