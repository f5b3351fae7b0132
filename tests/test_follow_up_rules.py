"""The rules for words written in a ticket's threads, as tables of plain `decide` calls
(`bot.domain.follow_up`): whose words join the ticket and as what (a follow-up, an internal
note, a public reply), what changes, and who is told what. No Slack, no store:
tests/test_intake_flow.py, tests/test_waiting.py and tests/test_teams.py stay the
contract for how it reaches people."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.domain.follow_up import (
    LEFT_ALONE,
    AnsweredBack,
    CardRedrawn,
    Policy,
    RepliedInThread,
    RequesterAdded,
    Written,
    decide,
)
from bot.domain.roles import Staff, Team
from bot.domain.ticket import Action, Status, Ticket
from tests.factories import T0, make_ticket, minutes

ALICE, BOB, DAVE, CAROL, PAT, ERIN = (
    "U0ALICE01",
    "U0BOB0001",
    "U0DAVE001",
    "U0CAROL01",
    "U0PAT0001",
    "U0ERIN001",
)
STAFF = Staff(
    (
        Team("IT", "C0TRIAGE1", (BOB, DAVE), (CAROL,), ("Hardware",)),
        Team("People", "C0PEOPLE1", (PAT,), (), ("HR",)),
    )
)
NOW = T0 + minutes(30)
ORIGIN = "D0ALICE01:1.0"  # the requester's thread (`make_ticket`'s origin)
CARD = "C0TRIAGE1:1700000000.000100"  # the card's thread
ELSEWHERE = "C0OTHER01:1700000000.000300"


def opened() -> Ticket:
    return replace(make_ticket(1, ALICE), card=CARD)


def claimed() -> Ticket:
    return opened().claim(BOB, T0 + minutes(5))


def waiting() -> Ticket:
    return claimed().wait_on_requester(BOB, "Which laptop?", T0 + minutes(10))


def asked_unclaimed() -> Ticket:
    """Waiting on the requester with nobody holding it (its assignee released)."""
    return replace(waiting(), assignee=None)


def resolved() -> Ticket:
    return claimed().resolve(BOB, "New charger", T0 + minutes(20))


STATES = {
    "missing": lambda: None,
    "open": opened,
    "claimed by Bob": claimed,
    "waiting on Alice": waiting,
    "waiting, nobody holding it": asked_unclaimed,
    "resolved": resolved,
    "given to Dave": lambda: opened().assign(DAVE, T0 + minutes(1)),
}


# -- left alone: nothing saved, nothing owed ----------------------------------------------------
LEFT = [
    ("missing", Written(ALICE, 1, ORIGIN, "More")),
    ("open", Written(ALICE, 1, CARD, "Me too")),  # the requester, in the card's thread
    ("open", Written(ERIN, 1, CARD, "Hi")),  # someone else in the card's thread
    ("open", Written(ERIN, 1, ORIGIN, "Same here")),  # someone else in the requester's thread
    ("open", Written(PAT, 1, ORIGIN, "Try this")),  # another team's agent there
    ("open", Written(CAROL, 1, ORIGIN, "On it")),  # a lead is no agent: no public reply
    ("open", Written(BOB, 1, ELSEWHERE, "Hm")),  # none of the ticket's threads
]


@pytest.mark.parametrize(("state", "command"), LEFT)
def test_words_left_alone(state: str, command: Written) -> None:
    assert decide(STATES[state](), command, STAFF, Policy(), NOW) == LEFT_ALONE


# -- what is decided: the trail's new entry, the status and assignee saved, who is told ----------
DECIDED = [
    # state, command, (action, status, assignee) saved, messages owed in order
    (
        "open",
        Written(ALICE, 1, ORIGIN, "It beeps"),
        (Action.FOLLOW_UP, Status.OPEN, None),
        [RequesterAdded(ALICE, "It beeps")],
    ),
    (
        "waiting on Alice",  # the answer it waited for: back with Bob, who is told
        Written(ALICE, 1, ORIGIN, "The grey one"),
        (Action.FOLLOW_UP, Status.CLAIMED, BOB),
        [CardRedrawn(), AnsweredBack(BOB, ALICE, "The grey one"), RequesterAdded(ALICE, "The grey one")],
    ),
    (
        "waiting, nobody holding it",  # back, but nobody to tell by DM
        Written(ALICE, 1, ORIGIN, "The grey one"),
        (Action.FOLLOW_UP, Status.CLAIMED, None),
        [CardRedrawn(), RequesterAdded(ALICE, "The grey one")],
    ),
    (
        "resolved",  # still joins the ticket, shown to the agents
        Written(ALICE, 1, ORIGIN, "Thanks"),
        (Action.FOLLOW_UP, Status.RESOLVED, BOB),
        [RequesterAdded(ALICE, "Thanks")],
    ),
    (
        "open",
        Written(BOB, 1, CARD, "Check the PSU"),
        (Action.NOTE, Status.OPEN, None),
        [],
    ),  # a note: nobody told
    (
        "waiting on Alice",
        Written(CAROL, 1, CARD, "Escalate?"),
        (Action.NOTE, Status.WAITING, BOB),
        [],
    ),  # a lead
    ("open", Written(PAT, 1, CARD, "Ours?"), (Action.NOTE, Status.OPEN, None), []),  # any team's staff
    (
        "open",  # a public reply in the requester's thread: the ticket becomes Bob's, answered
        Written(BOB, 1, ORIGIN, "Restart it"),
        (Action.REPLIED, Status.CLAIMED, BOB),
        [CardRedrawn(), RepliedInThread(BOB, "Restart it")],
    ),
    (
        "given to Dave",  # Bob answers first: the first response is met, the ticket stays Dave's
        Written(BOB, 1, ORIGIN, "Restart it"),
        (Action.REPLIED, Status.OPEN, DAVE),
        [CardRedrawn(), RepliedInThread(BOB, "Restart it")],
    ),
    (
        "given to Dave",  # Dave answers: he takes it up
        Written(DAVE, 1, ORIGIN, "Restart it"),
        (Action.REPLIED, Status.CLAIMED, DAVE),
        [CardRedrawn(), RepliedInThread(DAVE, "Restart it")],
    ),
    (
        "claimed by Bob",  # answered already (claiming did): nothing new on the card
        Written(DAVE, 1, ORIGIN, "And again"),
        (Action.REPLIED, Status.CLAIMED, BOB),
        [RepliedInThread(DAVE, "And again")],
    ),
    (
        "waiting on Alice",  # an agent's reply does not answer the question for her
        Written(DAVE, 1, ORIGIN, "Any news?"),
        (Action.REPLIED, Status.WAITING, BOB),
        [RepliedInThread(DAVE, "Any news?")],
    ),
]


@pytest.mark.parametrize(("state", "command", "saved", "owed"), DECIDED)
def test_what_is_saved_and_who_is_told(state: str, command: Written, saved: tuple, owed: list) -> None:
    before = STATES[state]()
    assert before is not None
    outcome = decide(before, command, STAFF, Policy(), NOW)
    assert outcome.ticket is not None
    entry = outcome.ticket.trail[-1]
    assert (entry.action, outcome.ticket.status, outcome.ticket.assignee) == saved
    assert (entry.actor, entry.detail, entry.at) == (command.person, command.words, NOW)
    assert len(outcome.ticket.trail) == len(before.trail) + 1
    assert list(outcome.owed) == owed
